/**
 * A batch job's process (forked by pool.ts): runs the pairs it is sent, one at a time, and answers
 * each with its line. It ends when the parent closes the channel; when the parent is killed, it ends
 * as soon as the pair in hand is done (measured: both workers gone within 5 s of a SIGKILL to the
 * batch); that pair's line is lost with the parent and a rerun does it again.
 */
import { type JobSpec, runJob } from './job.js';

process.on('message', (msg: { id: number; spec: JobSpec }) => {
  void runJob(msg.spec).then((line) => process.send?.({ id: msg.id, line }));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
