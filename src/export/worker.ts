/** Worker thread of a parallel export: see runWorker in parallel.ts (loaded by path from the compiled dist: parallel.ts resolves ./worker.js beside itself). */
import { workerData } from 'node:worker_threads';
import { runWorker, type WorkerInput } from './parallel.js';

runWorker(workerData as WorkerInput);
