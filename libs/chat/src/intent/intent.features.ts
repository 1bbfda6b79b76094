import { normalizeText } from '#analysis';

/** Weighted features of one utterance: feature → weight. */
export type FeatureVector = ReadonlyMap<string, number>;

const WORD_WEIGHT = 3;
const BIGRAM_WEIGHT = 2;
const CHAR_WEIGHT = 0.5;
const CHAR_GRAM_SIZES = [3, 4] as const;

/** Words folded to lower case without accents: "Saúde" and "SAUDE" are one word. */
export function foldedWords(text: string): string[] {
  return normalizeText(text)
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function add(features: Map<string, number>, key: string, weight: number): void {
  features.set(key, (features.get(key) ?? 0) + weight);
}

/**
 * Word unigrams and bigrams carry meaning; character n-grams inside each word make the
 * model tolerant of typos and inflections ("investiga", "investigue", "investigação").
 */
export function intentFeatures(text: string): FeatureVector {
  const features = new Map<string, number>();
  const words = foldedWords(text);
  words.forEach((word, index) => {
    add(features, `w:${word}`, WORD_WEIGHT);
    const next = words[index + 1];
    if (next !== undefined) add(features, `b:${word}_${next}`, BIGRAM_WEIGHT);
    const padded = `^${word}$`;
    for (const size of CHAR_GRAM_SIZES) {
      for (let at = 0; at + size <= padded.length; at++) add(features, `c:${padded.slice(at, at + size)}`, CHAR_WEIGHT);
    }
  });
  if (text.includes('?')) add(features, 'p:question', WORD_WEIGHT);
  return features;
}
