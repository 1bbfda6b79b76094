import { connect, type NatsConnection, type Subscription as NatsSubscription } from '@nats-io/transport-node';
import { Observable, Subject } from 'rxjs';
import type { Logger } from '../logging/logger.js';

/**
 * A signal that is shown, not kept: someone is typing. It never enters the event store
 * (an audit trail of keystrokes helps nobody) and a client that misses one loses nothing.
 */
export interface PresenceSignal {
  /** e.g. `chat.<sessionId>`: letters, digits, `_`, `-` and dots only (a NATS subject tail). */
  readonly room: string;
  /** The connection that sent it, so it is not echoed back to its sender. */
  readonly origin: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface PresenceChannel {
  readonly kind: 'in-process' | 'nats';
  publish(signal: PresenceSignal): void;
  /** Signals of one room from every API process, from now on. */
  signals(room: string): Observable<PresenceSignal>;
  close(): Promise<void>;
}

/** Fans signals out by room, like the live feed does by stream. */
class RoomFanOut {
  private readonly rooms = new Map<string, Subject<PresenceSignal>>();

  emit(signal: PresenceSignal): void {
    this.rooms.get(signal.room)?.next(signal);
  }

  signals(room: string): Observable<PresenceSignal> {
    return new Observable<PresenceSignal>((subscriber) => {
      let subject = this.rooms.get(room);
      if (!subject) {
        subject = new Subject<PresenceSignal>();
        this.rooms.set(room, subject);
      }
      const inner = subject.subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        if (!subject.observed) this.rooms.delete(room);
      };
    });
  }

  completeAll(): void {
    for (const subject of this.rooms.values()) subject.complete();
    this.rooms.clear();
  }
}

/** Embedded mode: one process, so every participant is here. */
export function inProcessPresence(): PresenceChannel {
  const fanOut = new RoomFanOut();
  return {
    kind: 'in-process',
    publish: (signal) => fanOut.emit(signal),
    signals: (room) => fanOut.signals(room),
    close: async () => fanOut.completeAll(),
  };
}

const isSignal = (value: unknown): value is PresenceSignal => {
  const v = value as Partial<PresenceSignal> | null;
  return (
    typeof v?.room === 'string' && typeof v.origin === 'string' && typeof v.payload === 'object' && v.payload !== null
  );
};

/**
 * Distributed mode: participants of one session sit on different API processes. Core NATS
 * (no JetStream: nothing is stored) on `presence.<namespace>.<room>`; one wildcard
 * subscription per process, fanned out locally. The namespace keeps deployments that share
 * a NATS server apart; it must not sit under the commands subject, whose stream would keep them.
 */
export async function natsPresence(servers: string, namespace: string, logger: Logger): Promise<PresenceChannel> {
  const nc: NatsConnection = await connect({ servers, name: `presence-${process.pid}` });
  const fanOut = new RoomFanOut();
  const prefix = `presence.${namespace}.`;
  const subscription: NatsSubscription = nc.subscribe(`${prefix}>`, {
    callback: (error, message) => {
      if (error) return logger.warn({ err: error }, 'presence subscription error');
      try {
        const signal: unknown = message.json();
        if (isSignal(signal)) fanOut.emit(signal);
      } catch (parseError) {
        logger.warn({ err: parseError, subject: message.subject }, 'unreadable presence signal');
      }
    },
  });
  // The server has registered the subscription once flushed: no signal sent after start is lost.
  await nc.flush();
  return {
    kind: 'nats',
    publish: (signal) => {
      if (!nc.isClosed()) nc.publish(`${prefix}${signal.room}`, JSON.stringify(signal));
    },
    signals: (room) => fanOut.signals(room),
    close: async () => {
      subscription.unsubscribe();
      fanOut.completeAll();
      if (!nc.isClosed()) await nc.close();
    },
  };
}
