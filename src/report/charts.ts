/**
 * The report's pictures as SVG: Vega-Lite specs compiled and rendered by Vega on the server (its SVG
 * renderer needs no canvas), so every plot has axes, units, labels and, for the spectrogram, a dB
 * colour bar. The spectrogram's cells are a PNG raster (fast-png) under Vega's axes, coloured with the
 * same viridis scheme as its colour bar. Each SVG stands alone: no external resource, no script.
 */
import { encode } from 'fast-png';
import { parse, scheme, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { SPECTROGRAM_PIXELS, type SpectrogramGrid } from './figures.js';

/** Colours of the plots (a colour-blind-safe pair for chosen / runner-up, neutral for measured). */
const BLUE = '#1f5fb4';
const ORANGE = '#e0771c';
const GREY = '#8a8a9a';
const GREEN = '#2e9e4f';
/** The spectrogram's dynamic range below its peak (dB). */
export const SPECTROGRAM_RANGE_DB = 90;
/** Plot width of the other charts: the spectrogram's, so the pages line up. */
const PLOT_WIDTH = SPECTROGRAM_PIXELS.width;

/** Render a Vega-Lite spec to a standalone SVG string (quietly: the CLI's stderr is not Vega's). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none', logLevel: 0 });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** 256 viridis colours from Vega's own scheme, so the raster matches the colour bar exactly. */
function viridisPalette(): number[][] {
  const interpolate = scheme('viridis') as (t: number) => string;
  return Array.from({ length: 256 }, (_, i) => {
    const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(interpolate(i / 255));
    if (!m) throw new Error(`unexpected colour ${interpolate(i / 255)}`);
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  });
}

/**
 * The grid as an indexed-colour PNG (low frequencies at the bottom), dB mapped onto [peak − range, peak]:
 * one byte a cell, a third of RGB's to compress.
 */
function spectrogramPng(grid: SpectrogramGrid): Uint8Array {
  const { columns, rows } = grid;
  const data = new Uint8Array(columns * rows);
  const lo = grid.peakDb - SPECTROGRAM_RANGE_DB;
  for (let x = 0; x < columns; x++) {
    for (let r = 0; r < rows; r++) {
      const t = Math.max(0, Math.min(1, (grid.db[x * rows + r] - lo) / SPECTROGRAM_RANGE_DB));
      data[(rows - 1 - r) * columns + x] = Math.round(t * 255);
    }
  }
  return encode({ width: columns, height: rows, data, channels: 1, depth: 8, palette: viridisPalette() });
}

const dataUri = (mime: string, bytes: Uint8Array): string => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

/** Round to a few significant digits: the SVG holds every number as text. */
const r4 = (v: number): number => Number(v.toPrecision(4));

/** The decoded input: time (s) × frequency (Hz) when the sample rate is known, frames × bins otherwise; dB colour bar. */
export function spectrogramSpec(grid: SpectrogramGrid): TopLevelSpec {
  const top = Math.round(grid.peakDb);
  const bottom = top - SPECTROGRAM_RANGE_DB;
  return {
    width: SPECTROGRAM_PIXELS.width,
    height: SPECTROGRAM_PIXELS.height,
    layer: [
      {
        data: { values: [{ url: dataUri('image/png', spectrogramPng(grid)) }] },
        mark: {
          type: 'image',
          aria: false,
          align: 'left',
          baseline: 'top',
          aspect: false,
          smooth: false,
          width: { expr: 'width' },
          height: { expr: 'height' },
        },
        encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
      },
      {
        // Invisible marks that carry the axes' domains and the colour bar.
        data: {
          values: [
            { x: grid.x.from, y: grid.y.from, db: bottom },
            { x: grid.x.to, y: grid.y.to, db: top },
          ],
        },
        mark: { type: 'point', opacity: 0 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: grid.x.title, scale: { domain: [r4(grid.x.from), r4(grid.x.to)], nice: false, zero: false } },
          y: { field: 'y', type: 'quantitative', title: grid.y.title, scale: { domain: [r4(grid.y.from), r4(grid.y.to)], nice: false, zero: false } },
          color: {
            field: 'db',
            type: 'quantitative',
            title: 'dB',
            scale: { scheme: 'viridis', domain: [bottom, top] },
            legend: { gradientLength: 300, gradientThickness: 14, titleOrient: 'top' },
          },
        },
      },
    ],
  };
}

