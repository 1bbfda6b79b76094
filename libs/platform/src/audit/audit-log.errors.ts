/** The audit log's database cannot be reached: retry later; nothing was recorded or read. */
export class AuditLogUnavailableError extends Error {
  override readonly name = 'AuditLogUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
