import { ORGAOS } from '../catalog/orgaos.catalog.js';
import type { TextConsumer } from './text-consumer.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every alias of every ministry, longest first, so "ministerio da saude" wins over "saude". */
const ALIASES: ReadonlyArray<readonly [RegExp, string]> = ORGAOS.flatMap((orgao) =>
  [...orgao.aliases, orgao.sigla.toLowerCase()].map((alias) => [alias, orgao.codigo] as const),
)
  .filter(([alias]) => alias.length > 2)
  .sort((a, b) => b[0].length - a[0].length)
  .map(([alias, codigo]) => [new RegExp(`\\b${escape(alias)}\\b`, 'g'), codigo] as const);

const EXPLICIT_CODE = /\b(?:orgao|codigo|siafi)\s*(?:siafi\s*)?(?:n[oº]?\s*)?(\d{5})\b/g;

/** The SIAFI code of the ministry a normalised query names ("órgão 36000", "Ministério da Saúde", "MEC"); the first named wins. */
export function extractOrgao(text: TextConsumer): string | undefined {
  let codigo: string | undefined;
  let position = Infinity;
  text.consume(EXPLICIT_CODE, (match) => {
    if (codigo) return false;
    codigo = match[1];
    position = -1;
    return true;
  });
  for (const [pattern, code] of ALIASES) {
    text.consume(pattern, (match) => {
      if (match.index < position) {
        codigo = code;
        position = match.index;
      }
      return true;
    });
  }
  return codigo;
}
