import type { OrgaoMaximo } from '../model/contract.model.js';

export interface OrgaoEntry extends OrgaoMaximo {
  /** Accent-free lower-case names a citizen may type ("saude", "ministerio da saude", "mec"); longer ones are tried first. */
  readonly aliases: readonly string[];
  /** First digits of the SIAFI codes of its managing units (UG), for realistic synthetic units. */
  readonly ugPrefix: string;
  /** Kinds of managing units it runs, used to name synthetic ones. */
  readonly unitKinds: readonly string[];
}

/** Órgãos superiores with their SIAFI codes as used by the Portal da Transparência's `codigoOrgao`. */
export const ORGAOS: readonly OrgaoEntry[] = [
  {
    codigo: '36000',
    sigla: 'MS',
    nome: 'Ministério da Saúde',
    aliases: ['saude', 'ministerio da saude', 'sus'],
    ugPrefix: '25',
    unitKinds: ['Hospital Federal', 'Núcleo Estadual do Ministério da Saúde', 'Distrito Sanitário Especial Indígena'],
  },
  {
    codigo: '26000',
    sigla: 'MEC',
    nome: 'Ministério da Educação',
    aliases: ['educacao', 'ministerio da educacao', 'mec'],
    ugPrefix: '15',
    unitKinds: ['Universidade Federal', 'Instituto Federal', 'Colégio Pedro II - Campus'],
  },
  {
    codigo: '52000',
    sigla: 'MD',
    nome: 'Ministério da Defesa',
    aliases: ['defesa', 'ministerio da defesa', 'forcas armadas', 'exercito', 'marinha', 'aeronautica'],
    ugPrefix: '16',
    unitKinds: ['Comando da Região Militar', 'Base Naval', 'Base Aérea'],
  },
  {
    codigo: '30000',
    sigla: 'MJSP',
    nome: 'Ministério da Justiça e Segurança Pública',
    aliases: ['justica', 'seguranca publica', 'ministerio da justica', 'mjsp', 'policia federal'],
    ugPrefix: '20',
    unitKinds: ['Superintendência Regional da Polícia Federal', 'Superintendência da Polícia Rodoviária Federal'],
  },
  {
    codigo: '39000',
    sigla: 'MT',
    nome: 'Ministério dos Transportes',
    aliases: ['transportes', 'ministerio dos transportes', 'dnit', 'rodovias'],
    ugPrefix: '39',
    unitKinds: ['Superintendência Regional do DNIT'],
  },
  {
    codigo: '25000',
    sigla: 'MF',
    nome: 'Ministério da Fazenda',
    aliases: ['fazenda', 'ministerio da fazenda', 'receita federal'],
    ugPrefix: '17',
    unitKinds: ['Superintendência Regional da Receita Federal'],
  },
  {
    codigo: '22000',
    sigla: 'MAPA',
    nome: 'Ministério da Agricultura e Pecuária',
    aliases: ['agricultura', 'pecuaria', 'ministerio da agricultura', 'mapa'],
    ugPrefix: '13',
    unitKinds: ['Superintendência Federal de Agricultura'],
  },
  {
    codigo: '55000',
    sigla: 'MDS',
    nome: 'Ministério do Desenvolvimento e Assistência Social, Família e Combate à Fome',
    aliases: ['desenvolvimento social', 'assistencia social', 'mds', 'combate a fome'],
    ugPrefix: '55',
    unitKinds: ['Superintendência Regional do MDS'],
  },
  {
    codigo: '24000',
    sigla: 'MCTI',
    nome: 'Ministério da Ciência, Tecnologia e Inovação',
    aliases: ['ciencia e tecnologia', 'ministerio da ciencia', 'ciencia', 'mcti'],
    ugPrefix: '24',
    unitKinds: ['Instituto Nacional de Pesquisa', 'Centro de Tecnologia'],
  },
  {
    codigo: '44000',
    sigla: 'MMA',
    nome: 'Ministério do Meio Ambiente e Mudança do Clima',
    aliases: ['meio ambiente', 'ministerio do meio ambiente', 'mma', 'ibama'],
    ugPrefix: '19',
    unitKinds: ['Superintendência do IBAMA'],
  },
  {
    codigo: '53000',
    sigla: 'MIDR',
    nome: 'Ministério da Integração e do Desenvolvimento Regional',
    aliases: ['integracao', 'desenvolvimento regional', 'midr'],
    ugPrefix: '53',
    unitKinds: ['Coordenadoria Regional de Defesa Civil'],
  },
  {
    codigo: '56000',
    sigla: 'MCID',
    nome: 'Ministério das Cidades',
    aliases: ['cidades', 'ministerio das cidades', 'mcid'],
    ugPrefix: '56',
    unitKinds: ['Secretaria Nacional de Habitação - Regional'],
  },
  {
    codigo: '32000',
    sigla: 'MME',
    nome: 'Ministério de Minas e Energia',
    aliases: ['minas e energia', 'ministerio de minas e energia', 'mme'],
    ugPrefix: '32',
    unitKinds: ['Superintendência de Minas e Energia'],
  },
  {
    codigo: '35000',
    sigla: 'MRE',
    nome: 'Ministério das Relações Exteriores',
    aliases: ['relacoes exteriores', 'itamaraty', 'mre'],
    ugPrefix: '35',
    unitKinds: ['Escritório de Representação do Itamaraty'],
  },
  {
    codigo: '42000',
    sigla: 'MinC',
    nome: 'Ministério da Cultura',
    aliases: ['cultura', 'ministerio da cultura', 'minc'],
    ugPrefix: '42',
    unitKinds: ['Superintendência do IPHAN'],
  },
  {
    codigo: '54000',
    sigla: 'MTur',
    nome: 'Ministério do Turismo',
    aliases: ['turismo', 'ministerio do turismo', 'mtur'],
    ugPrefix: '54',
    unitKinds: ['Escritório Regional do Turismo'],
  },
  {
    codigo: '37000',
    sigla: 'CGU',
    nome: 'Controladoria-Geral da União',
    aliases: ['controladoria', 'cgu', 'controladoria geral da uniao'],
    ugPrefix: '37',
    unitKinds: ['Controladoria Regional da União'],
  },
  {
    codigo: '20000',
    sigla: 'PR',
    nome: 'Presidência da República',
    aliases: ['presidencia', 'presidencia da republica', 'planalto'],
    ugPrefix: '11',
    unitKinds: ['Secretaria da Presidência'],
  },
];

const BY_CODE = new Map(ORGAOS.map((orgao) => [orgao.codigo, orgao]));

export function orgaoByCode(codigo: string): OrgaoEntry | undefined {
  return BY_CODE.get(codigo);
}

export const BRAZILIAN_STATES = [
  'Acre',
  'Alagoas',
  'Amapá',
  'Amazonas',
  'Bahia',
  'Ceará',
  'Distrito Federal',
  'Espírito Santo',
  'Goiás',
  'Maranhão',
  'Mato Grosso',
  'Mato Grosso do Sul',
  'Minas Gerais',
  'Pará',
  'Paraíba',
  'Paraná',
  'Pernambuco',
  'Piauí',
  'Rio de Janeiro',
  'Rio Grande do Norte',
  'Rio Grande do Sul',
  'Rondônia',
  'Roraima',
  'Santa Catarina',
  'São Paulo',
  'Sergipe',
  'Tocantins',
] as const;
