/** How a live room checks that its connection still carries frames. */
export interface HeartbeatOptions {
  /** A `ping` goes out after this long without a frame from the server. Default 25000. */
  intervalMs?: number;
  /** The connection counts as dead when nothing came this long after a ping. Default 10000. */
  timeoutMs?: number;
}

export const DEFAULT_HEARTBEAT: Required<HeartbeatOptions> = { intervalMs: 25_000, timeoutMs: 10_000 };

/**
 * Notices a connection that died without closing: a laptop that slept, a NAT or proxy that forgot
 * the connection. TCP can take many minutes to tell (or never, on a connection that sends nothing),
 * and a browser's WebSocket shows no ping frames, so the client asks: after `intervalMs` without a
 * frame it sends a `ping`, which the server answers with `pong`. Any frame from the server counts
 * as life; when none comes within `timeoutMs` of the ping, `onDead` is called, once per `start`.
 */
export class Heartbeat {
  private readonly options: Required<HeartbeatOptions>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    /** Sends a `ping`; answers false when it could not (the socket is not open). */
    private readonly sendPing: () => boolean,
    private readonly onDead: () => void,
    options: HeartbeatOptions = {},
  ) {
    this.options = { ...DEFAULT_HEARTBEAT, ...options };
  }

  /** The connection is open: starts listening for silence. */
  start(): void {
    this.running = true;
    this.waitForSilence();
  }

  /** A frame came from the server. */
  heard(): void {
    if (this.running) this.waitForSilence();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private waitForSilence(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.ping(), this.options.intervalMs);
  }

  private ping(): void {
    this.sendPing();
    this.timer = setTimeout(() => {
      this.stop();
      this.onDead();
    }, this.options.timeoutMs);
  }
}
