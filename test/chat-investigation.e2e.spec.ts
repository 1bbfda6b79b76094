import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ANOMALIES_ANNOUNCED_LIVE, chatStreamId } from '#chat';
import { investigationStreamId } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';

let app: EmbeddedApp;
beforeAll(async () => {
  // An investigation long enough that its events reach the chat answer while it runs.
  app = await startEmbeddedApp({
    INVESTIGATION_STEP_DELAY_MS: '40',
    SYNTHETIC_CONTRACTS: '600',
  });
});
afterAll(async () => {
  await app?.stop();
});

/** The secret of each session these anonymous chats started, sent back as a client would. */
const secrets = new Map<string, string>();
const withSecret = (sessionId: string): Record<string, string> => ({
  'X-Chat-Session-Token': secrets.get(sessionId) ?? '',
});
const historyOf = async (sessionId: string) =>
  (await (await fetch(`${app.url}/api/v1/chat/sessions/${sessionId}`, { headers: withSecret(sessionId) })).json()) as {
    messages: Array<Record<string, unknown>>;
  };

async function chat(message: string, sessionId?: string): Promise<SseFrame[]> {
  const body = JSON.stringify({ message, ...(sessionId ? { session_id: sessionId } : {}) });
  const headers = { 'Content-Type': 'application/json', ...(sessionId ? withSecret(sessionId) : {}) };
  const sse = await openSse(`${app.url}/api/v1/chat/stream`, { method: 'POST', headers, body });
  expect(sse.status).toBe(200);
  const frames = await sse.done;
  if (typeof frames[0]?.data.session_token === 'string')
    secrets.set(String(frames[0].data.session_id), frames[0].data.session_token);
  return frames;
}

const text = (frames: SseFrame[]) =>
  frames
    .filter((f) => f.data.type === 'chunk')
    .map((f) => String(f.data.content))
    .join('');
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

interface Summary {
  investigation_id: string;
  status: string;
  filters: Record<string, unknown>;
  anomalies: Array<{ anomaly_id: string; anomaly_type: string; contract_id: string; score: number }>;
  report: string | null;
  records_processed: number;
}

describe('chat that acts', () => {
  let sessionId = '';
  let summary: Summary;

  it('starts a real investigation from an investigate message and streams its progress, then the Tiradentes summary', async () => {
    const frames = await chat('Olá, quero investigar os contratos da saúde');
    sessionId = String(frames[0]?.data.session_id);
    expect(frames[2]?.data).toMatchObject({ type: 'intent', intent: 'investigate' });
    expect(frames[3]?.data).toMatchObject({ type: 'agent_selected', agent_id: 'zumbi' });
    expect(frames.at(-1)?.data.type).toBe('complete');

    const history = await historyOf(sessionId);
    const investigationId = String(history.messages[1]?.investigation_id);
    const res = await fetch(`${app.url}/api/v1/investigations/${investigationId}`);
    expect(res.status).toBe(200);
    summary = (await res.json()) as Summary;
    expect(summary).toMatchObject({ status: 'completed', filters: { orgao: '36000' } });

    const answer = text(frames);
    expect(answer).toBe(history.messages[1]?.content);
    expect(answer).toContain('Ministério da Saúde (36000)');
    expect(answer).toContain('**Investigação iniciada.**');
    expect(answer).toContain(summary.report?.trim());
    expect(answer.indexOf('Relatório de Tiradentes')).toBeGreaterThan(answer.lastIndexOf('- Progresso:'));
    expect(answer).toContain(`concluída em`);
    expect(answer).toMatch(
      new RegExp(
        `: ${summary.records_processed} contratos analisados, ${summary.anomalies.length} anomalias encontradas`,
      ),
    );

    // Every progress event of the investigation is told exactly once (the final one by the conclusion).
    const events = await app.runtime.store.readStream(investigationStreamId(investigationId));
    const progress = events.filter(
      (e) => e.type === 'ProgressReported' && (e.data as { currentPhase: string }).currentPhase !== 'generating_report',
    );
    expect(count(answer, '- Progresso:')).toBe(progress.length);
    expect(count(answer, '- Fase:')).toBe(events.filter((e) => e.type === 'PhaseStarted').length);
    expect(count(answer, '  - Anomalia:')).toBe(Math.min(ANOMALIES_ANNOUNCED_LIVE, summary.anomalies.length));
    const chatEvents = await app.runtime.store.readStream(chatStreamId(sessionId));
    expect(chatEvents.filter((e) => e.type === 'InvestigationLinked')).toHaveLength(1);
    // The answer was written by the message's command and then several follow hops, each carrying on.
    const writers = new Set(
      chatEvents.filter((e) => e.type === 'ResponseChunkGenerated').map((e) => e.metadata.commandId),
    );
    expect(writers.size).toBeGreaterThanOrEqual(3);
  });

  it('reports each anomaly of a larger investigation as it is found, the first ones in full', async () => {
    const frames = await chat('Quero investigar contratos suspeitos', sessionId);
    const history = await historyOf(sessionId);
    const investigationId = String(history.messages[3]?.investigation_id);
    summary = (await (await fetch(`${app.url}/api/v1/investigations/${investigationId}`)).json()) as Summary;
    expect(summary).toMatchObject({ status: 'completed', records_processed: 600 });
    expect(summary.anomalies.length).toBeGreaterThan(0);
    const answer = text(frames);
    expect(count(answer, '  - Anomalia:')).toBe(Math.min(ANOMALIES_ANNOUNCED_LIVE, summary.anomalies.length));
    for (const anomaly of summary.anomalies.slice(0, ANOMALIES_ANNOUNCED_LIVE))
      expect(answer).toContain(`\`${anomaly.contract_id}\``);
    expect(answer).toContain(': 600 contratos analisados');
  });

  it('answers an investigation_status question from the projection', async () => {
    const frames = await chat('Qual o status da investigação?', sessionId);
    expect(frames[2]?.data).toMatchObject({ intent: 'investigation_status' });
    const answer = text(frames);
    expect(answer).toContain(summary.investigation_id);
    expect(answer).toContain('foi concluída');
    expect(answer).toContain(
      `${summary.records_processed} contratos analisados e ${summary.anomalies.length} anomalias encontradas`,
    );
  });

  it('explains the most serious anomaly from the projection', async () => {
    const frames = await chat('Explique a anomalia mais grave', sessionId);
    expect(frames[2]?.data).toMatchObject({ intent: 'explain_anomaly' });
    const answer = text(frames);
    const worst = [...summary.anomalies].sort((a, b) => b.score - a.score)[0];
    if (worst) {
      expect(answer).toContain(worst.contract_id);
      expect(answer).toContain('O que isso significa:');
    } else {
      expect(answer).toContain('Nenhuma anomalia foi encontrada');
    }
  });

  it('says so when a new conversation asks about an investigation it never had', async () => {
    const frames = await chat('Como está a investigação?');
    expect(text(frames)).toContain('Ainda não encontrei uma investigação nesta conversa');
  });
});
