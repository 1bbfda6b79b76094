import { describe, expect, it } from '@jest/globals';
import { investigationWsMessage } from '../investigations/investigation-frames.js';
import { taggedWsText, WireFrame } from './wire-frame.js';

describe('WireFrame', () => {
  it('encodes its WebSocket text once, whoever asks', () => {
    const frame = new WireFrame(7, { type: 'chunk', content: 'olá "mundo"' });
    const first = frame.ws;
    expect(frame.ws).toBe(first);
    expect(JSON.parse(first)).toEqual({ id: 7, type: 'chunk', content: 'olá "mundo"' });
    expect(frame.message).toBe(frame.message);
  });

  it('tags the shared text with its stream as { stream, ...message } would encode', () => {
    const frame = new WireFrame(3, { type: 'phase', phase: 'analysis' });
    expect(taggedWsText('investigation:a"b', frame)).toBe(
      JSON.stringify({ stream: 'investigation:a"b', ...frame.message }),
    );
  });

  it('gives an investigation anomaly its nested anomaly object on WebSocket only', () => {
    const data = {
      type: 'anomaly' as const,
      investigation_id: 'i',
      anomaly_id: 'a',
      anomaly_type: 'price_deviation',
      severity: 'high',
      contract_id: 'c',
      details: { ratio: 2 },
      timestamp: 't',
    };
    const frame = new WireFrame(5, data, investigationWsMessage);
    expect(frame.message).toEqual({
      id: 5,
      ...data,
      anomaly: {
        anomaly_id: 'a',
        anomaly_type: 'price_deviation',
        severity: 'high',
        contract_id: 'c',
        details: { ratio: 2 },
      },
    });
    expect(frame.sse.toString()).not.toContain('"anomaly":{');
  });
});
