/**
 * What both report formats show, gathered once: the pictures (SVG), the listening excerpts of the top
 * candidates (WAV bytes) and the export command of every candidate. The input is read while an
 * Evidence is open (synchronously); the charts are rendered afterwards.
 */
import { measuredWindowOf } from '../../heuristics/index.js';
import { Evidence } from '../analysis/evidence.js';
import { truncatedShape } from '../analysis/phase-quality.js';
import type { StftConfig } from '../config/types.js';
import type { AnalysisResult, Candidate } from '../analyze/index.js';
import { candidateBarsSpec, imprintSpec, renderSvg, spectrogramSpec, waveformSpec } from './charts.js';
import { candidateExcerpt, type Excerpt, loudestSpan, wav16 } from './excerpt.js';
import { envelope, SPECTROGRAM_PIXELS, spectrogramGrid, windowImprint, windowSquared } from './figures.js';
import { exportCommand, flatConfig, q, show } from './format.js';

/** Candidates the report lets a person hear. */
const LISTEN_TOP = 3;

export interface Listening {
  rank: number;
  /** `field=value` for every field in which this candidate differs from rank 1 (empty for rank 1). */
  differs: string[];
  /** 16-bit WAV of the excerpt, or null when it could not be reconstructed (see `problem`). */
  wav: Uint8Array | null;
  phase: 'file' | 'retrieved';
  /** The excerpt's span in seconds of the reconstructed signal. */
  from: number;
  to: number;
  sampleRate: number;
  problem: string | null;
}

export interface ExportCommands {
  rank: number;
  /** Re-runs the analysis with the same pins and exports this rank. */
  byRank: string;
  /** Every field pinned: skips the search. */
  pinned: string;
}

export interface ReportContent {
  result: AnalysisResult;
  recipe: string | null;
  /** SVG text of each picture; null when the input cannot give it (no phase: no imprint). */
  pictures: { spectrogram: string; imprint: string | null; candidates: string | null; waveform: string | null };
  /** What the candidate chart measures. */
  candidatesMeasure: 'consistency' | 'score';
  /** The runner-up window the imprint is drawn against, as a label (null: none). */
  runnerUpWindow: string | null;
  listening: Listening[];
  commands: ExportCommands[];
}

export interface ReportOptions {
  /** The analysis's own pins as CLI arguments (`--set k=v`, `--sample-rate N`, `--config F`): repeated in the --rank commands. */
  pinArgs?: string[];
}

/** The fields in which `c` differs from `best`, as `field=value`. */
function differences(best: StftConfig, c: StftConfig): string[] {
  const other = new Map(flatConfig(c));
  return flatConfig(best)
    .filter(([f, v]) => show(other.get(f)) !== show(v))
    .map(([f]) => `${f}=${show(other.get(f))}`);
}

/** A short name for a candidate on a chart axis: rank 1's geometry, the others by what they change in it. */
function candidateLabel(c: Candidate, best: StftConfig): string {
  const text = c.rank === 1 ? `${c.config.window} ${c.config.nfft}/${c.config.hop}` : differences(best, c.config).join(', ') || 'same fields';
  return `#${c.rank} ${text.length > 60 ? `${text.slice(0, 59)}…` : text}`;
}

/** The window's name with its symmetry and length. */
const windowName = (c: StftConfig): string => `${c.window} (${c.windowSymmetry}, ${c.winLength} of ${c.nfft}, ${c.windowPlacement})`;

/** The best-ranked candidate whose window differs in shape from rank 1's: what the imprint should be told apart from. */
function runnerUpWindowOf(r: AnalysisResult): { config: StftConfig; label: string } | null {
  const best = r.candidates[0].config;
  const key = (c: StftConfig): string => `${c.window}|${c.windowSymmetry}|${c.winLength}|${c.windowPlacement}|${c.nfft}`;
  const other = r.candidates.find((c) => key(c.config) !== key(best) && c.config.window !== 'estimated');
  if (other) return { config: other.config, label: `runner-up: ${windowName(other.config)}, rank ${other.rank}` };
  const d = r.decisions.find((x) => x.field === 'window');
  const alt = d?.analyzerRunnerUp?.value;
  if (typeof alt === 'string' && alt !== 'estimated' && alt !== best.window) {
    const config = { ...best, window: alt as StftConfig['window'] };
    return { config, label: `runner-up (window analyzer): ${windowName(config)}` };
  }
  return null;
}

interface Gathered {
  grid: ReturnType<typeof spectrogramGrid>;
  imprint: { measured: Float64Array; chosen: Float64Array } | null;
  runnerUp: { config: StftConfig; label: string } | null;
  excerpts: (Excerpt | { problem: string })[];
}

