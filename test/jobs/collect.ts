// Collects the numbers 1..--records (default 1000), each squared, through a CollectSink with uid
// 'out': the test reads them back with GET /v1/jobs/:id/collect?sink=out. A rebalance spreads them
// over --parallelism subtasks first, so the sink receives from several producers.
import { CollectSink, defineJob } from '@eddy/api';

export default defineJob((env, args) => {
  env.setJobName('collect');
  env
    .fromSequence(1, args.number('records', 1000))
    .rebalance()
    .map((n) => ({ n, square: n * n }))
    .name('Square')
    .sinkTo(new CollectSink<{ n: number; square: number }>())
    .name('Collect')
    .uid('out');
});
