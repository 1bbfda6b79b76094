import { describe, expect, it } from '@jest/globals';
import { INTENTS } from './intent.model.js';
import { evaluateHeldOut, splitUtterances, trainIntentClassifier } from './intent.classifier.js';
import { LABELLED_UTTERANCES } from './utterances.pt-BR.js';

const classifier = trainIntentClassifier();

describe('intent classifier', () => {
  it('ships several hundred labelled utterances covering every intent', () => {
    expect(LABELLED_UTTERANCES.length).toBeGreaterThanOrEqual(400);
    for (const intent of INTENTS)
      expect(LABELLED_UTTERANCES.filter((u) => u.intent === intent).length).toBeGreaterThanOrEqual(40);
  });

  it('splits the same way every time, holding out about a fifth', () => {
    const first = splitUtterances();
    expect(splitUtterances()).toEqual(first);
    const share = first.heldOut.length / LABELLED_UTTERANCES.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.28);
  });

  it('is accurate on utterances it never saw', () => {
    const evaluation = evaluateHeldOut();
    expect(evaluation.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('reads an investigation request that starts with a greeting as an investigation', () => {
    expect(classifier.classify('Olá, quero investigar os contratos da saúde').intent).toBe('investigate');
  });

  it('ignores accents and case', () => {
    const plain = classifier.classify('ola, quero investigar os contratos da saude');
    expect(classifier.classify('OLÁ, QUERO INVESTIGAR OS CONTRATOS DA SAÚDE')).toEqual(plain);
    expect(plain.intent).toBe('investigate');
  });

  it('recognises each conversational intent with a confidence in [0, 1]', () => {
    const cases: Array<[string, string]> = [
      ['Oi, tudo bem?', 'greeting'],
      ['muito obrigado pela ajuda!', 'thanks'],
      ['tchau, até amanhã', 'goodbye'],
      ['como eu uso este chat?', 'help_request'],
      ['quem são os agentes do cidadão.ai?', 'about_system'],
      ['qual o andamento da investigação?', 'investigation_status'],
      ['por que esse contrato foi marcado como suspeito?', 'explain_anomaly'],
      ['qual a previsão do tempo?', 'unknown'],
    ];
    for (const [text, intent] of cases) {
      const prediction = classifier.classify(text);
      expect({ text, intent: prediction.intent }).toEqual({ text, intent });
      expect(prediction.confidence).toBeGreaterThanOrEqual(0);
      expect(prediction.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('calls gibberish unknown', () => {
    expect(classifier.classify('zxqv wpt').intent).toBe('unknown');
  });
});
