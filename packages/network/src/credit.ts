// Credit-based flow control decisions, as in Flink: pure state and transition functions, no I/O,
// no timers, no callbacks. The InputGate (receiver side) and the subpartition views (sender side)
// are the I/O shell around them; credit.test.ts property-tests them against a model network.
//
// Receiver side. 1 credit = 1 buffer the receiver holds free for a channel. Every open channel owns
// `exclusive` buffers; the gate owns a pool of `floating` buffers it lends to channels whose
// producer announced a backlog larger than the credit it already has. A channel's buffers are always
// either queued (a received buffer the task has not consumed yet) or outstanding (a credit announced
// to the producer, in flight, or held by the producer, not yet used by a buffer):
//
//   exclusive + floatingHeld === queued + outstanding        (every open channel)
//   floatingFree + sum(floatingHeld) === floating            (the gate)
//
// So the buffers in flight plus the buffers queued at the receiver never exceed the credits granted,
// and the pool is never over-allocated. When the task consumes a buffer, a floating one goes back
// to the pool first (and is re-lent where backlog is, round-robin); otherwise the exclusive buffer
// becomes a fresh credit for the same channel.
//
// Transitions mutate the state in place (they run once per buffer on the data path) and return the
// credits to announce; `NO_GRANTS` is shared to avoid an allocation in the common case.
import { internalError } from '@eddy/common';

/** Credits to announce to the producer of `channel`. */
export interface CreditGrant {
  readonly channel: number;
  readonly credits: number;
}

/** Receiver-side credit state of one input channel. */
export interface ChannelCredit {
  /** Open: accepting buffers. False before `openChannel` and after `closeChannel`. */
  open: boolean;
  /** Floating buffers lent to this channel (queued or outstanding). */
  floatingHeld: number;
  /** Buffers received and not yet consumed by the task. */
  queued: number;
  /** Credits granted to the producer and not yet used by a buffer. */
  outstanding: number;
  /** The producer's last announced backlog (buffers queued behind its last frame). */
  backlog: number;
}

/** Receiver-side credit state of one input gate. */
export interface GateCredit {
  readonly exclusive: number;
  readonly floating: number;
  floatingFree: number;
  readonly channels: ChannelCredit[];
  /** Where the next round-robin search for a channel in need of floating credit starts. */
  cursor: number;
}

/** The empty grant list. */
export const NO_GRANTS: readonly CreditGrant[] = Object.freeze([]);

/** The state of a gate with `numChannels` closed channels and a full floating pool. */
export function createGateCredit(numChannels: number, exclusive: number, floating: number): GateCredit {
  if (!(exclusive >= 1)) throw internalError(`exclusive credits per channel must be >= 1, got ${exclusive}`);
  if (!(floating >= 0)) throw internalError(`floating credits per gate must be >= 0, got ${floating}`);
  const channels: ChannelCredit[] = [];
  for (let i = 0; i < numChannels; i++) {
    channels.push({ open: false, floatingHeld: 0, queued: 0, outstanding: 0, backlog: 0 });
  }
  return { exclusive, floating, floatingFree: floating, channels, cursor: 0 };
}

/** Opens `channel`: its exclusive buffers become its initial credit. Returns that credit. */
export function openChannel(state: GateCredit, channel: number): number {
  const ch = channelAt(state, channel);
  if (ch.open) throw internalError(`input channel ${channel} opened twice`);
  ch.open = true;
  ch.outstanding = state.exclusive;
  return state.exclusive;
}

/**
 * A buffer arrived on `channel` with the producer's `backlog` behind it. A buffer without credit is
 * a protocol violation (the producer ignored flow control): it throws.
 */
export function onBufferReceived(
  state: GateCredit,
  channel: number,
  backlog: number,
): readonly CreditGrant[] {
  const ch = channelAt(state, channel);
  if (!ch.open) throw internalError(`buffer received on input channel ${channel}, which is not open`);
  if (ch.outstanding <= 0) {
    throw internalError(
      `buffer received on input channel ${channel} without credit (producer ignored flow control)`,
    );
  }
  ch.outstanding--;
  ch.queued++;
  ch.backlog = backlog;
  return distributeFloating(state);
}

