import { describe, expect, it } from '@jest/globals';
import { listInvestigationsSchema } from './investigation-list.dto.js';

describe('the list query', () => {
  it('takes every status an investigation keeps in the list', () => {
    for (const status of ['running', 'completed', 'failed', 'cancelled'])
      expect(listInvestigationsSchema.parse({ status })).toMatchObject({ status, limit: 20 });
  });

  it('refuses status=queued and says why, rather than answering an empty list', () => {
    const result = listInvestigationsSchema.safeParse({ status: 'queued' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['status'],
      message: expect.stringMatching(/queued investigations are not listed.*GET \/api\/v1\/investigations\/\{id\}/),
    });
  });

  it('names the statuses it lists for one it does not know', () => {
    expect(listInvestigationsSchema.safeParse({ status: 'paused' }).error?.issues[0]?.message).toBe(
      'must be one of running, completed, failed, cancelled',
    );
  });
});
