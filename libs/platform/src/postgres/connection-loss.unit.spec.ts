import { describe, expect, it } from '@jest/globals';
import { isConnectionLoss } from './connection-loss.js';

describe('isConnectionLoss', () => {
  it.each([
    ['a terminated backend (57P01)', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['a socket cut', new Error('Connection terminated unexpectedly')],
    ['a refused connection', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [
      'a database that refuses connections (55000)',
      { code: '55000', message: 'database "x" is not currently accepting connections' },
    ],
    ['too many clients (53300)', { code: '53300', message: 'sorry, too many clients already' }],
    [
      'a client whose connection already broke',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
  ])('counts %s', (_what, error) => {
    expect(isConnectionLoss(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { code: '23505', message: 'duplicate key value violates unique constraint' }],
    ['a syntax error', { code: '42601', message: 'syntax error at or near "SELEC"' }],
    ['another object in state 55000', { code: '55000', message: 'cursor "audit_read" does not exist' }],
    ['no error object', 'boom'],
  ])('does not count %s', (_what, error) => {
    expect(isConnectionLoss(error)).toBe(false);
  });
});
