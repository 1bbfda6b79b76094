import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditLogUnavailableError, CommandBusUnavailableError, type Logger } from '#platform';
import { EventStoreUnavailableError } from '#eventsourcing';
import { ApiError } from './api-error.js';

interface ErrorBody {
  error_code: string;
  message: string;
  details?: unknown;
}

interface ErrorResponse {
  status: number;
  body: ErrorBody;
  retryAfter?: number;
}

const RETRY_AFTER_SECONDS = 5;

/** Maps any error to the wire shape `{ error_code, message }` with the right status. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: {
        error_code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfter: error.retryAfterSeconds }),
    };
  }
  // Nothing was changed: a dependency refused before anything was accepted or written.
  if (error instanceof CommandBusUnavailableError) {
    return {
      status: 503,
      body: { error_code: 'SERVICE_UNAVAILABLE', message: 'the service is temporarily unavailable; retry shortly' },
      retryAfter: RETRY_AFTER_SECONDS,
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      status: 503,
      body: { error_code: 'STORE_UNAVAILABLE', message: 'the event store is temporarily unreachable; retry shortly' },
      retryAfter: RETRY_AFTER_SECONDS,
    };
  }
  if (error instanceof AuditLogUnavailableError) {
    return {
      status: 503,
      body: { error_code: 'AUDIT_LOG_UNAVAILABLE', message: 'the audit log is temporarily unreachable; retry shortly' },
      retryAfter: RETRY_AFTER_SECONDS,
    };
  }
  const bodyParserType = (error as { type?: unknown }).type;
  if (bodyParserType === 'entity.parse.failed')
    return { status: 400, body: { error_code: 'INVALID_JSON', message: 'the request body is not valid JSON' } };
  if (bodyParserType === 'entity.too.large')
    return { status: 413, body: { error_code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' } };
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') {
    return {
      status: 415,
      body: { error_code: 'UNSUPPORTED_ENCODING', message: 'the request body encoding is not supported' },
    };
  }
  const unreadable = unreadableBody(error);
  if (unreadable) return unreadable;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { error_code: status === 404 ? 'NOT_FOUND' : `HTTP_${status}`, message: error.message } };
  }
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'unexpected server error' } };
}

/**
 * The body parser's other refusals (a corrupt gzip, deflate or br body, a body cut short)
 * are the client's errors: http-errors marks them `expose` with a 4xx status.
 */
function unreadableBody(error: unknown): ErrorResponse | null {
  const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return null;
  if (status === 413)
    return { status, body: { error_code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' } };
  return {
    status: 400,
    body: { error_code: 'INVALID_BODY', message: `the request body could not be read: ${String(message)}` },
  };
}

export function sendError(res: Response, error: unknown, logger?: Logger, req?: Request): void {
  const { status, body, retryAfter } = toErrorResponse(error);
  // The path without its query: ?token= carries credentials that must not reach the logs.
  // A 503 is a dependency or capacity the client waits out (Retry-After); any other 5xx is a defect.
  if (status === 503) logger?.warn({ err: error, path: req?.path }, 'request refused');
  else if (status >= 500) logger?.error({ err: error, path: req?.path }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  res.status(status).json(body);
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(http.getResponse<Response>(), exception, this.logger, http.getRequest<Request>());
  }
}
