import { pino, type Logger as Pino } from 'pino';
import type { Logger } from './logger.js';
import { StdoutSink } from './stdout-sink.js';

function wrap(p: Pino): Logger {
  return {
    debug: (obj, msg) => p.debug(obj, msg),
    info: (obj, msg) => p.info(obj, msg),
    warn: (obj, msg) => p.warn(obj, msg),
    error: (obj, msg) => p.error(obj, msg),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

/** Structured JSON logs on stdout, one line each (see StdoutSink). */
export function createPinoLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return wrap(pino({ level, base: { ...bindings }, timestamp: pino.stdTimeFunctions.isoTime }, new StdoutSink()));
}
