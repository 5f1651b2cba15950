import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Evidence } from '../src/analysis/evidence.js';
import type { StftConfig } from '../src/config/types.js';
import { frameCountFor, geometryFromConfig } from '../src/dsp/stft.js';
import { run } from '../src/cli/run.js';
import { reportContent } from '../src/report/content.js';
import { candidateExcerpt, EXCERPT_SECONDS, loudestSpan, wav16 } from '../src/report/excerpt.js';
import { spectrogramGrid } from '../src/report/figures.js';
import { writeHtmlReport } from '../src/report/html.js';
import type { AnalysisResult } from '../src/analyze/index.js';
import { makeStftFiles } from '../src/synth/make.js';
import { demoSignal } from '../src/synth/signals.js';

/**
 * `analyze --report`: the format follows the extension; the HTML page holds everything inside it
 * (charts as SVG, three listening excerpts as WAV); excerpts are the export's own samples, cut.
 * test/report-browser.test.ts opens the page in a real browser.
 */
const ROOT = join(import.meta.dirname, '..');
const S = (f: string): string => join(ROOT, 'samples', f);
const tmp = mkdtempSync(join(tmpdir(), 'sd-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

/** The WAV data URIs of the page's players, decoded: format fields and sample count. */
function players(html: string): { rate: number; bits: number; samples: number; uri: string }[] {
  return [...html.matchAll(/<audio controls[^>]*src="data:audio\/wav;base64,([^"]+)"/g)].map((m) => {
    const b = Buffer.from(m[1], 'base64');
    expect(b.subarray(0, 4).toString('latin1')).toBe('RIFF');
    return { rate: b.readUInt32LE(24), bits: b.readUInt16LE(34), samples: b.readUInt32LE(40) / 2, uri: m[1] };
  });
}

