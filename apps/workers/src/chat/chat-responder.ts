import {
  agentById,
  composeAnomalyExplanation,
  composeInvestigationStatus,
  composeSmallTalk,
  START_REFUSED,
  type ChatMessageState,
  type ChatState,
  type Intent,
} from '#chat';
import { hasPermission, type CommandContext, type Principal } from '#platform';
import type { Causation } from '#eventsourcing';
import { composedOpening, type ChatAnswerWriter } from './chat-answer.writer.js';
import type { ChatFactsReader } from './chat-facts.reader.js';
import type { ChatInvestigationStarter } from './chat-investigation.starter.js';
import type { ChatStep } from './chat-steps.js';
import { chatPrompt } from './llm-prompt.js';

/** Intents answered in conversation: composed from the message alone, or by the model when there is one. */
type SmallTalk = Parameters<typeof composeSmallTalk>[0];
const SMALL_TALK: ReadonlySet<Intent> = new Set<SmallTalk>([
  'greeting',
  'thanks',
  'goodbye',
  'help_request',
  'about_system',
  'unknown',
]);
const isSmallTalk = (intent: Intent): intent is SmallTalk => SMALL_TALK.has(intent);

/** Decides how a routed message is answered: by acting, from the projections, or in conversation. */
export class ChatResponder {
  constructor(
    private readonly facts: ChatFactsReader,
    private readonly writer: ChatAnswerWriter,
    private readonly investigations: ChatInvestigationStarter,
  ) {}

  /**
   * The opening of the answer when the routed message alone decides it (no read, no model,
   * no command): the handler records it in the same append as the message, so the first
   * chunk costs no write of its own and waits for no one's whole answer, its own included.
   * Null: `respond` answers it all.
   */
  immediateOpening(message: ChatMessageState, sender: Principal): ReturnType<typeof composedOpening> {
    const composed = this.immediateText(message, sender);
    return composed === null ? null : composedOpening(message, composed);
  }

  private immediateText(message: ChatMessageState, sender: Principal): string | null {
    const intent: Intent = message.intent ?? 'unknown';
    if (intent === 'investigate') return hasPermission(sender, 'investigation:start') ? null : START_REFUSED;
    if (!isSmallTalk(intent) || this.writer.answersWithModel) return null;
    return composeSmallTalk(intent, agentById(message.agentId ?? 'abaporu'));
  }

  /** `sender`: who sent the message, with the roles the API saw; the answer does what the routes would let them. */
  async respond(
    sessionId: string,
    state: ChatState,
    message: ChatMessageState,
    sender: Principal,
    step: ChatStep,
    causation: Causation,
    context: CommandContext,
  ): Promise<void> {
    const intent: Intent = message.intent ?? 'unknown';
    const agent = agentById(message.agentId ?? 'abaporu');
    const base = { step, message, signal: context.signal };
    const immediate = this.immediateText(message, sender);
    if (immediate !== null) return this.writer.write({ ...base, composed: immediate, prompt: null });
    switch (intent) {
      case 'investigate':
        return this.investigations.start(sessionId, message, step, causation);
      // Facts questions are answered from the read models word for word: no model may round a number.
      case 'investigation_status': {
        const summary = await this.facts.investigationFor(state, message.content, sender);
        return this.writer.write({ ...base, composed: composeInvestigationStatus(summary), prompt: null });
      }
      case 'explain_anomaly': {
        const summary = await this.facts.investigationFor(state, message.content, sender);
        return this.writer.write({
          ...base,
          composed: composeAnomalyExplanation(summary, message.content),
          prompt: null,
        });
      }
      case 'greeting':
      case 'thanks':
      case 'goodbye':
      case 'help_request':
      case 'about_system':
      case 'unknown': {
        const composed = composeSmallTalk(intent, agent);
        const prompt = async () =>
          chatPrompt(agent, composed, await this.facts.history(sessionId), message.messageId, message.content);
        return this.writer.write({ ...base, composed, prompt });
      }
      default: {
        const unexpected: never = intent;
        throw new Error(`unexpected intent ${String(unexpected)}`);
      }
    }
  }
}
