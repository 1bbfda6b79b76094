/** Where a record starts in its file: enough to resume reading there without reading before it. */
export interface Position {
  /** Byte offset. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
}

export interface RawRecord {
  readonly value: unknown;
  readonly at: Position;
}

/** Reads the records of one file format from a position (a record start, or the file start). */
export interface RecordReader {
  read(path: string, from: Position | null): AsyncGenerator<RawRecord>;
}

export const FILE_START: Position = { offset: 0, line: 1 };
