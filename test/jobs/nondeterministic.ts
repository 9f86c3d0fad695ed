// A job whose graph depends on the process it is built in: the TaskManager's rebuild differs from
// the client's, which must fail the job with a clear JOB_GRAPH_MISMATCH.
import { defineJob } from '@eddy/api';

export default defineJob((env) => {
  env
    .fromElements(1, 2, 3)
    .map((x) => x + 1)
    .name(`map-${process.pid}`)
    .print();
});
