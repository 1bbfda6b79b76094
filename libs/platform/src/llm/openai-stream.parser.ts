/** What one `data:` line of an OpenAI-compatible stream says. */
export type OpenAiStreamItem =
  | { readonly kind: 'delta'; readonly content: string; readonly finished: boolean }
  | { readonly kind: 'usage'; readonly promptTokens: number; readonly completionTokens: number }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'malformed'; readonly line: string };

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;

/** Reads the JSON of one `data:` payload; a chunk may carry a delta, usage figures, or both. */
function itemsOf(json: Record<string, unknown>): OpenAiStreamItem[] {
  const error = record(json.error);
  if (error)
    return [{ kind: 'error', message: typeof error.message === 'string' ? error.message : JSON.stringify(error) }];
  const items: OpenAiStreamItem[] = [];
  const choice = Array.isArray(json.choices) ? record(json.choices[0]) : null;
  if (choice) {
    const delta = record(choice.delta);
    const content = typeof delta?.content === 'string' ? delta.content : '';
    const finished = typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0;
    if (content || finished) items.push({ kind: 'delta', content, finished });
  }
  const usage = record(json.usage);
  if (usage)
    items.push({
      kind: 'usage',
      promptTokens: count(usage.prompt_tokens),
      completionTokens: count(usage.completion_tokens),
    });
  return items;
}

/** One line of the event stream; comments, `event:` and `id:` lines say nothing here. */
export function parseStreamLine(line: string): OpenAiStreamItem[] {
  if (!line.startsWith('data:')) return [];
  const payload = line.slice(5).trim();
  if (payload === '') return [];
  if (payload === '[DONE]') return [{ kind: 'done' }];
  try {
    const json = record(JSON.parse(payload));
    return json ? itemsOf(json) : [{ kind: 'malformed', line }];
  } catch {
    return [{ kind: 'malformed', line }];
  }
}

/** Follows one completion line by line: the tokens to pass on, and what the end needs to know. */
export class CompletionTracker {
  finished = false;
  usage: { promptTokens: number; completionTokens: number } | null = null;
  written = 0;
  malformed = 0;

  /** The tokens of one line; an error reported inside the stream is thrown as `upstreamError`. */
  tokensOf(line: string, upstreamError: (message: string) => Error): string[] {
    const tokens: string[] = [];
    for (const item of parseStreamLine(line)) {
      if (item.kind === 'delta') {
        this.finished ||= item.finished;
        this.written += item.content.length;
        if (item.content) tokens.push(item.content);
      } else if (item.kind === 'usage')
        this.usage = { promptTokens: item.promptTokens, completionTokens: item.completionTokens };
      else if (item.kind === 'done') this.finished = true;
      else if (item.kind === 'error') throw upstreamError(item.message);
      else this.malformed += 1;
    }
    return tokens;
  }
}

/** Splits decoded text into complete lines, keeping the unfinished tail for the next piece. */
export class LineSplitter {
  private tail = '';

  push(text: string): string[] {
    const lines = (this.tail + text).split(/\r?\n/);
    this.tail = lines.pop() ?? '';
    return lines;
  }

  flush(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest ? [rest] : [];
  }
}