/** Everything read from the input files (while the Evidence is open). */
function gather(r: AnalysisResult): Gathered {
  const evidence = new Evidence(r.magnitudeFile, r.phaseFile);
  try {
    const c = r.candidates[0].config;
    const grid = spectrogramGrid(evidence, c);
    // A phase file that ends early (read on the frames it covers) gives the imprint those frames and no others.
    const phaseValues = c.phaseFile && evidence.phase ? evidence.phase.source(c.phaseFile).length : c.frames * c.bins;
    const readable = truncatedShape(Math.min(phaseValues, c.frames * c.bins), c);
    // A bin-major file that ends early lacks the upper bins of every frame: no frame to take an imprint of.
    const covered = readable.bins === c.bins ? readable.frames : 0;
    // A measured window ('estimated') is drawn as measured from the files, against the imprint.
    const imprint = covered < 2 ? null : windowImprint(evidence, { ...c, frames: covered }, measuredWindowOf(evidence, c));
    const runnerUp = imprint ? runnerUpWindowOf(r) : null;
    const span = loudestSpan(grid, c);
    const excerpts = r.candidates.slice(0, LISTEN_TOP).map((cand) => {
      // One complex file holds its own phase (the analysis calls its phase file 'absent').
      const complex = cand.config.magnitudeFile.dtype.startsWith('complex');
      const filePhase = complex || (r.phase.kind === 'ok' && cand.config.phaseFile !== null);
      try {
        return candidateExcerpt(evidence, cand.config, span, filePhase);
      } catch (e) {
        return { problem: (e as Error).message };
      }
    });
    return { grid, imprint, runnerUp, excerpts };
  } finally {
    evidence.close();
  }
}

/** Gather and render the report's content. */
export async function reportContent(r: AnalysisResult, recipe: string | null, opts: ReportOptions = {}): Promise<ReportContent> {
  const g = gather(r);
  const best = r.candidates[0];

  const listening: Listening[] = g.excerpts.map((x, i) => {
    const c = r.candidates[i];
    const differs = i === 0 ? [] : differences(best.config, c.config);
    if ('problem' in x) return { rank: c.rank, differs, wav: null, phase: 'file', from: 0, to: 0, sampleRate: 0, problem: x.problem };
    return {
      rank: c.rank,
      differs,
      wav: x.samples.length ? wav16(x.samples, x.sampleRate) : null,
      phase: x.phase,
      from: x.start / x.sampleRate,
      to: (x.start + x.samples.length) / x.sampleRate,
      sampleRate: x.sampleRate,
      problem: x.samples.length ? null : 'the excerpt holds no samples under this candidate',
    };
  });

  const consistency = r.candidates.every((c) => c.consistencyDb !== null);
  const bars = r.candidates.map((c) => ({ label: candidateLabel(c, best.config), value: (consistency ? c.consistencyDb : c.score) ?? 0, best: c.rank === 1 }));
  const imprintCurves = g.imprint
    ? [
        { label: 'measured: mean of y_m² over sampled frames', values: g.imprint.measured, role: 'measured' as const },
        { label: `chosen: ${windowName(best.config)}`, values: g.imprint.chosen, role: 'chosen' as const },
        ...(g.runnerUp ? [{ label: g.runnerUp.label, values: windowSquared(g.runnerUp.config), role: 'runner-up' as const }] : []),
      ]
    : null;
  const first = g.excerpts[0];
  const waveform =
    first && !('problem' in first) && first.samples.length
      ? waveformSpec(
          envelope(first.samples, SPECTROGRAM_PIXELS.width),
          first.start / first.sampleRate,
          (first.start + first.samples.length) / first.sampleRate,
          best.config.sampleRate ? 'time (s)' : `time (s, at an assumed ${first.sampleRate} Hz)`,
        )
      : null;

  const [spectrogram, imprint, candidates, wave] = await Promise.all([
    renderSvg(spectrogramSpec(g.grid)),
    imprintCurves ? renderSvg(imprintSpec(imprintCurves)) : null,
    renderSvg(candidateBarsSpec(bars, consistency ? 'consistency (dB; more negative = more consistent)' : 'score (analyzers’ prior cost; lower is better)')),
    waveform ? renderSvg(waveform) : null,
  ]);

  const files = [q(r.magnitudeFile), ...(r.phaseFile ? [q(r.phaseFile)] : [])];
  const pins = (opts.pinArgs ?? []).map(q);
  const commands = r.candidates.map((c) => ({
    rank: c.rank,
    byRank: ['npx spec-detect export', ...files, '-o', `out-rank${c.rank}.wav`, '--rank', String(c.rank), ...pins].join(' '),
    pinned: exportCommand(r, c, `out-rank${c.rank}.wav`),
  }));

  return {
    result: r,
    recipe,
    pictures: { spectrogram, imprint, candidates, waveform: wave },
    candidatesMeasure: consistency ? 'consistency' : 'score',
    runnerUpWindow: g.runnerUp?.label ?? null,
    listening,
    commands,
  };
}

/** Where an excerpt lies (seconds at its sample rate) and, with `phase`, how its phase was had. */
export function excerptDescription(l: Listening, phase: boolean): string {
  if (l.problem) return `not available: ${l.problem}`;
  const how = l.phase === 'file' ? 'phase from the file' : 'phase retrieved from the magnitudes';
  return `${l.from.toFixed(2)}–${l.to.toFixed(2)} s at ${l.sampleRate} Hz${phase ? `, ${how}` : ''}`;
}
