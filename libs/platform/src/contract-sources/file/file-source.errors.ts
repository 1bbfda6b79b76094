/** A file that cannot be read as contracts; the message names the file and the line. */
export class FileContractSourceError extends Error {
  constructor(
    readonly path: string,
    /** 1-based line where the bad record starts, when known. */
    readonly line: number | null,
    message: string,
  ) {
    super(line === null ? `${path}: ${message}` : `${path}, linha ${line}: ${message}`);
    this.name = 'FileContractSourceError';
  }
}