/** At most `n` evenly spaced points of a curve, as [index, value] rows. */
function decimate(v: Float64Array, n: number): [number, number][] {
  const step = Math.max(1, Math.ceil(v.length / n));
  const out: [number, number][] = [];
  for (let i = 0; i < v.length; i += step) out.push([i, r4(v[i])]);
  if ((v.length - 1) % step !== 0) out.push([v.length - 1, r4(v[v.length - 1])]);
  return out;
}

/** Measured imprint against the chosen window's w² and, when there is one, the runner-up window's. */
export function imprintSpec(curves: { label: string; values: Float64Array; role: 'measured' | 'chosen' | 'runner-up' }[]): TopLevelSpec {
  const colour = { measured: GREY, chosen: BLUE, 'runner-up': ORANGE };
  const rows = curves.flatMap((c) => decimate(c.values, 400).map(([n, v]) => ({ n, v, curve: c.label })));
  const legend = { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 600, symbolStrokeWidth: 2.5 };
  return {
    width: PLOT_WIDTH,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.6, clip: true },
    encoding: {
      x: { field: 'n', type: 'quantitative', title: 'sample within the frame (n)', scale: { nice: false } },
      y: { field: 'v', type: 'quantitative', title: 'normalised energy (w², peak 1)' },
      // Colour and dash share one legend (the same field): the runner-up shows dashed there too.
      color: {
        field: 'curve',
        type: 'nominal',
        title: null,
        scale: { domain: curves.map((c) => c.label), range: curves.map((c) => colour[c.role]) },
        legend,
      },
      strokeDash: {
        field: 'curve',
        type: 'nominal',
        title: null,
        scale: { domain: curves.map((c) => c.label), range: curves.map((c) => (c.role === 'runner-up' ? [6, 3] : [1, 0])) },
        legend,
      },
    },
  };
}

/** One bar per candidate, named on the axis; the measure is consistency (dB) or, without phase, the score. */
export function candidateBarsSpec(bars: { label: string; value: number; best: boolean }[], title: string): TopLevelSpec {
  const values = bars.map((b) => ({ ...b, value: r4(b.value), text: b.value.toFixed(1) }));
  // The value is written inside its bar, at the far end from zero (bars of negative dB grow leftwards).
  const leftwards = bars.every((b) => b.value <= 0);
  return {
    width: PLOT_WIDTH - 300,
    height: { step: 26 },
    data: { values },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320, labelFontSize: 11 } },
      x: { field: 'value', type: 'quantitative', title },
    },
    layer: [
      {
        mark: { type: 'bar', height: 18 },
        encoding: { color: { field: 'best', type: 'nominal', scale: { domain: [true, false], range: [GREEN, GREY] }, legend: null } },
      },
      {
        mark: { type: 'text', align: leftwards ? 'left' : 'right', dx: leftwards ? 4 : -4, fontSize: 11, fill: 'white' },
        encoding: { text: { field: 'text' } },
      },
    ],
  };
}

/** A waveform as its (min, max) envelope over time in seconds. */
export function waveformSpec(env: { min: Float64Array; max: Float64Array }, fromSeconds: number, toSeconds: number, timeTitle: string): TopLevelSpec {
  const n = env.min.length;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(env.min[i]), Math.abs(env.max[i]));
  const k = peak > 0 ? 1 / peak : 1;
  const values = Array.from({ length: n }, (_, i) => ({
    t: r4(fromSeconds + ((i + 0.5) * (toSeconds - fromSeconds)) / n),
    lo: r4(env.min[i] * k),
    hi: r4(env.max[i] * k),
  }));
  return {
    width: PLOT_WIDTH,
    height: 180,
    data: { values },
    mark: { type: 'area', color: BLUE, opacity: 0.85 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: timeTitle, scale: { domain: [r4(fromSeconds), r4(toSeconds)], nice: false, zero: false } },
      y: { field: 'lo', type: 'quantitative', title: 'amplitude (÷ peak)', scale: { domain: [-1, 1] } },
      y2: { field: 'hi' },
    },
  };
}
