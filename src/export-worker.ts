/** Worker thread of a parallel export: see runWorker in export-parallel.ts. */
import { workerData } from 'node:worker_threads';
import { runWorker, type WorkerInput } from './export-parallel.js';

runWorker(workerData as WorkerInput);