/** The producer announced `backlog` (on an event frame): lend floating credit if it needs some. */
export function onBacklog(state: GateCredit, channel: number, backlog: number): readonly CreditGrant[] {
  const ch = channelAt(state, channel);
  if (!ch.open) return NO_GRANTS;
  ch.backlog = backlog;
  return distributeFloating(state);
}

/** The task consumed one buffer of `channel`: its buffer is freed and becomes credit again. */
export function onBufferConsumed(state: GateCredit, channel: number): readonly CreditGrant[] {
  const ch = channelAt(state, channel);
  if (ch.queued <= 0) throw internalError(`input channel ${channel} consumed a buffer it does not hold`);
  ch.queued--;
  if (ch.floatingHeld > 0) {
    // Floating buffers go back to the pool first so that whichever channel needs them most gets them.
    ch.floatingHeld--;
    state.floatingFree++;
    return distributeFloating(state);
  }
  if (!ch.open) return NO_GRANTS; // a closed channel's exclusive buffers simply go away
  ch.outstanding++;
  return [{ channel, credits: 1 }];
}

/**
 * Closes `channel` (end-of-partition received, or released): it takes no more buffers, so floating
 * credit it still has outstanding goes back to the pool. Buffers it still queues stay until consumed.
 */
export function closeChannel(state: GateCredit, channel: number): readonly CreditGrant[] {
  const ch = channelAt(state, channel);
  if (!ch.open) return NO_GRANTS;
  ch.open = false;
  ch.backlog = 0;
  const reclaim = Math.min(ch.floatingHeld, ch.outstanding);
  ch.floatingHeld -= reclaim;
  ch.outstanding -= reclaim;
  state.floatingFree += reclaim;
  return distributeFloating(state);
}

/** Credit a channel is still short of its producer's backlog. */
function need(ch: ChannelCredit): number {
  return ch.open ? ch.backlog - ch.outstanding : 0;
}

/** Lends free floating buffers, one at a time round-robin, to channels whose backlog exceeds their credit. */
function distributeFloating(state: GateCredit): readonly CreditGrant[] {
  if (state.floatingFree === 0) return NO_GRANTS;
  const n = state.channels.length;
  let grants: CreditGrant[] | undefined;
  let idle = 0; // consecutive channels visited without need; a full circle of them ends the search
  while (state.floatingFree > 0 && idle < n) {
    const index = state.cursor;
    state.cursor = (state.cursor + 1) % n;
    const ch = state.channels[index] as ChannelCredit;
    if (need(ch) <= 0) {
      idle++;
      continue;
    }
    idle = 0;
    ch.floatingHeld++;
    ch.outstanding++;
    state.floatingFree--;
    grants ??= [];
    const last = grants.length > 0 ? grants[grants.length - 1] : undefined;
    if (last !== undefined && last.channel === index) {
      grants[grants.length - 1] = { channel: index, credits: last.credits + 1 };
    } else {
      grants.push({ channel: index, credits: 1 });
    }
  }
  return grants ?? NO_GRANTS;
}

function channelAt(state: GateCredit, channel: number): ChannelCredit {
  const ch = state.channels[channel];
  if (ch === undefined)
    throw internalError(`no input channel ${channel} (gate has ${state.channels.length})`);
  return ch;
}

/** Checks the invariants above; for tests and debug assertions. Returns a description of the first violation. */
export function checkGateCredit(state: GateCredit): string | undefined {
  let held = 0;
  for (let i = 0; i < state.channels.length; i++) {
    const ch = state.channels[i] as ChannelCredit;
    if (ch.queued < 0 || ch.outstanding < 0 || ch.floatingHeld < 0)
      return `channel ${i} has a negative count`;
    if (ch.open && state.exclusive + ch.floatingHeld !== ch.queued + ch.outstanding) {
      return `channel ${i}: exclusive ${state.exclusive} + floating ${ch.floatingHeld} != queued ${ch.queued} + outstanding ${ch.outstanding}`;
    }
    if (!ch.open && ch.floatingHeld > ch.queued) return `closed channel ${i} holds idle floating buffers`;
    held += ch.floatingHeld;
  }
  if (state.floatingFree < 0) return 'floating pool over-allocated';
  if (state.floatingFree + held !== state.floating) {
    return `floating free ${state.floatingFree} + held ${held} != pool ${state.floating}`;
  }
  return undefined;
}
