import { categoryByKey, type ObjectCategory } from '../catalog/object-categories.catalog.js';
import type { InvestigationFilters } from '../model/investigation-filters.model.js';
import { formatCnpj } from '../text/cnpj.formatter.js';
import { classifyObject } from '../text/object-category.classifier.js';
import { normalizeText, tokenize } from '../text/text.normalizer.js';
import { extractValueRange } from './money.parser.js';
import { extractOrgao } from './orgao.matcher.js';
import { extractPeriod } from './period.parser.js';
import { TextConsumer } from './text-consumer.js';

export interface ParsedQuery {
  readonly filters: InvestigationFilters;
  /** Words left once filters are taken out: what the citizen wants to find in the objetos. */
  readonly keywords: string[];
  /** Object category key of the catalog (e.g. 'medicamentos'), when the query names one. */
  readonly category?: string;
}

const CNPJ = /\b\d{2}\.?\d{3}\.?\d{3}\/?\d{4}-?\d{2}\b/g;
/** Words every query has that say nothing about what to look for. */
const QUERY_WORDS = new Set([
  'contratos',
  'contrato',
  'compras',
  'compra',
  'gastos',
  'gasto',
  'despesas',
  'licitacoes',
  'acima',
  'abaixo',
  'entre',
  'valor',
  'valores',
  'reais',
  'ano',
  'anos',
  'mes',
  'meses',
  'ministerio',
  'orgao',
  'fornecedor',
  'empresa',
  'cnpj',
  'investigar',
  'investigue',
  'analisar',
  'analise',
  'mostre',
  'mostrar',
  'quais',
  'liste',
  'listar',
  'encontre',
  'verifique',
  'verificar',
  'buscar',
  'busque',
  'suspeitos',
  'suspeitas',
  'anomalias',
  'irregularidades',
  'assinados',
  'feitos',
  'realizados',
  'ate',
  'desde',
  'partir',
  'mais',
  'menos',
  'que',
  'federal',
  'governo',
  'todos',
  'todas',
]);
/** Query words the object catalog patterns do not cover. */
const CATEGORY_SYNONYMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(tecnologia da informacao|ti)\b/g, 'ti_software'],
  [/\bremedios?\b/g, 'medicamentos'],
  [/\bseguranca patrimonial\b/g, 'vigilancia'],
];

/**
 * Turns a Portuguese question ("Contratos de saúde acima de R$ 1 milhão em 2024") into
 * filters, accent- and case-insensitively. Order matters: CNPJs and dates are read before
 * amounts so that their digits are not taken for money.
 */
export function parseInvestigationQuery(query: string): ParsedQuery {
  const text = new TextConsumer(normalizeText(query ?? ''));
  const filters: InvestigationFilters = {};
  text.consume(CNPJ, (match) => {
    const cnpj = formatCnpj(match[0]);
    if (!cnpj || filters.cnpj) return false;
    filters.cnpj = cnpj;
    return true;
  });
  const period = extractPeriod(text);
  if (period.start) filters.start_date = period.start;
  if (period.end) filters.end_date = period.end;
  const values = extractValueRange(text);
  if (values.min !== undefined) filters.min_value = values.min;
  if (values.max !== undefined) filters.max_value = values.max;
  const category = extractCategory(text);
  const orgao = extractOrgao(text);
  if (orgao) filters.orgao = orgao;
  const keywords = tokenize(text.text).filter(
    (word) => word.length > 2 && !QUERY_WORDS.has(word) && !/^\d+$/.test(word),
  );
  return { filters, keywords, ...(category ? { category: category.key } : {}) };
}

/** The filters an investigation runs with: the query's, where the request gave none of its own. */
export function requestFilters(query: string, explicit: InvestigationFilters): InvestigationFilters {
  return { ...parseInvestigationQuery(query).filters, ...explicit };
}

function extractCategory(text: TextConsumer): ObjectCategory | undefined {
  let found: ObjectCategory | undefined;
  for (const [pattern, key] of CATEGORY_SYNONYMS) {
    text.consume(pattern, () => {
      found ??= categoryByKey(key);
      return true;
    });
  }
  return found ?? classifyObject(text.text) ?? undefined;
}
