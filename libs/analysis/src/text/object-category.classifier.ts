import { OBJECT_CATEGORIES, OTHER_CATEGORY, type ObjectCategory } from '../catalog/object-categories.catalog.js';
import { tokenize } from './text.normalizer.js';

/** Verbs and fillers every objeto has; they say how, not what, was bought. */
const GENERIC = new Set([
  'aquisicao',
  'contratacao',
  'prestacao',
  'servico',
  'servicos',
  'fornecimento',
  'empresa',
  'objeto',
  'execucao',
  'registro',
  'precos',
  'eventual',
  'futura',
  'especializada',
]);

/** The catalog category of an objeto (accent-free lower case), or null when none matches. */
export function classifyObject(normalized: string): ObjectCategory | null {
  for (const category of OBJECT_CATEGORIES) {
    if (category.pattern.test(normalized)) return category;
  }
  return null;
}

/**
 * A grouping key for "objects of the same nature": the catalog category, or for objetos the
 * catalog does not know, their two first meaningful words, so unrelated purchases are not lumped together.
 */
export function categoryKeyOf(category: ObjectCategory | null, normalized: string): string {
  if (category) return category.key;
  const words = tokenize(normalized).filter((token) => !GENERIC.has(token) && !/^\d+$/.test(token));
  return words.length === 0 ? OTHER_CATEGORY : `${OTHER_CATEGORY}:${words.slice(0, 2).join('-')}`;
}
