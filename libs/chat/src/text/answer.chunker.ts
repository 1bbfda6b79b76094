/** A word with the whitespace that follows it; leading whitespace is its own match. */
const WORD_WITH_SPACE = /\s+|\S+\s*/gy;

/**
 * Splits an answer into chunks of a few words, keeping every space, newline and markdown
 * mark where it was: joining the chunks gives back the text exactly. Leading whitespace
 * rides with the first word, so no chunk is whitespace only.
 */
export function chunkAnswer(text: string, wordsPerChunk = 3): string[] {
  if (wordsPerChunk < 1) throw new RangeError('wordsPerChunk must be at least 1');
  const chunks: string[] = [];
  let current = '';
  let words = 0;
  for (const [piece] of text.matchAll(WORD_WITH_SPACE)) {
    current += piece;
    if (/\S/.test(piece)) words += 1;
    if (words >= wordsPerChunk) {
      chunks.push(current);
      current = '';
      words = 0;
    }
  }
  if (current.length > 0) {
    if (words === 0 && chunks.length > 0) chunks[chunks.length - 1] += current;
    else chunks.push(current);
  }
  return chunks;
}

/** A rough token count (about four characters a token in Portuguese) for answers no model produced. */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

export function estimateTokensOfLength(characters: number): number {
  return characters <= 0 ? 0 : Math.max(1, Math.ceil(characters / 4));
}