describe('analyze --report', () => {
  it('FILE.html: one self-contained page with the tables, labelled charts and three different excerpts', async () => {
    const file = join(tmp, 'pair.html');
    const r = await cli('analyze', S('librosa-default.mag'), S('librosa-default.phase'), '--report', file);
    expect(r.code, r.err).toBe(0);
    // The terminal table is unchanged; one line after it names the report.
    expect(r.out.trimEnd().split('\n').pop()).toBe(`report: ${file}`);
    const html = readFileSync(file, 'utf8');
    // Nothing outside the page: no script, no stylesheet link, no remote source.
    expect(html).not.toMatch(/<script|<link|src="(?!data:)|href="https?:/i);
    for (const heading of ['Listen to the top 3', 'Ranked candidates', 'How each field was decided', 'Export', 'Pictures']) expect(html).toContain(heading);
    const charts = [...html.matchAll(/<img class="chart" alt="([^"]+)" src="data:image\/svg\+xml;charset=utf-8,([^"]+)"/g)];
    expect(charts.map((m) => m[1])).toEqual([
      'consistency of each candidate (dB)',
      'spectrogram of the decoded input',
      'window imprint',
      'waveform of the rank-1 excerpt',
    ]);
    const svg = (i: number): string => decodeURIComponent(charts[i][2]);
    // Axes with units, candidates named on the axis, a colour bar in dB.
    expect(svg(0)).toMatch(/consistency \(dB/);
    expect(svg(0)).toContain('#1 hann 2048/512');
    expect(svg(1)).toMatch(/time \(s\)[\s\S]*frequency \(Hz\)|frequency \(Hz\)[\s\S]*time \(s\)/);
    expect(svg(1)).toMatch(/>dB</);
    expect(svg(1)).toMatch(/<image[^>]+data:image\/png;base64/);
    expect(svg(2)).toContain('sample within the frame (n)');
    // The runner-up is another window: the symmetric Hann misses the ratios overlapping frames fix (a
    // periodic window made the file), so the next reading is another family (one of the hopeless
    // block readings: which one is decided by their taper agreements, a few dB apart).
    expect(svg(2)).toMatch(/runner-up: (?!hann )[a-z][\w.-]* \((periodic|symmetric), \d+ of 2048, centred\), rank \d/);
    expect(svg(3)).toContain('time (s)');
    const p = players(html);
    expect(p).toHaveLength(3);
    expect(new Set(p.map((x) => x.uri)).size).toBe(3);
    for (const x of p) {
      expect(x.bits).toBe(16);
      expect(x.samples).toBeGreaterThan(0);
      expect(x.samples / x.rate).toBeLessThanOrEqual(EXCERPT_SECONDS);
    }
    // Rank 2 is labelled with the fields in which it differs from rank 1; every rank has its export command.
    expect(html).toMatch(/differs from rank 1 in <code>center=false<\/code>/);
    for (const n of [1, 2, 3, 4]) expect(html).toContain(`-o out-rank${n}.wav --rank ${n}`);
    expect(html.match(/phase from the file/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('magnitude-only input: the excerpts are of the retrieved phase, and say so', async () => {
    const file = join(tmp, 'mag.html');
    const r = await cli('analyze', S('librosa-default.mag'), '--report', file);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(players(html)).toHaveLength(3);
    expect(html.match(/retrieved phase \(magnitude-only input\)/g)).toHaveLength(3);
    expect(html).toContain('window imprint: not available for this input');
    expect(html.includes('No phase to test consistency with')).toBe(true);
  });

  it("a measured window ('estimated'): the imprint is drawn against the window measured from the files", async () => {
    const dir = join(ROOT, 'test', 'fixtures', 'real', 'scipy-stft-blackmanharris-512-128');
    const file = join(tmp, 'estimated.html');
    const r = await cli('analyze', join(dir, 'mag.bin'), join(dir, 'phase.bin'), '--report', file);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toContain('window imprint: not available');
    expect(html).toMatch(/estimated%20\((periodic|symmetric)%2C%20512%20of%20512/);
  });

  it('one complex file: the excerpts use its own phase', async () => {
    const file = join(tmp, 'complex.html');
    const r = await cli('analyze', join(ROOT, 'test', 'fixtures', 'native', 'complex.npy'), '--report', file);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(players(html)).toHaveLength(3);
    expect(html.match(/<span class="tag">phase from the file<\/span>/g)).toHaveLength(3);
    expect(html.includes('retrieved phase')).toBe(false);
  });

  it('the --rank commands repeat the analysis pins, so they find the same candidates', async () => {
    const file = join(tmp, 'pinned.html');
    const r = await cli('analyze', S('torch-400.mag'), S('torch-400.phase'), '--set', 'hop=160', '--sample-rate', '16000', '--report', file);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(`-o out-rank2.wav --rank 2 --set hop=160 --sample-rate 16000</pre>`);
    // The exact form pins every field, the sample rate included.
    expect(html).toMatch(/--set sampleRate=16000/);
  });

  it('a candidate whose differences leave the samples unchanged is said to sound the same', async () => {
    const a = await cli('analyze', S('torch-400.mag'), S('torch-400.phase'), '--json');
    expect(a.code, a.err).toBe(0);
    const { recipe, ...r } = JSON.parse(a.out) as AnalysisResult & { recipe: string | null };
    const content = await reportContent(r, recipe);
    const [[, before]] = writeHtmlReport(join(tmp, 'same.html'), content);
    expect(before.includes('the same audio as rank 1')).toBe(false);
    content.listening[2].wav = content.listening[0].wav;
    const [[, after]] = writeHtmlReport(join(tmp, 'same.html'), content);
    expect(after.match(/the same audio as rank 1/g)).toHaveLength(1);
  });

  it('FILE.md: the Markdown report with its SVG pictures beside it', async () => {
    const file = join(tmp, 'pair.md');
    const r = await cli('analyze', S('torch-400.mag'), S('torch-400.phase'), '--report', file);
    expect(r.code, r.err).toBe(0);
    const md = readFileSync(file, 'utf8');
    for (const name of ['spectrogram', 'imprint', 'consistency', 'waveform']) {
      expect(md).toContain(`](pair.${name}.svg)`);
      const svg = readFileSync(join(tmp, `pair.${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toMatch(/href="(?!data:)/);
    }
    expect(existsSync(join(tmp, 'pair.rank1.json'))).toBe(true);
    expect(md).not.toContain('{{');
  });

  it('another extension is a one-line usage error (exit 2) and writes nothing', async () => {
    const file = join(tmp, 'r.txt');
    const r = await cli('analyze', S('torch-400.mag'), '--report', file);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^spec-detect: .*r\.txt: the report must be a \.md or \.html file$/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(file)).toBe(false);
  });
});

describe('listening excerpts', () => {
  // 14 s at 8 kHz whose first 4 s are quiet: the excerpt is the loud 10 s.
  const sampleRate = 8000;
  const nfft = 512;
  const hop = 128;
  const x = demoSignal(sampleRate, 14, 3);
  for (let i = 0; i < 4 * sampleRate; i++) x[i] *= 0.01;
  const raw = { format: 'raw' as const, dtype: 'float64' as const, endian: 'little' as const, headerBytes: 0, variable: null };
  const base: StftConfig = {
    magnitudeFile: raw,
    phaseFile: raw,
    layout: 'frame-major',
    frames: 0,
    bins: nfft / 2 + 1,
    nfft,
    sided: 'one',
    hop,
    winLength: nfft,
    windowPlacement: 'centred',
    window: 'hann',
    windowSymmetry: 'periodic',
    center: true,
    padMode: 'zeros',
    firstFrameStart: -nfft / 2,
    phaseReference: 'frame-start',
    phaseSign: '+',
    magnitudeScale: 'linear',
    dbFloor: null,
    gain: 1,
    phaseUnit: 'radians',
    sampleRate,
    originalLength: x.length,
  };
  const config: StftConfig = { ...base, frames: frameCountFor(x.length, geometryFromConfig(base)) };
  const made = makeStftFiles(x, config);
  const mag = join(tmp, 'ex.mag');
  const phase = join(tmp, 'ex.phase');
  writeFileSync(mag, made.magnitude);
  writeFileSync(phase, made.phase!);

  it('with phase: the loudest 10 s, sample for sample what export writes there', async () => {
    const evidence = new Evidence(mag, phase);
    let ex;
    try {
      const span = loudestSpan(spectrogramGrid(evidence, config), config);
      ex = candidateExcerpt(evidence, config, span, true);
    } finally {
      evidence.close();
    }
    expect(ex.samples.length).toBe(EXCERPT_SECONDS * sampleRate);
    expect(ex.start).toBeGreaterThanOrEqual(3.5 * sampleRate);
    // The whole file through the export command: the excerpt is its slice (float32 WAV round-off).
    const cfg = join(tmp, 'ex.json');
    writeFileSync(cfg, JSON.stringify(config));
    const wav = join(tmp, 'ex.wav');
    const e = await cli('export', mag, phase, '--config', cfg, '-o', wav, '--bits', '32', '--normalize', 'none');
    expect(e.code, e.err).toBe(0);
    const bytes = readFileSync(wav);
    const full = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
    let worst = 0;
    for (let i = 0; i < ex.samples.length; i++) worst = Math.max(worst, Math.abs(ex.samples[i] - full[ex.start + i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('wav16: peak-normalised 16-bit PCM, a non-finite sample silent', () => {
    const wav = wav16(new Float64Array([0, 0.5, NaN, -1, Infinity]), 8000);
    const b = Buffer.from(wav);
    expect(b.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect([b.readUInt16LE(20), b.readUInt16LE(22), b.readUInt32LE(24), b.readUInt16LE(34), b.readUInt32LE(40)]).toEqual([1, 1, 8000, 16, 10]);
    expect(Array.from({ length: 5 }, (_, i) => b.readInt16LE(44 + 2 * i))).toEqual([0, 16220, 0, -32439, 0]);
  });

  it('without phase: retrieved on the excerpt frames only, at the level of the truth', () => {
    const magOnly: StftConfig = { ...config, phaseFile: null };
    const evidence = new Evidence(mag, null);
    let ex;
    try {
      const span = loudestSpan(spectrogramGrid(evidence, magOnly), magOnly);
      const t = performance.now();
      ex = candidateExcerpt(evidence, magOnly, span, false);
      console.log(`retrieved excerpt of ${EXCERPT_SECONDS} s (${nfft}/${hop} at ${sampleRate} Hz): ${(performance.now() - t).toFixed(0)} ms`);
    } finally {
      evidence.close();
    }
    expect(ex.phase).toBe('retrieved');
    let e = 0;
    let t = 0;
    for (let i = 0; i < ex.samples.length; i++) {
      e += ex.samples[i] ** 2;
      t += x[ex.start + i] ** 2;
    }
    expect(Math.sqrt(e / t)).toBeGreaterThan(0.7);
    expect(Math.sqrt(e / t)).toBeLessThan(1.3);
  });
});
