export type PortalErrorCode =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'missing_filter'
  | 'bad_request'
  | 'rate_limited'
  | 'server_error'
  | 'network_error'
  | 'malformed_response';

/** A failure talking to the Portal da Transparência, with what to fix in the message. */
export class PortalTransparenciaError extends Error {
  constructor(
    readonly code: PortalErrorCode,
    message: string,
    /** HTTP status, or null when no response came back. */
    readonly status: number | null = null,
    /** Seconds the Portal asked to wait, when it said so. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'PortalTransparenciaError';
  }
}
