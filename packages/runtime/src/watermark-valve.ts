// The StatusWatermarkValve: combines the watermarks of a task's input channels into one input
// watermark, as Flink does. A channel's watermark only advances; the combined watermark is the
// minimum over active (non-idle) channels and only advances; when every channel is idle the task's
// input is idle. Pure: no I/O, property-tested.
import { MIN_WATERMARK } from '@eddy/api';

/** What the valve decided after an input: a new combined watermark and/or a status change. */
export interface ValveOutput {
  readonly watermark?: number;
  /** true: every channel is idle now; false: some channel became active again. */
  readonly idle?: boolean;
}

const NOTHING: ValveOutput = {};

/** Combines per-channel watermarks and idleness. */
export class StatusWatermarkValve {
  readonly #watermarks: number[];
  readonly #idle: boolean[];
  #lastOutput = MIN_WATERMARK;
  #allIdle = false;

  constructor(channels: number) {
    this.#watermarks = new Array<number>(channels).fill(MIN_WATERMARK);
    this.#idle = new Array<boolean>(channels).fill(false);
  }

  get currentWatermark(): number {
    return this.#lastOutput;
  }
  get idle(): boolean {
    return this.#allIdle;
  }

  /** A watermark arrived on `channel`. */
  inputWatermark(channel: number, watermark: number): ValveOutput {
    let statusChange: boolean | undefined;
    if (this.#idle[channel]) {
      // A watermark means the channel is active again.
      this.#idle[channel] = false;
      if (this.#allIdle) {
        this.#allIdle = false;
        statusChange = false;
      }
    }
    if (watermark > this.#watermarks[channel]!) this.#watermarks[channel] = watermark;
    const w = this.#combine();
    return w === undefined && statusChange === undefined
      ? NOTHING
      : {
          ...(w === undefined ? {} : { watermark: w }),
          ...(statusChange === undefined ? {} : { idle: statusChange }),
        };
  }

  /** `channel` went idle or active. */
  inputStatus(channel: number, idle: boolean): ValveOutput {
    if (this.#idle[channel] === idle) return NOTHING;
    this.#idle[channel] = idle;
    if (idle) {
      if (this.#idle.every(Boolean)) {
        // Everything is idle: release what the channels had reached, then report idleness.
        let max = MIN_WATERMARK;
        for (const w of this.#watermarks) if (w > max) max = w;
        this.#allIdle = true;
        if (max > this.#lastOutput) {
          this.#lastOutput = max;
          return { watermark: max, idle: true };
        }
        return { idle: true };
      }
      // The idle channel no longer holds the minimum back.
      const w = this.#combine();
      return w === undefined ? NOTHING : { watermark: w };
    }
    if (this.#allIdle) {
      this.#allIdle = false;
      return { idle: false };
    }
    return NOTHING;
  }

  /** The new combined watermark, if it advanced. */
  #combine(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let i = 0; i < this.#watermarks.length; i++) {
      if (this.#idle[i]) continue;
      any = true;
      const w = this.#watermarks[i]!;
      if (w < min) min = w;
    }
    if (!any || min <= this.#lastOutput) return undefined;
    this.#lastOutput = min;
    return min;
  }
}
