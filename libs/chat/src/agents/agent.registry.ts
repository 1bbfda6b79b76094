import type { Intent } from '../intent/intent.model.js';

export interface AgentProfile {
  readonly id: string;
  readonly name: string;
  /** What the agent does, in Portuguese, as users are told. */
  readonly role: string;
  readonly description: string;
}

/** The agents of Cidadão.AI, named after Brazilian figures. */
export const AGENTS: readonly AgentProfile[] = [
  {
    id: 'abaporu',
    name: 'Abaporu',
    role: 'orquestrador',
    description: 'coordena os outros agentes e planeja cada investigação',
  },
  {
    id: 'zumbi',
    name: 'Zumbi dos Palmares',
    role: 'investigador',
    description: 'investiga contratos e detecta anomalias como sobrepreço e concentração de fornecedores',
  },
  {
    id: 'anita',
    name: 'Anita Garibaldi',
    role: 'analista',
    description: 'analisa padrões e tendências de gastos ao longo do tempo',
  },
  {
    id: 'tiradentes',
    name: 'Tiradentes',
    role: 'relator',
    description: 'escreve os relatórios das investigações em linguagem clara',
  },
  {
    id: 'drummond',
    name: 'Carlos Drummond de Andrade',
    role: 'comunicador',
    description: 'conversa com você e explica os resultados de forma acessível',
  },
  {
    id: 'machado',
    name: 'Machado de Assis',
    role: 'analista textual',
    description: 'lê o texto de contratos e editais em busca de cláusulas problemáticas',
  },
  {
    id: 'bonifacio',
    name: 'José Bonifácio',
    role: 'analista de políticas públicas',
    description: 'avalia a efetividade das políticas e programas públicos',
  },
  {
    id: 'maria_quiteria',
    name: 'Maria Quitéria',
    role: 'guardiã de segurança',
    description: 'audita a segurança e a integridade do sistema e dos dados',
  },
  {
    id: 'oxossi',
    name: 'Oxóssi',
    role: 'caçador de fraudes',
    description: 'rastreia fraudes e esquemas entre fornecedores',
  },
  {
    id: 'dandara',
    name: 'Dandara dos Palmares',
    role: 'analista de justiça social',
    description: 'verifica a equidade na distribuição dos recursos públicos',
  },
  {
    id: 'lampiao',
    name: 'Lampião',
    role: 'analista regional',
    description: 'compara gastos entre regiões e estados do Brasil',
  },
  {
    id: 'nana',
    name: 'Nanã',
    role: 'memória',
    description: 'guarda o contexto das conversas e das investigações anteriores',
  },
  {
    id: 'ceuci',
    name: 'Ceuci',
    role: 'analista preditiva',
    description: 'projeta tendências e prevê riscos de gastos futuros',
  },
  {
    id: 'obaluaie',
    name: 'Obaluaiê',
    role: 'detector de corrupção',
    description: 'procura sinais sistêmicos de corrupção nas contratações',
  },
  {
    id: 'senna',
    name: 'Ayrton Senna',
    role: 'roteador semântico',
    description: 'entende a sua pergunta e a encaminha ao agente certo',
  },
];

const BY_ID: ReadonlyMap<string, AgentProfile> = new Map(AGENTS.map((agent) => [agent.id, agent]));

export const isAgentId = (id: string): boolean => BY_ID.has(id);

export function agentById(id: string): AgentProfile {
  const agent = BY_ID.get(id);
  if (!agent) throw new RangeError(`unknown agent ${id}`);
  return agent;
}

const AGENT_FOR_INTENT: Readonly<Record<Intent, string>> = {
  greeting: 'drummond',
  thanks: 'drummond',
  goodbye: 'drummond',
  help_request: 'drummond',
  about_system: 'drummond',
  investigate: 'zumbi',
  investigation_status: 'zumbi',
  explain_anomaly: 'zumbi',
  unknown: 'abaporu',
};

export interface AgentChoice {
  readonly agent: AgentProfile;
  readonly reason: 'requested' | 'intent';
}

/** Small talk goes to Drummond, investigations to Zumbi, the rest to Abaporu; an explicit agent wins. */
export function routeToAgent(intent: Intent, requestedAgentId?: string | null): AgentChoice {
  if (requestedAgentId && isAgentId(requestedAgentId))
    return { agent: agentById(requestedAgentId), reason: 'requested' };
  return { agent: agentById(AGENT_FOR_INTENT[intent]), reason: 'intent' };
}
