import type { AgentProfile } from '../agents/agent.registry.js';
import { AGENTS } from '../agents/agent.registry.js';
import type { Intent } from '../intent/intent.model.js';

const EXAMPLES = [
  '"Quero investigar os contratos da saúde acima de R$ 1 milhão"',
  '"Como está a investigação?"',
  '"Explique a anomalia mais grave"',
];

const introduce = (agent: AgentProfile): string =>
  `Sou ${agent.name}, ${agent.role} do Cidadão.AI: ${agent.description}.`;

const CAPABILITIES = [
  '- **investigar** contratos públicos federais, por órgão, período, valor ou fornecedor (CNPJ);',
  '- **acompanhar** uma investigação em andamento, com o progresso e as anomalias ao vivo;',
  '- **explicar** cada anomalia encontrada: sobrepreço, concentração de fornecedores, fracionamento de compras e outras;',
  '- apresentar os **agentes** do Cidadão.AI e o que cada um faz.',
].join('\n');

function help(agent: AgentProfile): string {
  return [
    `Claro! ${introduce(agent)}`,
    '',
    'Posso ajudar você a:',
    CAPABILITIES,
    '',
    `Experimente perguntar: ${EXAMPLES.join(', ')}.`,
  ].join('\n');
}

function about(agent: AgentProfile): string {
  const roster = AGENTS.map((a) => `- **${a.name}** (${a.role}): ${a.description}`).join('\n');
  return [
    `O Cidadão.AI é um sistema aberto de transparência: agentes de inteligência artificial investigam contratos públicos brasileiros, procuram anomalias e explicam o que encontraram, passo a passo e ao vivo. ${introduce(agent)}`,
    '',
    `Somos ${AGENTS.length} agentes, cada um com nome de uma figura brasileira:`,
    roster,
    '',
    'Os dados vêm do Portal da Transparência do Governo Federal. Uma anomalia é um indício para aprofundar, não uma prova de irregularidade.',
  ].join('\n');
}

/** Answers for the intents that need no facts beyond the agents themselves. */
export function composeSmallTalk(
  intent: Exclude<Intent, 'investigate' | 'investigation_status' | 'explain_anomaly'>,
  agent: AgentProfile,
): string {
  switch (intent) {
    case 'greeting':
      return `Olá! ${introduce(agent)}\n\nPosso investigar contratos públicos, acompanhar investigações e explicar as anomalias encontradas. Por exemplo: ${EXAMPLES[0]}. Como posso ajudar?`;
    case 'thanks':
      return 'De nada! Fico feliz em ajudar a tornar os gastos públicos mais transparentes. Se quiser, posso investigar outros contratos ou explicar alguma anomalia.';
    case 'goodbye':
      return 'Até logo! Suas conversas e investigações ficam guardadas: é só voltar a esta sessão para continuar de onde parou.';
    case 'help_request':
      return help(agent);
    case 'about_system':
      return about(agent);
    case 'unknown':
      return [
        `Desculpe, não tenho certeza do que você precisa. ${introduce(agent)}`,
        '',
        'Posso:',
        CAPABILITIES,
        '',
        `Tente, por exemplo: ${EXAMPLES.join(', ')}.`,
      ].join('\n');
    default: {
      const unexpected: never = intent;
      return String(unexpected);
    }
  }
}
