// Property tests of the credit decisions: a model network of N channels (producer queues, FIFO
// links both ways, receiver queues) driven by random interleavings of produce / send / deliver /
// consume steps, with the invariants checked after every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkGateCredit,
  closeChannel,
  createGateCredit,
  onBacklog,
  onBufferConsumed,
  onBufferReceived,
  openChannel,
  type CreditGrant,
  type GateCredit,
} from './credit.ts';

type Item = { readonly kind: 'buffer' | 'event' | 'end'; readonly id: number };
type DataFrame = Item & { readonly backlog: number };

interface ModelChannel {
  produced: Item[]; // producer queue (unsent)
  senderCredit: number;
  toReceiver: DataFrame[]; // in flight, FIFO
  toSender: number[]; // credit frames in flight, FIFO
  received: Item[]; // at receiver, not consumed
  delivered: Item[]; // consumed by the task, in order
  allProduced: Item[];
  ended: boolean;
}

interface Model {
  gate: GateCredit;
  channels: ModelChannel[];
  nextId: number;
}

const actions = ['produce', 'produceEvent', 'send', 'deliver', 'deliverCredit', 'consume'] as const;
type Action = (typeof actions)[number] | 'end';

function newModel(n: number, exclusive: number, floating: number): Model {
  const gate = createGateCredit(n, exclusive, floating);
  const channels: ModelChannel[] = [];
  for (let i = 0; i < n; i++) {
    channels.push({
      produced: [],
      senderCredit: 0,
      toReceiver: [],
      toSender: [openChannel(gate, i)],
      received: [],
      delivered: [],
      allProduced: [],
      ended: false,
    });
  }
  return { gate, channels, nextId: 0 };
}

function applyGrants(m: Model, grants: readonly CreditGrant[]): void {
  for (const g of grants) {
    assert.ok(g.credits > 0);
    m.channels[g.channel]!.toSender.push(g.credits);
  }
}

function backlogOf(ch: ModelChannel): number {
  return ch.produced.filter((i) => i.kind === 'buffer').length;
}

/** Performs `action` on channel `c`; returns false when it was not possible. */
function step(m: Model, action: Action, c: number): boolean {
  const ch = m.channels[c]!;
  switch (action) {
    case 'produce':
    case 'produceEvent':
    case 'end': {
      if (ch.ended) return false;
      const item: Item = {
        kind: action === 'produce' ? 'buffer' : action === 'end' ? 'end' : 'event',
        id: m.nextId++,
      };
      ch.produced.push(item);
      ch.allProduced.push(item);
      if (action === 'end') ch.ended = true;
      return true;
    }
    case 'send': {
      // The sender rule: events without credit, buffers only against credit, strictly in order.
      const head = ch.produced[0];
      if (head === undefined) return false;
      if (head.kind === 'buffer') {
        if (ch.senderCredit === 0) return false;
        ch.senderCredit--;
      }
      ch.produced.shift();
      ch.toReceiver.push({ ...head, backlog: backlogOf(ch) });
      return true;
    }
    case 'deliver': {
      const frame = ch.toReceiver.shift();
      if (frame === undefined) return false;
      ch.received.push({ kind: frame.kind, id: frame.id });
      if (frame.kind === 'buffer') applyGrants(m, onBufferReceived(m.gate, c, frame.backlog));
      else if (frame.kind === 'event') applyGrants(m, onBacklog(m.gate, c, frame.backlog));
      else applyGrants(m, closeChannel(m.gate, c));
      return true;
    }
    case 'deliverCredit': {
      const credits = ch.toSender.shift();
      if (credits === undefined) return false;
      ch.senderCredit += credits;
      return true;
    }
    case 'consume': {
      const item = ch.received.shift();
      if (item === undefined) return false;
      ch.delivered.push(item);
      if (item.kind === 'buffer') applyGrants(m, onBufferConsumed(m.gate, c));
      return true;
    }
  }
}

