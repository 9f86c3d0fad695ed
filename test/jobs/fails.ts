// A job that fails: its map throws on record --fail-on (default 42) of the numbers 1..--records
// (default 100). Without restarts (restart-strategy.type=none) the job ends FAILED with the error,
// which must name the operator ('Explode On Record').
import { defineJob, type Sink } from '@eddy/api';

/** Drops every record. */
class DiscardingSink implements Sink<unknown> {
  describe(): unknown {
    return { kind: 'discard' };
  }
  createWriter() {
    return { write: (): void => {} };
  }
}

export default defineJob((env, args) => {
  const failOn = args.number('fail-on', 42);
  env.setJobName('fails');
  env
    .fromSequence(1, args.number('records', 100))
    .map((n) => {
      if (n === failOn) throw new Error(`record ${n} is not welcome here`);
      return n;
    })
    .name('Explode On Record')
    .sinkTo(new DiscardingSink())
    .name('Discard');
});
