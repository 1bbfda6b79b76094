import { batchedMessage, type BatchedMessage } from '#platform';
import { taggedWsText, type WireFrame } from '../streaming/wire-frame.js';
import type { FrameWriter } from './frame-writer.js';
import type { WsPeer } from './ws-peer.js';

interface Tagged {
  readonly stream: string;
  readonly message: BatchedMessage;
}

/** A hub frame belongs to one stream: its tagged message is the same for every socket following it. */
const tagged = new WeakMap<WireFrame, Tagged>();

/** A hub frame as a `/ws` message of `stream` (`{"stream",…}`), tagged and measured once for every socket. */
export function taggedMessage(stream: string, frame: WireFrame): BatchedMessage {
  let known = tagged.get(frame);
  if (known?.stream !== stream) {
    known = { stream, message: batchedMessage(taggedWsText(stream, frame)) };
    tagged.set(frame, known);
  }
  return known.message;
}

/** How a `/ws` connection writes one stream's hub frames: their shared tagged messages, into its batches. */
export function taggedWriter(peer: WsPeer, stream: string): FrameWriter<WireFrame> {
  return {
    room: () => peer.room(),
    size: (frame) => taggedMessage(stream, frame).bytes,
    write: (frames) => peer.sendMessages(frames.map((frame) => taggedMessage(stream, frame))),
    overloaded: () => peer.overloaded(),
  };
}
