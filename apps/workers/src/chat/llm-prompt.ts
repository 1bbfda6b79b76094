import type { AgentProfile, ChatHistory } from '#chat';
import type { LlmMessage } from '#platform';

const HISTORY_TURNS = 6;
const TURN_CHARS = 2000;

/**
 * What the model is told: who it is, the facts it may use (the answer the composer would
 * give, drawn from the projections), and the last turns of the conversation.
 */
export function chatPrompt(
  agent: AgentProfile,
  facts: string,
  history: ChatHistory,
  messageId: string,
  question: string,
): LlmMessage[] {
  const system = [
    `Você é ${agent.name}, ${agent.role} do Cidadão.AI, um sistema aberto que investiga contratos públicos brasileiros. Você ${agent.description}.`,
    'Responda sempre em português do Brasil, com clareza e brevidade, em markdown simples.',
    'Não invente números, contratos, pessoas nem investigações: use apenas os fatos abaixo e diga quando não souber.',
    '',
    'Fatos:',
    facts,
  ].join('\n');
  const earlier = history.messages
    .filter((turn) => turn.message_id !== messageId && (turn.role === 'user' || turn.status === 'completed'))
    .slice(-HISTORY_TURNS)
    .map((turn): LlmMessage => ({ role: turn.role, content: turn.content.slice(0, TURN_CHARS) }));
  return [{ role: 'system', content: system }, ...earlier, { role: 'user', content: question }];
}
