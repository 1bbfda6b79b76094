import { INTENTS, type Intent, type IntentPrediction, type LabelledUtterance } from './intent.model.js';
import { intentFeatures } from './intent.features.js';
import { NaiveBayesModel } from './naive-bayes.model.js';
import { LABELLED_UTTERANCES } from './utterances.pt-BR.js';

/** Below this, no known intent is likely enough: the message is `unknown`. */
const MIN_CONFIDENCE = 0.3;
const LEARNED: readonly Intent[] = INTENTS;

export interface IntentClassifier {
  classify(text: string): IntentPrediction;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Trains on the given utterances (the bundled set by default); takes a few milliseconds. */
export function trainIntentClassifier(
  utterances: readonly LabelledUtterance[] = LABELLED_UTTERANCES,
): IntentClassifier {
  const model = new NaiveBayesModel<Intent>(LEARNED).train(
    utterances.map((u) => ({ label: u.intent, features: intentFeatures(u.text) })),
  );
  return {
    classify(text: string): IntentPrediction {
      const probabilities = model.predict(intentFeatures(text));
      let best: Intent = 'unknown';
      let confidence = 0;
      for (const [intent, p] of probabilities) {
        if (p > confidence) [best, confidence] = [intent, p];
      }
      // With nothing recognisable, "unknown" is the answer and its confidence is how unlikely the rest are.
      if (confidence < MIN_CONFIDENCE) return { intent: 'unknown', confidence: round3(1 - confidence) };
      return { intent: best, confidence: round3(confidence) };
    },
  };
}

/** FNV-1a: a stable hash, so the split is the same on every machine and every run. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Deterministic split: about one utterance in `folds` is held out, chosen by hash. */
export function splitUtterances(
  utterances: readonly LabelledUtterance[] = LABELLED_UTTERANCES,
  folds = 5,
): { train: LabelledUtterance[]; heldOut: LabelledUtterance[] } {
  const train: LabelledUtterance[] = [];
  const heldOut: LabelledUtterance[] = [];
  for (const u of utterances) (fnv1a(u.text) % folds === 0 ? heldOut : train).push(u);
  return { train, heldOut };
}

export interface IntentEvaluation {
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly mistakes: ReadonlyArray<{ text: string; expected: Intent; predicted: Intent; confidence: number }>;
}

/** Accuracy of a classifier trained on the split's training part, measured on its held-out part. */
export function evaluateHeldOut(utterances: readonly LabelledUtterance[] = LABELLED_UTTERANCES): IntentEvaluation {
  const { train, heldOut } = splitUtterances(utterances);
  const classifier = trainIntentClassifier(train);
  const mistakes: Array<IntentEvaluation['mistakes'][number]> = [];
  for (const u of heldOut) {
    const { intent, confidence } = classifier.classify(u.text);
    if (intent !== u.intent) mistakes.push({ text: u.text, expected: u.intent, predicted: intent, confidence });
  }
  const correct = heldOut.length - mistakes.length;
  return { accuracy: heldOut.length ? correct / heldOut.length : 0, correct, total: heldOut.length, mistakes };
}
