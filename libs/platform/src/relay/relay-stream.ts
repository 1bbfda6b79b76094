import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { CloudEvent } from '#audit';

/** The stream's last message: its stream sequence and the store position of the event it carries. */
export interface StreamTail {
  readonly sequence: number;
  readonly position: number;
}

const TWO_MINUTES_NS = 2 * 60 * 1_000_000_000;

/** Creates the stream when missing; an existing one (perhaps configured by hand) is left as is. */
export async function ensureStream(jsm: JetStreamManager, streamName: string, subjectPrefix: string): Promise<void> {
  try {
    await jsm.streams.info(streamName);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    // Relays starting together may both get here; adding an identical config is idempotent.
    await jsm.streams.add({ name: streamName, subjects: [`${subjectPrefix}.>`], duplicate_window: TWO_MINUTES_NS });
  }
}

/**
 * Reads where the stream ends. Nothing deletes from it, so the message at `last_seq` is still
 * there when fetched; if another relay appended meanwhile, the next publish says so.
 */
export async function readTail(jsm: JetStreamManager, streamName: string): Promise<StreamTail> {
  const { state } = await jsm.streams.info(streamName);
  if (state.messages === 0) return { sequence: state.last_seq, position: 0 };
  const last = await jsm.streams.getMessage(streamName, { seq: state.last_seq });
  return { sequence: state.last_seq, position: last ? last.json<CloudEvent>().position : 0 };
}

/** JetStream refused a publish whose expected last sequence was not the stream's: someone else appended. */
export const isWrongLastSequence = (error: unknown): boolean =>
  isApiError(error, JetStreamApiCodes.StreamWrongLastSequence);

const isApiError = (error: unknown, code: number): boolean => error instanceof JetStreamApiError && error.code === code;
