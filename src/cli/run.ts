import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { applySets, completeConfig, pinsAreComplete, readConfigFile } from '../config/parse.js';
import type { PartialStftConfig, StftConfig } from '../config/types.js';
import { reportFormat } from '../report/format.js';
import { terminalReport } from '../report/terminal.js';
import { analyze, type Candidate, recipeOf } from '../analyze/index.js';
import type { PhaseAssessment } from '../analysis/phase-quality.js';
import { reconstruct } from '../export/index.js';
import { anyHdf5, loadHdf5 } from '../io/containers/index.js';
import { checkOutputPath, checkWritableFolder } from '../io/output.js';
import { checkInputPaths } from '../io/input.js';
import { describeGaps } from '../dsp/stft.js';
import { SpecDetectError, UsageError } from '../errors.js';
import type { WavBits } from '../io/wav.js';
import type { CliIo } from './io.js';
import { type Progress, progressBar } from './progress.js';
import { type BatchCliOptions, batchCommand } from '../batch/command.js';

export type { CliIo } from './io.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

/** The pins a user gave: --config file first, then --set on top. */
export function userPins(configFile: string | undefined, sets: string[]): PartialStftConfig {
  const base = configFile ? readConfigFile(configFile) : {};
  return applySets(base, sets);
}

interface ExportCliOptions {
  output: string;
  config?: string;
  set: string[];
  rank: number;
  sampleRate?: number;
  bits: string;
  normalize?: 'peak' | 'none';
  force: boolean;
  iterations?: number;
  channel?: number;
}

interface AnalyzeCliOptions {
  json: boolean;
  top: number;
  sampleRate?: number;
  set: string[];
  config?: string;
  report?: string;
}

/** Pins plus --sample-rate (which is a pin on sampleRate). */
function pinsFrom(o: { config?: string; set: string[]; sampleRate?: number }): PartialStftConfig {
  const pins = userPins(o.config, o.set);
  if (o.sampleRate !== undefined) pins.sampleRate = o.sampleRate;
  return pins;
}

function stageProgress(io: CliIo): { onProgress: (stage: string, f: number) => void; done: () => void } {
  const bar = progressBar(io, 'analyze');
  return { onProgress: (_stage, f) => bar.update(f), done: bar.done };
}

async function analyzeCommand(mag: string, phase: string | undefined, o: AnalyzeCliOptions, io: CliIo): Promise<void> {
  checkInputPaths([{ path: mag }, { path: phase }, { path: o.config, role: 'config' }]);
  if (o.report) checkReportPath(o.report);
  if (anyHdf5([mag, phase])) await loadHdf5();
  const pins = pinsFrom(o);
  const progress = stageProgress(io);
  const r = analyze(mag, phase ?? null, { pins, top: o.top, onProgress: progress.onProgress });
  progress.done();
  // Scripts read stderr: an unusable phase file is said there too, not only inside the report or JSON.
  if (phase !== undefined && !r.phase.usable)
    io.stderr(`warning: the phase file ${phase} is unusable (${r.phase.kind}: ${r.phase.reason}); candidates are ranked from the magnitudes alone\n`);
  const recipe = recipeOf(r.candidates[0]);
  if (o.report) {
    // Loaded only when asked for: the charting libraries cost a plain analyze nothing.
    const { writeReport } = await import('../report/write.js');
    const written = await writeReport(o.report, r, recipe, { pinArgs: pinArgs(o) });
    io.stderr(`wrote ${written.join(', ')}\n`);
  }
  if (o.json) io.stdout(`${JSON.stringify({ ...r, recipe }, null, 1)}\n`);
  else io.stdout(terminalReport(r) + (recipe ? `recipe: ${recipe}\n` : '') + (o.report ? `report: ${o.report}\n` : ''));
}

/** The analysis's pins as export arguments, so a report's `--rank N` command finds the same candidates. */
function pinArgs(o: AnalyzeCliOptions): string[] {
  return [
    ...(o.config ? ['--config', o.config] : []),
    ...o.set.flatMap((s) => ['--set', s]),
    ...(o.sampleRate !== undefined ? ['--sample-rate', String(o.sampleRate)] : []),
  ];
}

function checkReportPath(file: string): void {
  checkWritableFolder(file);
  if (!reportFormat(file)) throw new UsageError(`${file}: the report must be a .md or .html file`);
}

