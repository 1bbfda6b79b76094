/**
 * Text being parsed: each recognizer blanks what it used, so later ones (and the keyword
 * list) do not read the same words again. Blanking keeps every other offset unchanged.
 */
export class TextConsumer {
  constructor(private current: string) {}

  get text(): string {
    return this.current;
  }

  /** Calls `handle` for every match of a global pattern; a match is blanked when `handle` returns true. */
  consume(pattern: RegExp, handle: (match: RegExpExecArray) => boolean): void {
    const matches = [...this.current.matchAll(pattern)];
    for (const match of matches) {
      if (!handle(match)) continue;
      const start = match.index;
      const end = start + match[0].length;
      this.current = `${this.current.slice(0, start)}${' '.repeat(end - start)}${this.current.slice(end)}`;
    }
  }
}
