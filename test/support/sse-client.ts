/** A minimal SSE reader over fetch, as the seed's JavaScript client reads streams. */
export interface SseFrame {
  readonly id: string | undefined;
  readonly data: Record<string, unknown>;
}

export interface SseSession {
  readonly status: number;
  readonly headers: Headers;
  /** Raw text received, for wire-format assertions. */
  readonly raw: () => string;
  /** Resolves with every frame once the server ends the stream. */
  readonly done: Promise<SseFrame[]>;
  /** Resolves once `count` frames arrived (or the stream ended). */
  waitFor(count: number): Promise<SseFrame[]>;
  close(): void;
}

/** One SSE block's event: its id and its `data:` lines as JSON; null for a block without data (a comment, `retry:`). */
export function parseSseFrame(block: string): SseFrame | null {
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length ? { id, data: JSON.parse(data.join('\n')) as Record<string, unknown> } : null;
}

/** `onFrame`: each frame as it arrives, so a caller keeps what it got even when the connection then breaks. */
export async function openSse(
  url: string,
  init: RequestInit = {},
  onFrame?: (frame: SseFrame) => void,
): Promise<SseSession> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const frames: SseFrame[] = [];
  const waiters: Array<{ count: number; resolve: (f: SseFrame[]) => void }> = [];
  let raw = '';
  let ended = false;
  const notify = () => {
    for (const w of [...waiters]) {
      if (ended || frames.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve([...frames]);
      }
    }
  };
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        raw += text;
        buffer += text;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = parseSseFrame(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (frame) {
            frames.push(frame);
            onFrame?.(frame);
          }
        }
        notify();
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      ended = true;
      notify();
    }
    return frames;
  })();
  return {
    status: response.status,
    headers: response.headers,
    raw: () => raw,
    done,
    waitFor: (count) =>
      new Promise((resolve) => {
        waiters.push({ count, resolve });
        notify();
      }),
    close: () => controller.abort(),
  };
}