async function exportCommand(mag: string, phase: string | undefined, o: ExportCliOptions, io: CliIo): Promise<void> {
  checkInputPaths([{ path: mag }, { path: phase }, { path: o.config, role: 'config' }]);
  if (anyHdf5([mag, phase])) await loadHdf5();
  const pins = pinsFrom(o);
  checkOutputPath(o.output, o.force);
  let config: StftConfig;
  let files: { magnitude: string; phase: string | null } = { magnitude: mag, phase: phase ?? null };
  let phaseVerdict: PhaseAssessment | undefined;
  let ambiguous: Candidate['ambiguousStart'];
  if (pinsAreComplete(pins, phase !== undefined)) {
    config = completeConfig(pins, phase !== undefined, o.config ?? '--set');
    ambiguous = ambiguityOf(o.config);
  } else {
    const progress = stageProgress(io);
    const r = analyze(mag, phase ?? null, { pins, top: Math.max(o.rank, 5), onProgress: progress.onProgress });
    progress.done();
    const c = r.candidates[o.rank - 1];
    if (!c) throw new UsageError(`--rank ${o.rank}: only ${r.candidates.length} candidate(s) were found`);
    config = c.config;
    ambiguous = c.ambiguousStart;
    files = { magnitude: r.magnitudeFile, phase: r.phaseFile };
    if (r.phaseFile !== null) phaseVerdict = { usable: r.phase.usable, kind: r.phase.kind, reason: r.phase.reason, metrics: {} };
    for (const n of r.notes) io.stderr(`note: ${n}\n`);
    io.stderr(`using candidate ${c.rank} of the analysis (score ${c.score.toFixed(1)} dB, confidence ${(c.confidence * 100).toFixed(1)} %)\n`);
  }
  const bits = Number(o.bits) as WavBits;
  const progress: Progress = progressBar(io, 'export');
  const r = reconstruct(config, files.magnitude, files.phase, {
    output: o.output,
    sampleRate: o.sampleRate ?? null,
    bits,
    // An unknown gain makes the absolute level meaningless: normalise unless the user says otherwise.
    normalize: o.normalize ?? (bits === 32 && config.gain !== 'unknown' ? 'none' : 'peak'),
    force: o.force,
    onProgress: progress.update,
    ...(o.iterations !== undefined ? { iterations: o.iterations } : {}),
    // The analysis judged channel 0's phase: another channel's is judged on its own.
    ...(phaseVerdict && !o.channel ? { phaseVerdict } : {}),
    ...(o.channel !== undefined ? { channel: o.channel } : {}),
    startAmbiguous: ambiguous !== null,
  });
  progress.done();
  const rateNote = { option: 'from --sample-rate', config: 'from the config', default: 'a default: nothing recorded it; pass --sample-rate' }[
    r.sampleRateSource
  ];
  if (r.phaseUse !== 'file') {
    const what = r.phaseUse === 'partial' ? 'phase retrieved around the trusted part of the phase file' : 'phase retrieved from the magnitudes';
    io.stderr(`${what} (${r.phaseReason}): ${r.iterations} iterations, spectral convergence ${r.spectralConvergenceDb?.toFixed(1)} dB\n`);
  }
  io.stderr(
    `wrote ${r.output}: ${r.samples} samples${config.channels > 1 ? (o.channel === undefined ? ` × ${config.channels} channels` : ` of channel ${o.channel} (of ${config.channels})`) : ''} (${(r.samples / r.sampleRate).toFixed(3)} s) at ${r.sampleRate} Hz (${rateNote}), ${bits}-bit${r.normalizeGain !== 1 ? `, peak-normalised ×${r.normalizeGain.toPrecision(4)}` : ''}\n`,
  );
  if (r.gaps.length) io.stderr(`warning: ${describeGaps(r.gaps)}; those samples are silent\n`);
  if (r.filled.length) {
    const n = r.filled.reduce((s, g) => s + g.end - g.start, 0);
    io.stderr(
      `note: ${n} sample(s) in ${r.filled.length} short run(s) that no window weight reaches (the window's ends are zero) are not in the file: interpolated from their neighbours (least-squares AR), an estimate\n`,
    );
  }
  // The analysis note above said why; this says where the WAV begins.
  if (ambiguous) io.stderr(`note: the start is ambiguous: wrote from frame 0's first sample (index ${r.start} in this reading)\n`);
  // DESIGN.md §1: an unknown length keeps every covered sample; say that the end may hold the maker's padding.
  if (config.originalLength === null) {
    io.stderr(`note: originalLength unknown: wrote every sample a frame covers; the end may hold padding (set originalLength to trim it)\n`);
  }
}

