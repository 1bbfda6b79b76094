import { useRef, useState } from 'preact/hooks';
import { t } from '../i18n/pt-BR';
import { Report } from '../investigation/report';
import { href } from '../ui/router';
import { ask, type ChatSession } from './chat-stream';

interface Turn {
  readonly question: string;
  readonly answer: string;
  readonly intent: string | null;
  readonly agent: string | null;
  readonly done: boolean;
  readonly error: string | null;
}

/** The id of the investigation an answer started, as the answer names it. */
export function investigationIdOf(answer: string): string | null {
  return /Investigação `([^`]+)` solicitada/.exec(answer)?.[1] ?? null;
}

/** Ask the agents in Portuguese; each answer streams in with its intent and agent. */
export function ChatPage() {
  const [turns, setTurns] = useState<readonly Turn[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const chatSession = useRef<ChatSession | null>(null);
  const update = (change: (turn: Turn) => Turn): void =>
    setTurns((all) => [...all.slice(0, -1), change(all[all.length - 1]!)]);

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    const question = text.trim();
    if (question === '' || busy) return;
    setText('');
    setBusy(true);
    setTurns((all) => [...all, { question, answer: '', intent: null, agent: null, done: false, error: null }]);
    const abort = new AbortController();
    try {
      for await (const { message } of ask(
        question,
        chatSession.current,
        abort.signal,
        (s) => (chatSession.current = s),
      )) {
        if (message.type === 'intent') update((turn) => ({ ...turn, intent: message.intent }));
        else if (message.type === 'agent_selected') update((turn) => ({ ...turn, agent: message.agent_name }));
        else if (message.type === 'chunk') update((turn) => ({ ...turn, answer: turn.answer + message.content }));
        else if (message.type === 'complete') update((turn) => ({ ...turn, done: true }));
        else if (message.type === 'error') update((turn) => ({ ...turn, done: true, error: message.message }));
      }
    } catch (error) {
      update((turn) => ({ ...turn, done: true, error: error instanceof Error ? error.message : String(error) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card chat" aria-labelledby="chat-heading">
      <h1 id="chat-heading">{t.chat.heading}</h1>
      <ol class="turns" data-testid="chat-turns">
        {turns.map((turn) => {
          const investigation = investigationIdOf(turn.answer);
          return (
            <li>
              <p class="question">
                <strong>{t.chat.you}:</strong> {turn.question}
              </p>
              <div class="answer" aria-live="polite" aria-busy={!turn.done} data-done={turn.done}>
                <p class="badges">
                  {turn.intent && (
                    <span class="badge" data-testid="intent">
                      {t.chat.intent}: {turn.intent}
                    </span>
                  )}
                  {turn.agent && (
                    <span class="badge agent" data-testid="agent">
                      {t.chat.agent}: {turn.agent}
                    </span>
                  )}
                </p>
                {turn.answer === '' && !turn.done ? (
                  <p>{t.chat.thinking}</p>
                ) : (
                  <Report markdown={turn.answer} testId="chat-answer" />
                )}
                {turn.error && <p class="error">{turn.error}</p>}
                {investigation && (
                  <p>
                    <a href={href.investigation(investigation)}>{t.chat.openInvestigation}</a>
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      <form onSubmit={(e) => void send(e)} class="chat-form">
        <label for="chat-input" class="sr-only">
          {t.chat.placeholder}
        </label>
        <input
          id="chat-input"
          value={text}
          maxLength={4000}
          placeholder={t.chat.placeholder}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          {t.chat.send}
        </button>
      </form>
    </section>
  );
}
