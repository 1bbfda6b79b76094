import type { EventEmitter } from 'node:events';
import type { Logger } from '../logging/logger.js';

/** One stage of a shutdown; stages run in order, each after the previous one settled. */
export interface ShutdownStep {
  readonly name: string;
  run(): Promise<void> | void;
}

export interface GracefulShutdownOptions {
  readonly logger: Logger;
  readonly steps: readonly ShutdownStep[];
  /** SHUTDOWN_TIMEOUT_MS: past this the process exits with 1 whatever is still running. */
  readonly timeoutMs: number;
  readonly signals?: readonly NodeJS.Signals[];
  /** The process by default; tests hand in their own emitter and exit. */
  readonly emitter?: Pick<EventEmitter, 'on' | 'off'>;
  readonly exit?: (code: number) => void;
}

export interface GracefulShutdown {
  /** Runs the steps once (later calls share the first run), then exits. */
  shutdown(reason: string): Promise<void>;
  /** Stops listening to the signals. */
  dispose(): void;
}

/**
 * SIGTERM/SIGINT run the shutdown steps then exit 0 (1 if a step failed). A second signal,
 * or the timeout, exits 1 at once: an operator who asks twice means it.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { logger, steps, timeoutMs } = options;
  const emitter = options.emitter ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let running: Promise<void> | null = null;

  const runSteps = async (reason: string): Promise<void> => {
    logger.info({ reason, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; forcing exit');
      exit(1);
    }, timeoutMs);
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
        logger.debug({ step: step.name }, 'shutdown step done');
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(timer);
    logger.info({ reason }, 'shutdown complete');
    exit(failed ? 1 : 0);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running) {
      logger.warn({ signal }, 'second signal during shutdown; forcing exit');
      exit(1);
      return;
    }
    running = runSteps(signal);
  };
  for (const signal of signals) emitter.on(signal, onSignal);

  return {
    shutdown: (reason) => (running ??= runSteps(reason)),
    dispose: () => {
      for (const signal of signals) emitter.off(signal, onSignal);
    },
  };
}