function checkInvariants(m: Model): void {
  const violation = checkGateCredit(m.gate);
  assert.equal(violation, undefined, violation);
  m.channels.forEach((ch, i) => {
    const state = m.gate.channels[i]!;
    const inFlight = ch.toReceiver.filter((f) => f.kind === 'buffer').length;
    const queued = ch.received.filter((f) => f.kind === 'buffer').length;
    assert.equal(queued, state.queued, `channel ${i}: receiver queue matches the credit state`);
    const granted = state.open ? m.gate.exclusive + state.floatingHeld : Infinity;
    assert.ok(
      inFlight + queued <= granted,
      `channel ${i}: in flight ${inFlight} + queued ${queued} exceeds granted ${granted}`,
    );
    if (state.open) {
      // Conservation: every granted buffer is a credit in flight, at the sender, a buffer in flight or queued.
      const creditsInFlight = ch.toSender.reduce((a, b) => a + b, 0);
      assert.equal(
        creditsInFlight + ch.senderCredit + inFlight + queued,
        granted,
        `channel ${i}: credit conservation`,
      );
    }
  });
}

const scenario = fc.record({
  channels: fc.integer({ min: 1, max: 4 }),
  exclusive: fc.integer({ min: 1, max: 3 }),
  floating: fc.integer({ min: 0, max: 5 }),
  steps: fc.array(fc.tuple(fc.constantFrom(...actions), fc.nat(3)), { maxLength: 300 }),
});

test('credit accounting: in flight + queued never exceeds granted credit, pool never over-allocated', () => {
  fc.assert(
    fc.property(scenario, ({ channels, exclusive, floating, steps }) => {
      const m = newModel(channels, exclusive, floating);
      for (const [action, c] of steps) {
        step(m, action, c % channels);
        checkInvariants(m);
      }
    }),
    { numRuns: 500 },
  );
});

test('credit accounting: every item is delivered exactly once, in order, when the consumer keeps consuming', () => {
  fc.assert(
    fc.property(scenario, ({ channels, exclusive, floating, steps }) => {
      const m = newModel(channels, exclusive, floating);
      for (const [action, c] of steps) {
        step(m, action, c % channels);
        checkInvariants(m);
      }
      for (let c = 0; c < channels; c++) step(m, 'end', c);
      // Drain: everything but producing, until nothing moves. Liveness means this terminates with
      // every producer queue empty, whatever state the random prefix left behind.
      let moved = true;
      let rounds = 0;
      while (moved) {
        assert.ok(rounds++ < 100_000, 'drain does not terminate: flow control deadlocked');
        moved = false;
        for (let c = 0; c < channels; c++) {
          for (const a of ['send', 'deliver', 'deliverCredit', 'consume'] as const) {
            if (step(m, a, c)) moved = true;
            checkInvariants(m);
          }
        }
      }
      m.channels.forEach((ch, i) => {
        assert.deepEqual(ch.delivered, ch.allProduced, `channel ${i} delivered everything in order`);
        assert.equal(m.gate.channels[i]!.open, false);
      });
      assert.equal(m.gate.floatingFree, floating, 'every floating buffer returned to the pool');
    }),
    { numRuns: 500 },
  );
});

test('floating credit goes where the backlog is', () => {
  const gate = createGateCredit(2, 2, 4);
  openChannel(gate, 0);
  openChannel(gate, 1);
  // Channel 1 sends a buffer announcing 5 more behind it; it gets the whole pool (need 5 - 1 = 4).
  const grants = onBufferReceived(gate, 1, 5);
  assert.deepEqual(grants, [{ channel: 1, credits: 4 }]);
  assert.equal(gate.floatingFree, 0);
  // Consuming returns floating first; the 5 outstanding credits already cover the backlog, so the
  // buffer stays in the pool until a channel announces more backlog.
  assert.deepEqual(onBufferConsumed(gate, 1), []);
  assert.equal(gate.floatingFree, 1);
  assert.deepEqual(onBufferReceived(gate, 0, 3), [{ channel: 0, credits: 1 }]);
  // Channel 0 consumes: no floating held, so its exclusive buffer becomes credit again.
  assert.deepEqual(onBufferConsumed(gate, 0), [{ channel: 0, credits: 1 }]);
  assert.equal(checkGateCredit(gate), undefined);
});

test('a buffer without credit is a protocol violation', () => {
  const gate = createGateCredit(1, 1, 0);
  openChannel(gate, 0);
  onBufferReceived(gate, 0, 0);
  assert.throws(() => onBufferReceived(gate, 0, 0), /without credit/);
});
