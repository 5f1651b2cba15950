/**
 * Parallel export: the output is cut into contiguous stretches (range.ts splitJob) that the
 * main thread and worker threads take from a shared counter, each thread writing its stretches'
 * float32 samples straight into the temp WAV at their own offsets. The main thread then waits
 * synchronously (exportWithConfig is synchronous), merges peaks and gaps, and the WAV writer finishes
 * as usual (conversion, header, rename). The stretches give the same samples as one sequential run.
 *
 * A worker that has not started when the main thread runs out of stretches is abandoned (it will
 * find nothing to do), so a worker that is slow to start, or fails to, never holds the export up.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { StftConfig } from '../config/types.js';
import { geometryFromConfig, type SampleRange } from '../dsp/stft.js';
import { SpecDetectError } from '../errors.js';
import { BlockDecoder, type ExportJob, synthesizeJob } from './range.js';
import { RawFileSource } from '../io/source.js';
import { Float32DataWriter, type WavStreamWriter } from '../io/wav.js';

/** What a worker gets: the stretches, the inputs (raw or npy files, opened again), the temp WAV. */
export interface WorkerInput {
  config: StftConfig;
  /** The measured window behind config.window 'estimated' (ExportOptions.measuredWindow). */
  measuredWindow: Float64Array | undefined;
  magnitudeFile: string;
  phaseFile: string | null;
  jobs: ExportJob[];
  /** The temp WAV; a stretch's samples start at data index job.outStart - outStart. */
  tmp: string;
  outStart: number;
  /** Int32 words: see NEXT, ABORT, statusAt, framesAt. */
  shared: SharedArrayBuffer;
  slot: number;
  port: MessagePort;
}

/** Shared words: the next stretch to take; set when the export failed; per thread t, status and frames done. */
const NEXT = 0;
const ABORT = 1;
const statusAt = (slot: number): number => 2 + 2 * slot;
const framesAt = (slot: number): number => 3 + 2 * slot;
const IDLE = 0;
const RUNNING = 1;
const DONE = 2;
const FAILED = 3;
const ABANDONED = 4;

interface StretchResult {
  index: number;
  samples: number;
  peak: number;
  gaps: SampleRange[];
}

type WorkerOutput = { ok: true; results: StretchResult[] } | { ok: false; name: string; message: string; exitCode: number | null };

const WORKER_URL = new URL('./worker.js', import.meta.url);
/** How long the main thread sleeps between progress reports while it waits for the workers. */
const WAIT_MS = 100;

/** Workers are compiled JavaScript: running from the TypeScript sources (vitest), there are none. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(WORKER_URL);
}

type Plan = Pick<WorkerInput, 'config' | 'measuredWindow' | 'jobs' | 'tmp' | 'outStart' | 'shared'>;

/**
 * Take stretches off the shared counter until none are left (or the export failed elsewhere),
 * writing their samples into the temp WAV through a descriptor of this thread's own.
 */
function takeStretches(plan: Plan, decoder: BlockDecoder, slot: number, onBlock?: () => void): StretchResult[] {
  const state = new Int32Array(plan.shared);
  const fd = openSync(plan.tmp, 'r+');
  const g = geometryFromConfig(plan.config, plan.measuredWindow);
  try {
    const results: StretchResult[] = [];
    for (let i = Atomics.add(state, NEXT, 1); i < plan.jobs.length; i = Atomics.add(state, NEXT, 1)) {
      const job = plan.jobs[i];
      const start = job.outStart - plan.outStart;
      const out = new Float32DataWriter(fd, start);
      const { gaps } = synthesizeJob(
        plan.config,
        g,
        decoder,
        job,
        (x) => out.write(x),
        (n) => {
          Atomics.add(state, framesAt(slot), n);
          if (Atomics.load(state, ABORT) !== 0) throw new Error(STOPPED);
          onBlock?.();
        },
      );
      out.flush();
      results.push({ index: i, samples: out.end - start, peak: out.peak, gaps });
    }
    return results;
  } finally {
    closeSync(fd);
  }
}

