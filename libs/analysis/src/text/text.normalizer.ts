const DIACRITICS = /[\u0300-\u036f]/g;

/** Lower case without accents: "Saúde" and "SAUDE" compare equal. */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(DIACRITICS, '').toLowerCase();
}

/** Words that carry no meaning about what was bought; dropping them keeps similarity about the object. */
const STOPWORDS: ReadonlySet<string> = new Set([
  'a',
  'ao',
  'aos',
  'as',
  'com',
  'da',
  'das',
  'de',
  'do',
  'dos',
  'e',
  'em',
  'na',
  'nas',
  'no',
  'nos',
  'o',
  'os',
  'ou',
  'para',
  'pela',
  'pelo',
  'por',
  'um',
  'uma',
  'conforme',
  'sob',
  'sobre',
]);

/** Distinct meaningful tokens of a normalised text, in first-seen order. */
export function tokenize(normalized: string): string[] {
  const seen = new Set<string>();
  for (const token of normalized.split(/[^a-z0-9]+/)) {
    if (token.length > 1 && !STOPWORDS.has(token)) seen.add(token);
  }
  return [...seen];
}
