import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditLogUnavailableError, CommandBusUnavailableError, EventStoreUnavailableError, type Logger } from '#platform';
import { ApiError } from './api-error.js';

interface ErrorBody {
  error_code: string;
  message: string;
  details?: unknown;
}

const RETRY_AFTER_SECONDS = 5;

/** Maps any error to the wire shape `{ error_code, message }` with the right status. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: { error_code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) },
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfter: error.retryAfterSeconds }),
    };
  }
  // Nothing was changed: a dependency refused before anything was accepted or written.
  if (error instanceof CommandBusUnavailableError) {
    return { status: 503, body: { error_code: 'SERVICE_UNAVAILABLE', message: 'the service is temporarily unavailable; retry shortly' }, retryAfter: RETRY_AFTER_SECONDS };
  }
  if (error instanceof EventStoreUnavailableError) {
    return { status: 503, body: { error_code: 'STORE_UNAVAILABLE', message: 'the event store is temporarily unreachable; retry shortly' }, retryAfter: RETRY_AFTER_SECONDS };
  }
  if (error instanceof AuditLogUnavailableError) {
    return { status: 503, body: { error_code: 'AUDIT_LOG_UNAVAILABLE', message: 'the audit log is temporarily unreachable; retry shortly' }, retryAfter: RETRY_AFTER_SECONDS };
  }
  const bodyParserType = (error as { type?: unknown }).type;
  if (bodyParserType === 'entity.parse.failed') return { status: 400, body: { error_code: 'INVALID_JSON', message: 'the request body is not valid JSON' } };
  if (bodyParserType === 'entity.too.large') return { status: 413, body: { error_code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' } };
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') {
    return { status: 415, body: { error_code: 'UNSUPPORTED_ENCODING', message: 'the request body encoding is not supported' } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { error_code: status === 404 ? 'NOT_FOUND' : `HTTP_${status}`, message: error.message } };
  }
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'unexpected server error' } };
}

export function sendError(res: Response, error: unknown, logger?: Logger, req?: Request): void {
  const { status, body, retryAfter } = toErrorResponse(error);
  // The path without its query: ?token= carries credentials that must not reach the logs.
  if (status >= 500) logger?.error({ err: error, path: req?.path }, 'request failed');
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
