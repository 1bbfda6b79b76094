/** How an event stream's next frame goes on the wire: deflated, or as a stored (verbatim) block. */
export type WireMode = 'compress' | 'store';

export interface CompressionPolicyOptions {
  /** Frames averaging fewer bytes than this are not worth a zlib call (STREAMING_COMPRESSION_MIN_FRAME). */
  readonly minFrameBytes: number;
  /** How long each drain-rate measurement lasts. */
  readonly windowMs?: number;
}

/** What zlib costs per input byte before this connection measured its own: about 50 MB/s. */
const DEFAULT_COST_NS_PER_BYTE = 20;
/** What compressed output is to its input before this connection measured its own. */
const DEFAULT_RATIO = 0.3;
/** Weight of the newest sample in the moving averages. */
const ALPHA = 0.25;
/** Compression stops above HYSTERESIS × the break-even rate and resumes below it. */
const HYSTERESIS = 2;
/** How often a busy compressed stream tries one window verbatim; the first time, after FIRST_PROBE_WINDOWS. */
const PROBE_EVERY_MS = 10_000;
const FIRST_PROBE_WINDOWS = 2;

/**
 * When one event stream's gzip pays for itself. Compressing n bytes costs n·c of CPU and
 * saves n·(1 − ratio) bytes, which a link draining R bytes/s would take n·(1 − ratio)/R to
 * send: it pays while R < (1 − ratio)/c, the break-even rate. R is measured per connection
 * over windows of `windowMs`: the bytes that left the server's buffer for the socket per
 * second. A socket that never backs up only shows the rate it was offered, a lower bound,
 * so a quiet stream stays compressed. A busy compressed stream cannot show a fast link that
 * way (compressing is what limits its rate), so every PROBE_EVERY_MS, when what it sends
 * would be over the break-even rate uncompressed, it goes verbatim for one window: a client
 * that takes that without backing up stays verbatim, one that falls behind goes back to
 * compressed. Frames averaging under minFrameBytes stay verbatim too. Both rules switch back
 * only past a margin (half the frame size, twice the rate), so a stream does not flap
 * between modes. Pure: the caller passes the time and what it measured.
 */
export class CompressionPolicy {
  private current: WireMode = 'store';
  /** Starts at the threshold: the first frames decide, not a prior either way. */
  private averageFrame: number;
  private ratio = DEFAULT_RATIO;
  private costNsPerByte = DEFAULT_COST_NS_PER_BYTE;
  private drainRate = 0;
  private windowStartMs = Number.NaN;
  private windowBytes = 0;
  private windowBacklog = 0;
  private readonly windowMs: number;
  private probing = false;
  private nextProbeMs = 0;

  constructor(private readonly options: CompressionPolicyOptions) {
    this.windowMs = options.windowMs ?? 1000;
    this.averageFrame = options.minFrameBytes;
  }

  get mode(): WireMode {
    return this.current;
  }

  /** Bytes per second this connection's client drained in the last full window (a lower bound while it kept up). */
  get measuredDrainRate(): number {
    return this.drainRate;
  }

  /** The rate under which compressing pays, from this connection's own ratio and cost. */
  get breakEvenRate(): number {
    return (1 - this.ratio) / (this.costNsPerByte * 1e-9);
  }

  /** The mode for a frame of `bytes` written at `nowMs`, with `backlog` bytes still waiting for the socket. */
  next(bytes: number, nowMs: number, backlog: number): WireMode {
    this.averageFrame += ALPHA * (bytes - this.averageFrame);
    const measured = this.measure(nowMs, backlog);
    this.current = this.decide(nowMs, measured);
    return this.current;
  }

  /** Bytes handed to the socket (compressed or stored), for the drain rate. */
  sent(bytes: number): void {
    this.windowBytes += bytes;
  }

  /** One zlib call: its input, its output and how long it took. */
  compressed(inputBytes: number, outputBytes: number, elapsedNs: number): void {
    if (inputBytes <= 0) return;
    this.ratio += ALPHA * (Math.min(1, outputBytes / inputBytes) - this.ratio);
    this.costNsPerByte += ALPHA * (elapsedNs / inputBytes - this.costNsPerByte);
  }

  /** True when a window just closed and drainRate is new. */
  private measure(nowMs: number, backlog: number): boolean {
    if (Number.isNaN(this.windowStartMs)) {
      this.windowStartMs = nowMs;
      this.windowBacklog = backlog;
      this.nextProbeMs = nowMs + FIRST_PROBE_WINDOWS * this.windowMs;
      return false;
    }
    const elapsedMs = nowMs - this.windowStartMs;
    if (elapsedMs < this.windowMs) return false;
    const drained = Math.max(0, this.windowBytes - (backlog - this.windowBacklog));
    this.drainRate = (drained * 1000) / elapsedMs;
    this.windowStartMs = nowMs;
    this.windowBytes = 0;
    this.windowBacklog = backlog;
    return true;
  }

  private decide(nowMs: number, measured: boolean): WireMode {
    const { minFrameBytes } = this.options;
    const compressing = this.current === 'compress';
    if (this.averageFrame < (compressing ? minFrameBytes / 2 : minFrameBytes)) {
      this.probing = false;
      return 'store';
    }
    const breakEven = this.breakEvenRate;
    if (this.probing) {
      if (!measured) return 'store';
      this.probing = false;
      this.nextProbeMs = nowMs + PROBE_EVERY_MS;
    } else if (compressing && measured && nowMs >= this.nextProbeMs && this.drainRate / this.ratio > breakEven) {
      // The window that just opened is the probe's.
      this.probing = true;
      return 'store';
    }
    return this.drainRate > (compressing ? HYSTERESIS : 1) * breakEven ? 'store' : 'compress';
  }
}
