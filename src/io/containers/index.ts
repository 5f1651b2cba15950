/**
 * Container readers (DESIGN.md §4.1): recognise npy, npz, torch.save (.pt), MAT v5, MAT v7.3/HDF5, JSON lists and numeric text by
 * their headers, list the arrays inside, and open one as a ValueSource in storage order. Anything
 * else is headerless raw data, left to the dtype analyzer. Every bad file gives a one-line InputError.
 */
import { InputError } from '../../errors.js';
import type { ValueSource } from '../source.js';
import { oneLine, withFile } from './fileio.js';
import { HDF5_PREFIX_BYTES, isHdf5, isMatlabHdf5 } from './hdf5-signature.js';
import { isMat5, openMat5, sniffMat5 } from './mat5.js';
import { looksLikeJson, openJson, sniffJson } from './json.js';
import { hasNpyMagic, openNpy, sniffNpy } from './npy.js';
import { openNpz, sniffNpz } from './npz.js';
import { pickArrays } from './pick.js';
import { isTorchZip, openPt, sniffPt } from './pt.js';
import { decodeTextPrefix, openText, sniffText, TEXT_PREFIX_BYTES } from './text.js';
import type { ArrayEntry, ContainerInfo } from './types.js';
import { readZipDirectory } from './zip.js';

export type { ArrayEntry, AxisLabels, ContainerInfo } from './types.js';
export { evenStep } from './labels.js';
export { pickArrays, type PickResult } from './pick.js';
export { MAX_INFLATED_BYTES } from './fileio.js';

type Kind = 'npy' | 'zip' | 'mat5' | 'hdf5' | 'json' | 'text' | 'raw';

/** torch.save before PyTorch 1.6: a bare pickle starting with its magic number (LONG1 0x1950a86a20f9469cfc6c). */
const LEGACY_TORCH_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

function isLegacyTorch(prefix: Uint8Array): boolean {
  return prefix[0] === 0x80 && LEGACY_TORCH_MAGIC.every((v, i) => prefix[2 + i] === v);
}

/** A zip is a torch.save archive when it holds a data.pkl, else an npz. */
function isTorchFile(file: string): boolean {
  return withFile(file, (fb) => isTorchZip(readZipDirectory(fb)));
}

type Hdf5Reader = typeof import('./hdf5.js');
let hdf5: Hdf5Reader | null = null;

/**
 * Load HDF5 (MAT v7.3) support: h5wasm compiles libhdf5 from WebAssembly in ~100 ms, which raw, npy,
 * npz, MAT v5 and text inputs should not pay. The CLI calls it when an input is HDF5; the library
 * entry (src/index.ts) at import.
 */
export async function loadHdf5(): Promise<void> {
  hdf5 ??= await import('./hdf5.js');
}

/** Whether any of these files starts like HDF5 (unreadable ones are left to the readers' own errors). */
export function anyHdf5(files: readonly (string | null | undefined)[]): boolean {
  return files.some((f) => {
    if (!f) return false;
    try {
      return withFile(f, (fb) => isHdf5(fb.readUpTo(0, HDF5_PREFIX_BYTES)));
    } catch {
      return false;
    }
  });
}

function hdf5Reader(file: string): Hdf5Reader {
  if (!hdf5) throw new InputError(file, 'is an HDF5 (MAT v7.3) file and HDF5 support is not loaded (await loadHdf5() first)');
  return hdf5;
}

function kindOf(prefix: Uint8Array): Kind {
  if (hasNpyMagic(prefix)) return 'npy';
  // 'PK\3\4' starts a zip's first member, 'PK\5\6' an empty archive.
  if (prefix[0] === 0x50 && prefix[1] === 0x4b && ((prefix[2] === 3 && prefix[3] === 4) || (prefix[2] === 5 && prefix[3] === 6))) return 'zip';
  if (isMat5(prefix)) return 'mat5';
  if (isHdf5(prefix)) return 'hdf5';
  // Only text can be JSON: a raw binary whose first byte happens to be '[' or '{' stays raw (e2e #69).
  if (looksLikeJson(prefix) && decodeTextPrefix(prefix, true) !== null) return 'json';
  return 'text';
}

/** Run a reader, turning any failure on a hostile file into a one-line InputError naming it. */
function guard<T>(file: string, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `unreadable ${what}: ${oneLine(e)}`);
  }
}

function readPrefix(file: string): { prefix: Uint8Array; size: number } {
  return withFile(file, (fb) => {
    if (fb.size === 0) throw new InputError(file, 'is empty');
    return { prefix: fb.readUpTo(0, TEXT_PREFIX_BYTES), size: fb.size };
  });
}

/** Cheap: reads only headers / a prefix (a text table is also scanned once to count its rows). */
export function sniffContainer(file: string): ContainerInfo {
  return guard(file, 'file', () => {
    const { prefix, size } = readPrefix(file);
    switch (kindOf(prefix)) {
      case 'npy':
        return sniffNpy(file);
      case 'zip':
        return isTorchFile(file) ? sniffPt(file) : sniffNpz(file);
      case 'mat5':
        return sniffMat5(file);
      case 'hdf5':
        return hdf5Reader(file).sniffHdf5(file, isMatlabHdf5(prefix));
      case 'json':
        return sniffJson(file);
      default: {
        if (isLegacyTorch(prefix)) {
          throw new InputError(file, 'is a legacy torch.save file (PyTorch < 1.6, not a zip): re-save it with a current torch.save, or np.save(t.numpy())');
        }
        const text = decodeTextPrefix(prefix, size > prefix.length);
        if (text === null) return { format: 'raw', arrays: [], notes: [] };
        return withFile(file, (fb) => sniffText(fb, text));
      }
    }
  });
}

/** The array openArray(…, null) uses: the only one, else the complex STFT or the magnitude pickArrays names. */
function defaultName(file: string, info: ContainerInfo): string | null {
  if (info.arrays.length === 1) return info.arrays[0].name;
  const pick = pickArrays(info);
  const e = pick.complex ?? pick.magnitude ?? pick.phase;
  if (!e) throw new InputError(file, `no array to read (${pick.reason})`);
  return e.name;
}

/** Open one array (by name; null = the only / best array) as a ValueSource in storage order. */
export function openArray(file: string, info: ContainerInfo, name: string | null): { source: ValueSource; entry: ArrayEntry } {
  return guard(file, info.format, () => {
    if (info.format === 'raw') throw new InputError(file, 'is headerless raw data: there is no container array to open');
    const target = name ?? defaultName(file, info);
    if (name !== null && !info.arrays.some((a) => a.name === name)) {
      const have = info.arrays.map((a) => `"${a.name}"`).join(', ');
      throw new InputError(file, `has no array "${name}" (arrays: ${have || 'none'})`);
    }
    const { prefix } = readPrefix(file);
    const kind = kindOf(prefix);
    switch (info.format) {
      case 'npy':
        if (kind === 'npy') return openNpy(file);
        break;
      case 'npz':
        if (kind === 'zip' && target !== null) return openNpz(file, target);
        break;
      case 'pt':
        if (kind === 'zip') return openPt(file, target);
        break;
      case 'mat':
        if (kind === 'mat5' && target !== null) return openMat5(file, target);
        if (kind === 'hdf5' && target !== null) return hdf5Reader(file).openHdf5(file, isMatlabHdf5(prefix), target);
        break;
      case 'json':
        if (kind === 'json') return openJson(file, target);
        break;
      case 'csv':
      case 'text':
        if (kind === 'text') return openText(file);
        break;
    }
    throw new InputError(file, `is no longer a ${info.format} file (changed since it was sniffed?)`);
  });
}
