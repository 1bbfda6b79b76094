import type { StreamHubs } from '#eventsourcing';
import { sinkFor, type HubWatch } from '../streaming/hub-watch.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import type { Peer } from './peer.js';
import { WsSink, type SinkEnd } from './ws-sink.js';

export interface PeerStreamOptions {
  /** Where the stream starts after `afterId` (each start asks again), or null when the client already has its end. */
  readonly open: (afterId: number) => Promise<HubWatch<WireFrame> | null>;
  readonly deliver: (frame: WireFrame) => void;
  /** The stream ended; `last` is the last frame sent since the latest start. */
  readonly onEnd: (end: SinkEnd, last: WireFrame | null) => void;
}

/** One stream a peer follows on its hub, restartable from any event id (`resume`, a repeated `subscribe`). */
export class PeerStream {
  private sink: WsSink | null = null;
  private startedAfter = 0;

  constructor(
    private readonly peer: Peer,
    private readonly hubs: StreamHubs<WireFrame>,
    private readonly options: PeerStreamOptions,
  ) {}

  get lastDeliveredId(): number {
    return this.sink?.last?.id ?? this.startedAfter;
  }

  /** (Re)starts after `afterId`, dropping whatever the previous start would still send. */
  start(afterId: number): void {
    this.stop();
    this.startedAfter = afterId;
    const { open, deliver, onEnd } = this.options;
    const sink = new WsSink(this.peer, { deliver, onEnd: (end) => onEnd(end, sink.last) });
    this.sink = sink;
    open(afterId).then(
      (watch) => {
        if (sink.isStopped) return;
        if (watch === null) return sink.end();
        sink.attach(this.hubs.subscribe(watch.streamId, watch.after, sinkFor(watch, sink), watch.control));
      },
      (error: unknown) => sink.error(error),
    );
  }

  stop(): void {
    this.sink?.stop();
  }
}
