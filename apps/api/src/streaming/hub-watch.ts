import type { HubControl, HubSink } from '#eventsourcing';

/** Where a client's stream starts on a hub: its stream, the resume key, and the client's own say, if any. */
export interface HubWatch<Frame> {
  readonly streamId: string;
  readonly after: number;
  readonly control?: HubControl<Frame>;
  /** A frame only this client gets in its own form (a secret handed to it once). */
  readonly rewrite?: (frame: Frame) => Frame;
}

/** The sink that `watch` writes into: the transport's own, or one rewriting the client's frames first. */
export function sinkFor<Frame>(watch: HubWatch<Frame>, sink: HubSink<Frame>): HubSink<Frame> {
  const { rewrite } = watch;
  if (!rewrite) return sink;
  return {
    write: (frames) => sink.write(frames.map(rewrite)),
    writable: () => sink.writable(),
    end: () => sink.end(),
    error: (error) => sink.error(error),
  };
}
