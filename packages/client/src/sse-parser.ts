/** One event as the SSE spec dispatches it: `data` lines joined, the last `id` seen. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly data: string;
}

/** What one chunk of text yielded: complete events, and a new `retry:` if the server sent one. */
export interface SseChunk {
  readonly events: SseEvent[];
  readonly retryMs: number | undefined;
}

/**
 * Incremental parser of `text/event-stream` (WHATWG HTML, "Parsing an event stream"): LF,
 * CRLF or CR line ends, `:` comments (keepalives), `field: value` with one optional space,
 * events dispatched on a blank line, and nothing dispatched without data. Chunks may split
 * anywhere, even inside a line ending.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private id: string | undefined;
  private pendingCr = false;

  push(text: string): SseChunk {
    const events: SseEvent[] = [];
    let retryMs: number | undefined;
    let input = text;
    // A CR that ended the previous chunk already ended its line: a LF right after it is part of it.
    if (this.pendingCr && input.startsWith('\n')) input = input.slice(1);
    this.pendingCr = input.endsWith('\r');
    this.buffer += input;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0) events.push({ id: this.id, data: this.data.join('\n') });
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const raw = colon < 0 ? '' : line.slice(colon + 1);
      const value = raw.startsWith(' ') ? raw.slice(1) : raw;
      if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    return { events, retryMs };
  }
}
