import { describe, expect, it } from '@jest/globals';
import { classifyObject } from '../text/object-category.classifier.js';
import { normalizeText } from '../text/text.normalizer.js';
import { OBJECT_CATEGORIES } from './object-categories.catalog.js';

describe('object category catalog', () => {
  it.each(OBJECT_CATEGORIES.map((c) => [c.key, c] as const))(
    'classifies every %s objeto it generates as itself',
    (_, category) => {
      for (const item of category.items) {
        expect(
          classifyObject(normalizeText(`${category.prefix} ${item} para atender às demandas da unidade`))?.key,
        ).toBe(category.key);
      }
    },
  );

  it('leaves unknown objetos unclassified', () => {
    expect(classifyObject(normalizeText('Serviços de tradução juramentada'))).toBeNull();
  });
});
