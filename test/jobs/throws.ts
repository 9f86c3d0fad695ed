// A job whose builder throws.
import { defineJob } from '@eddy/api';

export default defineJob(() => {
  throw new Error('no input configured for this job');
});
