// The other half of the pair of counting-ticks.ts: the same source and sink uids, but the keyed
// counter (uid 'counter') is gone, so a savepoint of counting-ticks has state this job cannot map.
import { defineJob } from '@eddy/api';
import { DiscardingSink, TickSource } from './tick-source.ts';

export default defineJob((env, args) => {
  env.setJobName('counting-ticks-without-counter');
  env.enableCheckpointing(args.number('checkpoint-interval', 500), 'exactly-once', {
    storage: args.required('checkpoint-dir'),
  });
  env
    .fromSource(new TickSource(), 'Ticks')
    .uid('ticks')
    .map((n) => String(n))
    .name('Format')
    .sinkTo(new DiscardingSink<string>())
    .uid('discard');
});
