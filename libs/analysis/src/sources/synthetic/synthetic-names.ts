import { BRAZILIAN_STATES, ORGAOS, type OrgaoEntry } from '../../catalog/orgaos.catalog.js';
import { cnpjWithCheckDigits, formatCnpj } from '../../text/cnpj.formatter.js';
import type { Fornecedor, UnidadeGestora } from '../../model/contract.model.js';
import { cumulativeOf, pickWeighted, type CounterRandom } from './counter-random.prng.js';
import { S } from './synthetic-streams.js';

const STEMS = [
  'Alfa',
  'Nova',
  'Vita',
  'Medi',
  'Tecno',
  'Prime',
  'Sul',
  'Norte',
  'Brasil',
  'Uni',
  'Max',
  'Real',
  'Centro',
  'Lider',
  'Atlas',
  'Orion',
  'Vale',
  'Serra',
  'Porto',
  'Delta',
];
const ENDINGS = ['med', 'tec', 'log', 'serv', 'com', 'sys', 'farma', 'lar', 'bras', 'plan'];
const TRADES = [
  'Comércio',
  'Serviços',
  'Distribuidora',
  'Soluções',
  'Engenharia',
  'Tecnologia',
  'Indústria',
  'Consultoria',
];
const SUFFIXES = ['Ltda', 'S.A.', 'Eireli', 'ME', 'EPP', 'Ltda'];

/** Relative number of managing units per ministry: health and education dominate federal buying. */
const ORGAO_WEIGHTS: Readonly<Record<string, number>> = {
  '36000': 20,
  '26000': 22,
  '52000': 12,
  '30000': 7,
  '39000': 5,
  '25000': 5,
  '22000': 4,
};
const PRINCIPAL_ORGAOS: readonly string[] = ['36000', '26000', '52000', '30000', '39000', '25000', '22000'];
const ORGAO_CUMULATIVE = cumulativeOf(ORGAOS.map((orgao) => ORGAO_WEIGHTS[orgao.codigo] ?? 2));

const pickFrom = <T>(items: readonly T[], index: number): T => {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pickFrom on an empty list');
  return item;
};

/**
 * The largest buyers belong to the big-spending ministries, one each, so that even a small
 * world has contracts for a question about Saúde or Educação.
 */
function principalOrgao(buyerIndex: number): OrgaoEntry | undefined {
  const codigo = PRINCIPAL_ORGAOS[buyerIndex];
  return codigo === undefined ? undefined : ORGAOS.find((o) => o.codigo === codigo);
}

export function syntheticUnit(rng: CounterRandom, buyerIndex: number): UnidadeGestora {
  const orgao: OrgaoEntry =
    principalOrgao(buyerIndex) ??
    pickFrom(ORGAOS, pickWeighted(ORGAO_CUMULATIVE, rng.uniform(buyerIndex, S.buyerOrgao)));
  const kind = pickFrom(orgao.unitKinds, rng.u32(buyerIndex, S.buyerKind));
  const state = pickFrom(BRAZILIAN_STATES, rng.u32(buyerIndex, S.buyerState));
  return {
    codigo: `${orgao.ugPrefix}${String(buyerIndex).padStart(4, '0')}`,
    nome: `${kind} - ${state}`,
    orgaoMaximo: { codigo: orgao.codigo, sigla: orgao.sigla, nome: orgao.nome },
  };
}

/** CNPJ roots are an injective function of the vendor index, so two vendors never share one. */
export function syntheticVendor(rng: CounterRandom, vendorIndex: number, rootOffset: number): Fornecedor {
  const name = rng.u32(vendorIndex, S.vendorName);
  const stem = pickFrom(STEMS, name);
  const ending = pickFrom(ENDINGS, name >>> 8);
  const trade = pickFrom(TRADES, name >>> 16);
  const suffix = pickFrom(SUFFIXES, rng.u32(vendorIndex, S.vendorSuffix));
  const root = String((vendorIndex * 7919 + rootOffset) % 100_000_000).padStart(8, '0');
  const cnpj = formatCnpj(cnpjWithCheckDigits(`${root}0001`)) ?? '';
  return { nome: `${stem}${ending} ${trade} ${suffix}`, cnpjFormatado: cnpj };
}
