import { describe, expect, it } from '@jest/globals';
import { feedSubject, toCloudEvent } from './cloud-event.js';
import { categoryOf, matchesFeedFilter, parseNameList } from './event-feed-filter.js';

const event = {
  streamId: 'investigation-4f1c',
  revision: 3,
  position: 42,
  type: 'AnomalyDetected',
  data: { score: 0.9 },
  metadata: {
    eventId: 'e-1',
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'c-1',
    commandId: 'k-1',
    userId: 'ana',
  },
};

describe('event feed', () => {
  it('takes the category from the stream id prefix', () => {
    expect(categoryOf('investigation-4f1c-99')).toBe('investigation');
    expect(categoryOf('standalone')).toBe('standalone');
  });

  it('filters by category and type, empty sets matching all', () => {
    const all = { categories: new Set<string>(), types: new Set<string>() };
    expect(matchesFeedFilter(event, all)).toBe(true);
    expect(matchesFeedFilter(event, { ...all, categories: new Set(['chat']) })).toBe(false);
    expect(
      matchesFeedFilter(event, { categories: new Set(['investigation']), types: new Set(['AnomalyDetected', 'X']) }),
    ).toBe(true);
    expect(matchesFeedFilter(event, { ...all, types: new Set(['InvestigationStarted']) })).toBe(false);
  });

  it('parses comma-separated names and names the first invalid one', () => {
    expect(parseNameList(' a, b ,,')).toEqual({ names: new Set(['a', 'b']) });
    expect(parseNameList('a,b.c')).toEqual({ invalid: 'b.c' });
    expect(parseNameList(undefined)).toEqual({ names: new Set() });
  });

  it('maps to CloudEvents 1.0 and a NATS subject', () => {
    expect(toCloudEvent(event)).toMatchObject({
      specversion: '1.0',
      id: 'e-1',
      source: '/cidadao-ai/investigation',
      type: 'br.gov.cidadao-ai.investigation.AnomalyDetected',
      subject: 'investigation-4f1c',
      time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: { score: 0.9 },
      position: 42,
    });
    expect(feedSubject('events', event)).toBe('events.investigation.AnomalyDetected');
    expect(feedSubject('events', { streamId: 'a.b-1', type: 'X>' })).toBe('events.a_b.X_');
  });
});
