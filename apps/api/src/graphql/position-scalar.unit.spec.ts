import { describe, expect, it } from '@jest/globals';
import { parseValue } from 'graphql';
import { GraphQLPosition } from './position-scalar.js';

const PAST_INT = 2 ** 31 + 7;
const MAX = Number.MAX_SAFE_INTEGER;

const literal = (source: string): unknown => GraphQLPosition.parseLiteral(parseValue(source));
const failure = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted what it should refuse');
};

describe('the Position scalar', () => {
  it('serialises revisions and positions past 2^31 as JSON numbers, up to 2^53 − 1', () => {
    expect([0, 1, PAST_INT, MAX].map((value) => GraphQLPosition.serialize(value))).toEqual([0, 1, PAST_INT, MAX]);
    // SSE ids are text: the list stream's position arrives as its id.
    expect(GraphQLPosition.serialize(String(PAST_INT))).toBe(PAST_INT);
  });

  it('reads variables given as numbers or strings of digits', () => {
    expect(GraphQLPosition.parseValue(PAST_INT)).toBe(PAST_INT);
    expect(GraphQLPosition.parseValue(String(MAX))).toBe(MAX);
    expect(GraphQLPosition.parseValue(0)).toBe(0);
  });

  it('reads Int and String literals, however many digits', () => {
    expect(literal(String(PAST_INT))).toBe(PAST_INT);
    expect(literal(`"${MAX}"`)).toBe(MAX);
    expect(literal('0')).toBe(0);
  });

  it('refuses what is no position with a message that says what it takes', () => {
    const bad: unknown[] = [-1, 1.5, MAX + 1, Number.NaN, Infinity, '', '-3', '1e3', '12a', ' 4', null, true, {}, [1]];
    for (const value of bad) {
      expect(failure(() => GraphQLPosition.parseValue(value))).toMatch(
        /^Position must be a whole number from 0 to 9007199254740991 \(a number or a string of digits\), not /,
      );
      expect(() => GraphQLPosition.serialize(value)).toThrow(/Position must be a whole number/);
    }
    expect(failure(() => GraphQLPosition.parseValue('-3'))).toMatch(/not "-3"$/);
    for (const source of ['-1', '2.5', '9007199254740992', '"x1"', 'true', 'null', '[1]', '{a: 1}', 'ENUM'])
      expect(failure(() => literal(source))).toMatch(new RegExp(`not ${source.replace(/[[\]{}.]/g, '\\$&')}$`));
  });
});
