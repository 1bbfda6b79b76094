/**
 * How a peer writes hub frames in its own form (raw WebSocket frames, tagged `/ws` messages,
 * Socket.IO packets), with what it needs to know to keep its send buffer bounded.
 */
export interface FrameWriter<Frame> {
  /** Bytes it takes before passing its limit (WEBSOCKET_BUFFER_SIZE less what waits); ≤ 0 once past. */
  room(): number;
  /** The bytes `frame` takes in this writer's form. */
  size(frame: Frame): number;
  /** Writes `frames`, in order, in one write to the socket. */
  write(frames: readonly Frame[]): void;
  /** Past its limit: the hub should stop and catch the peer up from the store once it drained. */
  overloaded(): boolean;
}

/**
 * Writes one hub write's frames (the events of one tick, or a slice of history) to a peer:
 * all in one write when they fit in its room, which is the usual case, else one write each
 * up to the frame that takes it past its limit, so a slow peer holds at most one frame more
 * than its limit. Answers how many frames it wrote.
 */
export function writeCoalesced<Frame>(writer: FrameWriter<Frame>, frames: readonly Frame[]): number {
  if (frames.length === 1) {
    writer.write(frames);
    return 1;
  }
  if (fits(writer, frames)) {
    writer.write(frames);
    return frames.length;
  }
  for (let i = 0; i < frames.length; i++) {
    writer.write(frames.slice(i, i + 1));
    if (writer.overloaded()) return i + 1;
  }
  return frames.length;
}

function fits<Frame>(writer: FrameWriter<Frame>, frames: readonly Frame[]): boolean {
  let room = writer.room();
  for (const frame of frames) {
    room -= writer.size(frame);
    if (room < 0) return false;
  }
  return true;
}

/** A frame that goes out as several wire frames (a chat event's parts), each in the writer's form. */
export interface FrameOfParts<Part> {
  readonly parts: readonly Part[];
}

/** `writer` for frames made of parts: a hub write's parts all go in one write. */
export function partsWriter<Part, Frame extends FrameOfParts<Part>>(writer: FrameWriter<Part>): FrameWriter<Frame> {
  return {
    room: () => writer.room(),
    size: (frame) => {
      let bytes = 0;
      for (const part of frame.parts) bytes += writer.size(part);
      return bytes;
    },
    write: (frames) => writer.write(frames.length === 1 ? (frames[0]?.parts ?? []) : frames.flatMap((f) => f.parts)),
    overloaded: () => writer.overloaded(),
  };
}