/** A whole candidate given as --config keeps its ambiguous start (Candidate.ambiguousStart), as `--rank` would. */
function ambiguityOf(file: string | undefined): Candidate['ambiguousStart'] {
  if (file === undefined) return null;
  // readConfigFile has read and parsed it already: what is here is valid JSON.
  const a = (JSON.parse(readFileSync(file, 'utf8')) as { ambiguousStart?: { spreadSamples?: unknown } | null }).ambiguousStart;
  return a && typeof a.spreadSamples === 'number' ? { spreadSamples: a.spreadSamples } : null;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('spec-detect')
    .description('Infer how an unknown STFT (magnitude + phase files) was made, and reconstruct its audio.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  program
    .command('analyze')
    .description('infer the configuration of an unknown STFT and rank candidates')
    .argument('<magnitude-file>')
    .argument('[phase-file]')
    .option('--json', 'print exactly one JSON object on stdout', false)
    .option('--top <n>', 'how many candidates to show', positiveInt('--top'), 5)
    .option('--sample-rate <hz>', 'the sample rate, if you know it', positiveInt('--sample-rate'))
    .option('--set <key=value>', 'pin a field you know (repeatable; dotted for file fields)', collect, [])
    .option('--config <file>', 'a (partial) config JSON whose fields are pinned')
    .option(
      '--report <file.md|file.html>',
      'also write a report: .html one self-contained page with pictures and audio excerpts; .md Markdown with SVG pictures beside it',
    )
    .action(async (mag: string, phase: string | undefined, o: AnalyzeCliOptions) => analyzeCommand(mag, phase, o, io));

  program
    .command('export')
    .description('reconstruct the audio as a WAV')
    .argument('<magnitude-file>')
    .argument('[phase-file]')
    .requiredOption('-o, --output <file>', 'output WAV')
    .option('--config <file>', 'a config JSON (a candidate from analyze --json, or its config)')
    .option('--set <key=value>', 'pin a field (repeatable; dotted for file fields)', collect, [])
    .option('--rank <n>', 'export the candidate of this rank', positiveInt('--rank'), 1)
    .option('--sample-rate <hz>', 'sample rate of the WAV', positiveInt('--sample-rate'))
    .addOption(new Option('--bits <n>', 'WAV sample format').choices(['16', '24', '32']).default('32'))
    .addOption(
      new Option('--normalize <mode>', 'peak: scale to -0.09 dBFS (default for 16/24-bit and when the gain is unknown); none').choices(['peak', 'none']),
    )
    .option('--force', 'overwrite an existing output file', false)
    .option('--iterations <n>', 'phase-retrieval iterations when the phase must be retrieved (default 100)', positiveInt('--iterations'))
    .option('--channel <k>', 'export only channel k of a multichannel input, 0-based (default: every channel, interleaved)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('--channel must be an integer >= 0 (channels count from 0)');
      return n;
    })
    .action(async (mag: string, phase: string | undefined, o: ExportCliOptions) => exportCommand(mag, phase, o, io));

  program
    .command('batch')
    .description('analyse every pair of a folder or manifest, one JSON line each (exit 4 when some failed)')
    .argument('<folder|manifest>', 'a folder (files paired by name) or a manifest (.csv with a header, or .jsonl)')
    .option('--out <results.jsonl>', 'results file, appended; pairs already ok in it are skipped')
    .option('--export-dir <dir>', "also write each pair's rank-1 WAV here, named after the pair")
    .option('--jobs <n>', 'pairs at once, each in its own process (default: the number of cores)', positiveInt('--jobs'))
    .option('--shard <i/n>', 'take the pairs whose index in the sorted list is i mod n')
    .option('--top <n>', 'candidates kept per pair', positiveInt('--top'), 5)
    .option('--set <key=value>', 'pin a field for every pair (repeatable)', collect, [])
    .option('--config <file>', 'a (partial) config JSON pinned for every pair')
    .option('--max-memory <mb>', 'resident memory per job; a job over it fails its pair (default: 80 % of RAM shared by the jobs)', positiveInt('--max-memory'))
    .option('--dry-run', 'list the pairs found (and the files skipped) and exit', false)
    .action(async (input: string, o: BatchCliOptions) => batchCommand(input, o, io, userPins));

  return program;
}

/** Run the CLI; returns the exit code. Errors become one line on stderr (never a stack trace). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message; help/version are not errors.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof SpecDetectError) {
      io.stderr(`spec-detect: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && (err.code === 'ENOSPC' || err.code === 'EACCES' || err.code === 'EROFS')) {
      io.stderr(`spec-detect: ${err.message}\n`);
      return 3;
    }
    io.stderr(`spec-detect: internal error: ${err?.message ?? String(e)} (please report this)\n`);
    return 1;
  }
}
