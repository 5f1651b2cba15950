import type { WindowName, WindowPlacement, WindowSymmetry } from '../config/types.js';

/** A named window family, parsed from the config string (`kaiser-8.6` -> { family: 'kaiser', param: 8.6 }). */
export interface WindowSpec {
  family: 'hann' | 'hamming' | 'blackman' | 'rectangular' | 'sqrt-hann' | 'cosine' | 'kaiser' | 'gaussian' | 'tukey';
  param: number | null;
}

export function parseWindowName(name: WindowName | string): WindowSpec | null {
  switch (name) {
    case 'hann':
    case 'hamming':
    case 'blackman':
    case 'rectangular':
    case 'sqrt-hann':
    case 'cosine':
      return { family: name, param: null };
  }
  const m = /^(kaiser|gaussian|tukey)-(\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/.exec(name);
  if (!m) return null;
  const param = Number(m[2]);
  const family = m[1] as 'kaiser' | 'gaussian' | 'tukey';
  if (!Number.isFinite(param)) return null;
  if (family === 'gaussian' && param <= 0) return null;
  if (family === 'tukey' && (param < 0 || param > 1)) return null;
  return { family, param };
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for kaiser betas). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * The first n samples of the symmetric window of length M + 1 (scipy.signal.windows conventions,
 * sym=True): M = n − 1 is the symmetric window, M = n the periodic one (its last sample left out).
 */
function windowSamples(spec: WindowSpec, n: number, M: number): Float64Array {
  const w = new Float64Array(n);
  if (M === 0) {
    w[0] = 1;
    return w;
  }
  const p = spec.param ?? 0;
  const i0p = spec.family === 'kaiser' ? besselI0(p) : 1;
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / M;
    switch (spec.family) {
      case 'hann':
        w[i] = 0.5 - 0.5 * Math.cos(t);
        break;
      case 'sqrt-hann':
        w[i] = Math.sqrt(Math.max(0, 0.5 - 0.5 * Math.cos(t)));
        break;
      case 'cosine':
        // scipy.signal.windows.cosine, MNE's stft window: the sine lobe at half-sample points, never 0.
        w[i] = Math.sin((Math.PI * (i + 0.5)) / (M + 1));
        break;
      case 'hamming':
        w[i] = 0.54 - 0.46 * Math.cos(t);
        break;
      case 'blackman':
        w[i] = 0.42 - 0.5 * Math.cos(t) + 0.08 * Math.cos(2 * t);
        break;
      case 'rectangular':
        w[i] = 1;
        break;
      case 'kaiser': {
        const r = (2 * i) / M - 1;
        w[i] = besselI0(p * Math.sqrt(Math.max(0, 1 - r * r))) / i0p;
        break;
      }
      case 'gaussian': {
        const d = (i - M / 2) / p;
        w[i] = Math.exp(-0.5 * d * d);
        break;
      }
      case 'tukey':
        w[i] = tukeyValue(i, M, p);
        break;
    }
  }
  // Hann-family cosines can leave 1e-17 negatives at the ends; windows are non-negative by definition.
  if (spec.family === 'hann' || spec.family === 'blackman') for (let i = 0; i < n; i++) if (w[i] < 0) w[i] = 0;
  return w;
}

function tukeyValue(i: number, M: number, alpha: number): number {
  if (alpha <= 0) return 1;
  const width = Math.floor((alpha * M) / 2);
  if (i <= width) return 0.5 * (1 + Math.cos(Math.PI * (-1 + (2 * i) / (alpha * M))));
  if (i >= M - width) return 0.5 * (1 + Math.cos(Math.PI * (-2 / alpha + 1 + (2 * i) / (alpha * M))));
  return 1;
}

/**
 * Windows by name, length and symmetry, the least recently used dropped first once they hold more than
 * `budget` samples (windows of long frames are large). The arrays are shared by every caller: only for
 * callers that read them.
 */
export class WindowStore {
  private readonly map = new Map<string, Float64Array>();
  private samples = 0;

  constructor(private readonly budget: number) {}

  get(name: WindowName | string, length: number, symmetry: WindowSymmetry): Float64Array {
    const key = `${name}|${length}|${symmetry}`;
    let w = this.map.get(key);
    if (w) {
      this.map.delete(key);
    } else {
      w = windowSamples(checkedSpec(name, length), length, symmetry === 'symmetric' ? length - 1 : length);
      this.samples += length;
      for (const [k, old] of this.map) {
        if (this.samples <= this.budget) break;
        this.map.delete(k);
        this.samples -= old.length;
      }
    }
    this.map.set(key, w);
    return w;
  }
}

/**
 * Analyzers and the search ask for the same few windows thousands of times (Kaiser needs Bessel sums):
 * 2^21 samples hold 256 windows of 8192. A parameter refinement's one-off probes keep a store of their
 * own (heuristics/window/families.ts), so they cannot push these out.
 */
const windowCache = new WindowStore(1 << 21);

/**
 * A window of `length` samples: periodic = the symmetric window of length+1 without its last sample.
 * The cached array itself, shared by every caller: only for callers that read it (placeWindow copies
 * it, the window fits read it). Anything that writes to its window takes makeWindow's copy.
 */
export function sharedWindow(name: WindowName | string, length: number, symmetry: WindowSymmetry): Float64Array {
  return windowCache.get(name, length, symmetry);
}

function checkedSpec(name: WindowName | string, length: number): WindowSpec {
  const spec = parseWindowName(name);
  if (!spec) throw new RangeError(`unknown window "${name}"`);
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`window length must be a positive integer, got ${length}`);
  return spec;
}

/** A window of `length` samples (see sharedWindow): a fresh copy, the caller's to write to. */
export function makeWindow(name: WindowName | string, length: number, symmetry: WindowSymmetry): Float64Array {
  return sharedWindow(name, length, symmetry).slice();
}

/** Offset of a winLength window inside an nfft frame (librosa pad_center uses floor((nfft-winLength)/2)). */
export function windowOffset(nfft: number, winLength: number, placement: WindowPlacement): number {
  return placement === 'centred' ? Math.floor((nfft - winLength) / 2) : 0;
}

/** The window as it sits in the nfft frame: zeros outside its support. */
export function placeWindow(win: Float64Array, nfft: number, placement: WindowPlacement): Float64Array {
  if (win.length > nfft) throw new RangeError(`window length ${win.length} exceeds nfft ${nfft}`);
  const out = new Float64Array(nfft);
  out.set(win, windowOffset(nfft, win.length, placement));
  return out;
}