/** The body of worker.ts. */
export function runWorker(input: WorkerInput): void {
  const state = new Int32Array(input.shared);
  const at = statusAt(input.slot);
  if (Atomics.compareExchange(state, at, IDLE, RUNNING) !== IDLE) {
    input.port.close(); // abandoned: the main thread finished without this worker
    return;
  }
  let out: WorkerOutput;
  const { config } = input;
  const values = config.frames * config.bins;
  let mag: RawFileSource | null = null;
  let phase: RawFileSource | null = null;
  try {
    mag = new RawFileSource(input.magnitudeFile, config.magnitudeFile.dtype, config.magnitudeFile.endian, config.magnitudeFile.headerBytes, values);
    if (input.phaseFile !== null && config.phaseFile) {
      phase = new RawFileSource(input.phaseFile, config.phaseFile.dtype, config.phaseFile.endian, config.phaseFile.headerBytes, values);
    }
    out = { ok: true, results: takeStretches(input, new BlockDecoder(config, mag, phase), input.slot) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    out = { ok: false, name: err.name, message: err.message, exitCode: (err as Partial<SpecDetectError>).exitCode ?? null };
  } finally {
    mag?.close();
    phase?.close();
  }
  // The message goes first, so it is there to take when the main thread sees the status.
  input.port.postMessage(out);
  input.port.close();
  Atomics.store(state, at, out.ok ? DONE : FAILED);
  Atomics.notify(state, at);
}

/** Another thread's failure, rethrown here with its message and exit code (a bad input stays exit 3). */
class WorkerError extends SpecDetectError {}

/** Thrown in the main thread when a worker has failed: that worker's error is the one to report. */
class WorkerFailed extends Error {}

/** What a thread stopped by another's failure reports (not the failure itself). */
const STOPPED = 'export stopped';

function workerError(out: Extract<WorkerOutput, { ok: false }>): Error {
  if (out.exitCode === 2 || out.exitCode === 3) return new WorkerError(out.message, out.exitCode);
  const e = new Error(out.message);
  e.name = out.name;
  return e;
}

interface Running {
  port: MessagePort;
  slot: number;
}

/**
 * Run the jobs (which tile the output in order) on this thread and up to `workers` worker threads,
 * then account for their samples in `writer`. Returns the gaps, merged across stretch boundaries. On
 * any failure every worker is stopped and waited for before the error is rethrown, so the caller can
 * remove the temp file with nothing still writing to it.
 */
export function runParallel(
  config: StftConfig,
  measuredWindow: Float64Array | undefined,
  files: { magnitude: string; phase: string | null },
  decoder: BlockDecoder,
  jobs: ExportJob[],
  workers: number,
  writer: WavStreamWriter,
  onProgress?: (fraction: number) => void,
): SampleRange[] {
  const shared = new SharedArrayBuffer(4 * statusAt(workers + 1));
  const state = new Int32Array(shared);
  const plan: Plan = { config, measuredWindow, jobs, tmp: writer.tmp, outStart: jobs[0].outStart, shared };
  const totalFrames = jobs.reduce((s, j) => s + j.frameEnd - j.frameStart, 0);
  const report = (): void => {
    if (!onProgress) return;
    let done = 0;
    for (let t = 0; t <= workers; t++) done += Atomics.load(state, framesAt(t));
    onProgress(Math.min(1, done / totalFrames));
  };
  const running: Running[] = [];
  let outs: WorkerOutput[] | null = null;
  /** Wait for every worker that started and abandon the others (once). Returns the outputs of the former. */
  const settle = (): WorkerOutput[] => {
    if (outs) return outs;
    outs = [];
    for (const r of running) {
      const at = statusAt(r.slot);
      if (Atomics.compareExchange(state, at, IDLE, ABANDONED) === IDLE) continue;
      while (Atomics.load(state, at) === RUNNING) {
        Atomics.wait(state, at, RUNNING, WAIT_MS);
        report();
      }
      const msg = receiveMessageOnPort(r.port);
      outs.push(msg ? (msg.message as WorkerOutput) : { ok: false, name: 'Error', message: `export worker ${r.slot} ended without a result`, exitCode: null });
    }
    return outs;
  };
  try {
    // Options a worker refuses (--input-type of `node -e`) are left out of those it inherits.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    for (let slot = 1; slot <= workers; slot++) {
      const { port1, port2 } = new MessageChannel();
      const input: WorkerInput = { ...plan, magnitudeFile: files.magnitude, phaseFile: files.phase, slot, port: port2 };
      let worker: Worker;
      try {
        worker = new Worker(WORKER_URL, { workerData: input, transferList: [port2], execArgv });
      } catch {
        port1.close();
        break; // no more threads to be had: the threads already started do the work
      }
      // Never keep the process alive for a worker: the main thread waits for it synchronously anyway.
      worker.unref();
      // A worker that failed before taking any work was abandoned and its work done here: nothing to report.
      worker.on('error', () => {});
      running.push({ port: port1, slot });
    }
    // A worker's failure stops this thread at its next block, and the workers stop when it fails.
    let failure: unknown = null;
    let results: StretchResult[] = [];
    try {
      results = takeStretches(plan, decoder, 0, () => {
        report();
        if (running.some((r) => Atomics.load(state, statusAt(r.slot)) === FAILED)) throw new WorkerFailed();
      });
    } catch (e) {
      failure = e;
      Atomics.store(state, ABORT, 1);
    }
    const settled = settle();
    const failed = settled.find((o) => !o.ok && o.message !== STOPPED);
    if (failure !== null && !(failure instanceof WorkerFailed)) throw failure;
    if (failed && !failed.ok) throw workerError(failed);
    if (failure !== null) throw failure;
    for (const out of settled) if (out.ok) results.push(...out.results);
    results.sort((a, b) => a.index - b.index);
    const gaps: SampleRange[] = [];
    let samples = 0;
    let peak = 0;
    jobs.forEach((job, i) => {
      const r = results[i];
      if (r?.index !== i || r.samples !== job.outEnd - job.outStart) throw new Error(`export stretch ${i} is missing or incomplete`);
      samples += r.samples;
      peak = Math.max(peak, r.peak);
      for (const g of r.gaps) {
        const last = gaps[gaps.length - 1];
        if (last && last.end === g.start) last.end = g.end;
        else gaps.push({ ...g });
      }
    });
    writer.appendWritten(samples, peak);
    report();
    return gaps;
  } finally {
    // Whatever failed, no worker may still be writing when the caller removes the temp file.
    Atomics.store(state, ABORT, 1);
    settle();
    for (const r of running) r.port.close();
  }
}
