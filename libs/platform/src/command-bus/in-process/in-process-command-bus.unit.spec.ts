import { describe, expect, it } from '@jest/globals';
import type { Logger } from '../../logging/logger.js';
import { Metrics } from '../../metrics/metrics.js';
import { describeCommandBusContract } from '../command-bus.contract.js';
import { PermanentCommandError } from '../command-bus.errors.js';
import { deadLettered, routedCommand, waitFor } from '../command-bus.testing.js';
import { InProcessCommandBus } from './in-process-command-bus.js';

describeCommandBusContract('InProcessCommandBus', async ({ metrics, maxDeliver }) => {
  const bus = new InProcessCommandBus({ metrics, maxDeliver, retryDelayMs: () => 0 });
  return { bus, outstanding: async () => bus.outstanding(), dispose: () => bus.close() };
});

interface LogLine {
  readonly level: string;
  readonly fields: object;
  readonly message?: string;
}

/** Keeps what is logged so a test can read it; child() shares the same lines. */
function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (fields: object, message?: string): void =>
      void lines.push({ level, fields, message });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

describe('InProcessCommandBus', () => {
  it('logs a dead letter as an error naming the command type and id', async () => {
    const lines: LogLine[] = [];
    const metrics = new Metrics();
    const bus = new InProcessCommandBus({ metrics, logger: recordingLogger(lines) });
    const consumption = await bus.consume(
      async () => {
        throw new PermanentCommandError('unknown investigation');
      },
      { concurrency: 1 },
    );
    const sent = routedCommand({ type: 'CancelInvestigation' });

    await bus.send(sent);
    await waitFor(async () => (await deadLettered(metrics)) === 1, 'the dead letter');

    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({
      commandType: 'CancelInvestigation',
      commandId: sent.command.metadata.commandId,
      reason: 'permanent',
    });
    await consumption.stop();
    await bus.close();
  });

  it('forgets commandIds and accepted commands once the duplicate window has passed', async () => {
    let now = 0;
    const bus = new InProcessCommandBus({ duplicateWindowMs: 1000, clock: () => now });
    const sent = routedCommand();

    await bus.send(sent);
    now = 999;
    expect(await bus.send(sent)).toEqual({ duplicate: true });
    expect(await bus.firstAccepted(sent.target, sent.command.type)).toEqual(sent);
    now = 1000;
    expect(await bus.firstAccepted(sent.target, sent.command.type)).toBeNull();
    expect(await bus.send(sent)).toEqual({ duplicate: false });
    await bus.close();
  });

  it('delivers a command that failed while stopping to the next consumption', async () => {
    const bus = new InProcessCommandBus({ retryDelayMs: () => 0 });
    const deliveries: number[] = [];
    const first = await bus.consume(
      async (_message, context) => {
        deliveries.push(context.deliveryCount);
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        throw new Error('interrupted by shutdown');
      },
      { concurrency: 1 },
    );
    await bus.send(routedCommand());
    await waitFor(() => deliveries.length === 1, 'the first delivery');
    await first.stop();

    const second = await bus.consume(async (_message, context) => void deliveries.push(context.deliveryCount), {
      concurrency: 1,
    });

    await waitFor(() => bus.outstanding() === 0, 'the command to be acked');
    expect(deliveries).toEqual([1, 2]);
    await second.stop();
    await bus.close();
  });

  it('refuses a concurrency below one', async () => {
    const bus = new InProcessCommandBus();
    await expect(bus.consume(async () => undefined, { concurrency: 0 })).rejects.toThrow(RangeError);
    await bus.close();
  });
});
