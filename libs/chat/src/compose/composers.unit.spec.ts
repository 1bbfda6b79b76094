import { describe, expect, it } from '@jest/globals';
import type { Anomaly } from '#analysis';
import { emptyInvestigationSummary, type InvestigationSummary } from '#investigations';
import { agentById } from '../agents/agent.registry.js';
import { composeAnomalyExplanation, composeInvestigationStatus } from './investigation-facts.composer.js';
import {
  ANOMALIES_ANNOUNCED_LIVE,
  narrateInvestigationEvent,
  narrateInvestigationOpening,
} from './investigation-narration.js';
import { composeSmallTalk } from './small-talk.composer.js';

const anomaly = (id: string, type: Anomaly['anomaly_type'], score: number): Anomaly => ({
  anomaly_id: id,
  anomaly_type: type,
  severity: score > 0.8 ? 'critical' : 'medium',
  score,
  contract_id: `ct-${id}`,
  contract_ids: [`ct-${id}`],
  explanation: `explicação ${id}.`,
  evidence: { razao: 3.25, categoria: 'medicamentos' },
});

const summary = (change: Partial<InvestigationSummary>): InvestigationSummary => ({
  ...emptyInvestigationSummary('inv-1'),
  query: 'saúde',
  ...change,
});

describe('investigation facts composer', () => {
  it('says where an investigation stands, with its figures', () => {
    const running = summary({
      status: 'running',
      progress: 45.5,
      current_phase: 'analyzing_contracts',
      records_processed: 1200,
      anomalies_detected: 3,
    });
    expect(composeInvestigationStatus(running)).toContain(
      'está em andamento: 45,5% concluída, na fase de análise dos contratos. Até agora, 1.200 contratos analisados e 3 anomalias encontradas.',
    );
    const done = summary({
      status: 'completed',
      execution_time: '4.2s',
      records_processed: 300,
      anomalies_detected: 1,
      anomalies: [anomaly('a', 'price_deviation', 0.9)],
    });
    expect(composeInvestigationStatus(done)).toMatch(
      /foi concluída em 4\.2s: 300 contratos analisados e 1 anomalias encontradas\.\n\nPrincipais achados:\n- \*\*Desvio de preço/,
    );
    expect(
      composeInvestigationStatus(
        summary({ status: 'failed', error: { error_code: 'X', message: 'fonte fora do ar' } }),
      ),
    ).toContain('falhou: fonte fora do ar');
    expect(composeInvestigationStatus(null)).toContain('Ainda não encontrei uma investigação');
  });

  it('explains the finding the question names, else the most suspicious one', () => {
    const s = summary({
      status: 'completed',
      anomalies: [anomaly('a', 'price_deviation', 0.95), anomaly('b', 'split_purchase', 0.5)],
    });
    const named = composeAnomalyExplanation(s, 'o que é esse fracionamento?');
    expect(named).toContain('Sobre a anomalia que você citou: **Fracionamento de compra**');
    expect(named).toContain('`ct-b`');
    expect(named).toContain('- razao: 3,25');
    const worst = composeAnomalyExplanation(s, 'explique a anomalia');
    expect(worst).toContain(
      'A anomalia mais grave encontrada: **Desvio de preço (possível sobrepreço)** (severidade crítica) no contrato `ct-a`',
    );
    expect(composeAnomalyExplanation(s, 'e os aditivos?')).toMatch(
      /^Não encontrei anomalias desse tipo\. A anomalia mais grave/,
    );
    expect(composeAnomalyExplanation(summary({ status: 'completed' }), 'explique')).toContain(
      'Nenhuma anomalia foi encontrada nesta investigação',
    );
  });
});

describe('investigation narration', () => {
  it('opens with the filters understood', () => {
    const opening = narrateInvestigationOpening('inv-1', {
      orgao: '36000',
      min_value: 1_000_000,
      start_date: '2024-01-01',
    });
    expect(opening).toContain(
      '- órgão: Ministério da Saúde (36000)\n- período: 2024-01-01 a hoje\n- valor mínimo: R$ 1.000.000,00',
    );
  });

  it('tells the first anomalies live and leaves the rest to the report', () => {
    const event = { type: 'AnomalyDetected' as const, data: { anomaly: anomaly('a', 'price_deviation', 0.9), at: '' } };
    expect(narrateInvestigationEvent(event, 'inv-1', 1)).toContain('  - Anomalia: **Desvio de preço');
    expect(narrateInvestigationEvent(event, 'inv-1', ANOMALIES_ANNOUNCED_LIVE + 1)).toBeNull();
  });
});

describe('small talk composer', () => {
  it('introduces the agent that answers', () => {
    expect(composeSmallTalk('greeting', agentById('drummond'))).toMatch(
      /^Olá! Sou Carlos Drummond de Andrade, comunicador do Cidadão\.AI/,
    );
    expect(composeSmallTalk('about_system', agentById('drummond'))).toContain('Somos 15 agentes');
  });
});
