import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CLIENT_WIRE_TYPES_PATH, renderClientWireTypes } from './client-wire-types.js';

describe("the client package's wire types", () => {
  it('are what the wire schemas render today (run `npm run generate:client` after changing them)', () => {
    expect(readFileSync(CLIENT_WIRE_TYPES_PATH, 'utf8')).toBe(renderClientWireTypes());
  });

  it('name every investigation and chat event type', () => {
    const rendered = renderClientWireTypes();
    for (const type of ['progress', 'phase', 'anomaly', 'complete', 'error', 'cancelled', 'trends'])
      expect(rendered).toContain(`export interface InvestigationEvent_${type} `);
    for (const type of ['start', 'detecting', 'intent', 'agent_selected', 'chunk', 'complete', 'error'])
      expect(rendered).toContain(`export interface ChatEvent_${type} `);
  });
});
