import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import h5wasm from 'h5wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dtype } from '../src/config/types.js';
import { InputError } from '../src/errors.js';
import { type ContainerInfo, loadHdf5, MAX_INFLATED_BYTES, openArray, pickArrays, sniffContainer } from '../src/io/containers/index.js';
import type { ValueSource } from '../src/io/source.js';
import { mutate, mutationArb } from '../bench/hostile-cases.js';

const FIX = join(import.meta.dirname, 'fixtures', 'containers');
const tmp = mkdtempSync(join(tmpdir(), 'sd-containers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Expected {
  shape: number[];
  order: 'C' | 'F';
  re: number[];
  im?: number[];
}
const EXPECTED = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, Record<string, Expected>>;

function readAll(src: ValueSource): { re: Float64Array; im: Float64Array | null } {
  const re = new Float64Array(src.length);
  const im = src.complex ? new Float64Array(src.length) : null;
  // Two reads, so offsets inside a source are exercised too.
  const half = Math.floor(src.length / 2);
  const r1 = new Float64Array(half);
  const i1 = new Float64Array(half);
  src.read(0, half, r1, im ? i1 : undefined);
  re.set(r1);
  im?.set(i1);
  const r2 = new Float64Array(src.length - half);
  const i2 = new Float64Array(src.length - half);
  src.read(half, src.length - half, r2, im ? i2 : undefined);
  re.set(r2, half);
  im?.set(i2, half);
  return { re, im };
}

function readArray(file: string, info: ContainerInfo, name: string | null): { re: Float64Array; im: Float64Array | null } {
  const { source } = openArray(file, info, name);
  try {
    return readAll(source);
  } finally {
    source.close();
  }
}

/** Run `f`, expecting an InputError naming `file` on one line; returns its message. */
function inputError(file: string, f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(InputError);
    const msg = (e as InputError).message;
    expect(msg.startsWith(`${file}: `), msg).toBe(true);
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error(`expected an InputError for ${file}`);
}

function tmpFile(name: string, bytes: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

describe('fixtures made by numpy/scipy: every array, value by value', () => {
  for (const [rel, arrays] of Object.entries(EXPECTED)) {
    it(rel, () => {
      const file = join(FIX, rel);
      const info = sniffContainer(file);
      for (const [key, exp] of Object.entries(arrays)) {
        const name = key === '' ? null : key;
        const entry = info.arrays.find((a) => a.name === name);
        expect(entry, `${rel}: ${key} in ${JSON.stringify(info.arrays.map((a) => a.name))}`).toBeDefined();
        expect(entry?.shape).toEqual(exp.shape);
        expect(entry?.order).toBe(exp.order);
        const { re, im } = readArray(file, info, name);
        expect(Array.from(re)).toEqual(exp.re);
        if (exp.im) expect(im && Array.from(im)).toEqual(exp.im);
        else expect(im).toBeNull();
      }
    });
  }
});

describe('npy', () => {
  const DT: Record<string, Dtype> = {
    f2: 'float16',
    f4: 'float32',
    f8: 'float64',
    i1: 'int8',
    u1: 'uint8',
    i2: 'int16',
    u2: 'uint16',
    i4: 'int32',
    u4: 'uint32',
    c8: 'complex64',
    c16: 'complex128',
  };
  it('reports dtype, endian, order and the data offset exactly', () => {
    for (const rel of Object.keys(EXPECTED).filter((r) => /^npy\/\w+_(le|be)_[CF]\.npy$/.test(r))) {
      const [code, endian, order] = rel.slice(4, -4).split('_');
      const info = sniffContainer(join(FIX, rel));
      expect(info.format).toBe('npy');
      const e = info.arrays[0];
      expect(e.dtype).toBe(DT[code]);
      if (!['i1', 'u1'].includes(code)) expect(e.endian).toBe(endian === 'le' ? 'little' : 'big');
      expect(e.order).toBe(order);
      expect(e.name).toBeNull();
      const bytes = readFileSync(join(FIX, rel));
      expect(e.dataOffset).toBe(10 + bytes.readUInt16LE(8));
    }
  });

  it('reads header versions 2 and 3', () => {
    expect(sniffContainer(join(FIX, 'npy/v2.npy')).notes[0]).toContain('v2.0');
    expect(sniffContainer(join(FIX, 'npy/v3.npy')).notes[0]).toContain('v3.0');
  });

  it('names unsupported dtypes', () => {
    const cases: [string, string][] = [
      ['bad_int64.npy', "'<i8'"],
      ['bad_unicode.npy', "'<U2'"],
      ['bad_struct.npy', 'structured'],
      ['bad_object.npy', "'|O'"],
    ];
    for (const [f, want] of cases) {
      const file = join(FIX, 'npy', f);
      expect(inputError(file, () => sniffContainer(file))).toContain(want);
    }
  });

  it('refuses truncated data and a header claiming a huge shape, without allocating', () => {
    const good = readFileSync(join(FIX, 'npy/f8_le_C.npy'));
    const cut = tmpFile('cut.npy', good.subarray(0, good.length - 3));
    expect(inputError(cut, () => sniffContainer(cut))).toMatch(/truncated/);
    const header = good.subarray(0, 10 + good.readUInt16LE(8)).toString('latin1');
    const huge = Buffer.from(header.replace('(3, 5)', '(999999999, 9999)').padEnd(header.length, ' ').slice(0, header.length), 'latin1');
    const hugeFile = tmpFile('huge.npy', Buffer.concat([huge, good.subarray(huge.length)]));
    // Refused from the header alone (its time is in `npm run bench`, bench/hostile.ts).
    expect(inputError(hugeFile, () => sniffContainer(hugeFile))).toMatch(/only \d+ bytes follow/);
    const hugeer = Buffer.from(header.replace('(3, 5)', '(99999999999, 99999)').slice(0, header.length), 'latin1');
    const hugeerFile = tmpFile('hugeer.npy', Buffer.concat([hugeer, good.subarray(hugeer.length)]));
    expect(inputError(hugeerFile, () => sniffContainer(hugeerFile))).toMatch(/impossibly large/);
    const badLen = Buffer.from(good);
    badLen.writeUInt16LE(60000, 8);
    const badLenFile = tmpFile('badlen.npy', badLen);
    inputError(badLenFile, () => sniffContainer(badLenFile));
  });
});

/** A minimal zip writer, to build hostile archives; `zip64` saturates the 32-bit fields as large archives do. */
function makeZip(members: { name: string; data: Uint8Array; deflate: boolean; declaredSize?: number }[], zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.deflate ? deflateRawSync(m.data) : Buffer.from(m.data);
    const name = Buffer.from(m.name);
    const usize = m.declaredSize ?? m.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(m.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc32(m.data), 16);
    central.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    central.writeUInt32LE(zip64 ? 0xffffffff : usize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      central.writeUInt16LE(28, 30);
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(usize), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    locals.push(local, name, body);
    centrals.push(central, name, extra);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return Buffer.concat([...locals, cd, eocd]);
  const z = Buffer.alloc(56 + 20);
  z.writeUInt32LE(0x06064b50, 0);
  z.writeBigUInt64LE(44n, 4);
  z.writeBigUInt64LE(BigInt(members.length), 24);
  z.writeBigUInt64LE(BigInt(members.length), 32);
  z.writeBigUInt64LE(BigInt(cd.length), 40);
  z.writeBigUInt64LE(BigInt(offset), 48);
  z.writeUInt32LE(0x07064b50, 56);
  z.writeBigUInt64LE(BigInt(offset + cd.length), 64);
  z.writeUInt32LE(1, 72);
  return Buffer.concat([...locals, cd, z, eocd]);
}

function npyBytes(descr: string, shape: number[], data: Uint8Array): Buffer {
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  h = h.padEnd(Math.ceil((h.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(h.length, 8);
  return Buffer.concat([pre, Buffer.from(h, 'latin1'), data]);
}

describe('(re, im) pairs on a last axis of 2 (torch return_complex=False, view_as_real)', () => {
  const write = (name: string, descr: string, shape: number[], data: ArrayBufferView): string => {
    const f = join(tmp, name);
    writeFileSync(f, npyBytes(descr, shape, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    return f;
  };
  it('reads any (…, 2) float array of three or more axes as complex values of the other axes, pair by pair', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.integer(), (bins, frames, wide, seed) => {
        const n = bins * frames;
        const v = wide ? new Float64Array(2 * n) : new Float32Array(2 * n);
        // Signed real parts, as an STFT's are.
        for (let i = 0; i < v.length; i++) v[i] = Math.fround(Math.sin(seed + 7.3 * i) * 5);
        const f = write(`pairs-${bins}-${frames}.npy`, wide ? '<f8' : '<f4', [bins, frames, 2], v);
        const info = sniffContainer(f);
        expect(info.arrays[0]).toMatchObject({ dtype: wide ? 'complex128' : 'complex64', shape: [bins, frames] });
        expect(info.notes.join(' ')).toMatch(/\(re, im\) pairs/);
        const { re, im } = readAll(openArray(f, info, null).source);
        expect(im).not.toBeNull();
        for (let i = 0; i < n; i++) {
          expect(re[i]).toBe(v[2 * i]);
          expect(im![i]).toBe(v[2 * i + 1]);
        }
      }),
      { numRuns: 30 },
    );
  });
  it('leaves (n, 2) tables, Fortran order and integer arrays real', () => {
    const v = new Float32Array(24).map((_, i) => i - 5);
    expect(sniffContainer(write('table.npy', '<f4', [12, 2], v)).arrays[0]).toMatchObject({ dtype: 'float32', shape: [12, 2] });
    const i16 = new Int16Array(24).map((_, i) => i - 5);
    expect(sniffContainer(write('ints.npy', '<i2', [3, 4, 2], i16)).arrays[0]).toMatchObject({ dtype: 'int16', shape: [3, 4, 2] });
  });
  it('refuses (magnitude, phase) pairs with one line naming the file, rather than decoding them as (re, im)', () => {
    const v = new Float32Array(2 * 129 * 4);
    for (let i = 0; i < v.length; i += 2) {
      v[i] = 1 + (i % 7);
      v[i + 1] = Math.PI * Math.sin(i);
    }
    const f = write('magphase.npy', '<f4', [129, 4, 2], v);
    expect(() => sniffContainer(f)).toThrow(InputError);
    expect(() => sniffContainer(f)).toThrow(/magphase\.npy: .*\(magnitude, phase\) pairs, not \(re, im\)/);
  });
});

describe('npz', () => {
  it('lists members, says which are compressed, gives stored members a data offset', () => {
    const stored = sniffContainer(join(FIX, 'npz/magphase_stored.npz'));
    expect(stored.format).toBe('npz');
    expect(stored.arrays.map((a) => a.name).sort()).toEqual(['freqs', 'mag', 'phase']);
    expect(stored.arrays.every((a) => a.dataOffset !== null)).toBe(true);
    expect(stored.notes).toContain('npz member "mag" stored (uncompressed)');
    const deflated = sniffContainer(join(FIX, 'npz/magphase_deflate.npz'));
    expect(deflated.arrays.every((a) => a.dataOffset === null)).toBe(true);
    expect(deflated.notes).toContain('npz member "mag" compressed (deflate)');
    // The stored offset points at the raw data: the first float32 there is mag[0, 0].
    const mag = stored.arrays.find((a) => a.name === 'mag');
    const raw = readFileSync(join(FIX, 'npz/magphase_stored.npz'));
    expect(raw.readFloatLE(mag?.dataOffset ?? -1)).toBe(EXPECTED['npz/magphase_stored.npz'].mag.re[0]);
  });

  it('picks magnitude and phase by name, the complex array over axis vectors', () => {
    const mp = pickArrays(sniffContainer(join(FIX, 'npz/magphase_deflate.npz')));
    expect(mp.magnitude?.name).toBe('mag');
    expect(mp.phase?.name).toBe('phase');
    expect(mp.reason).toContain('by name');
    const c = pickArrays(sniffContainer(join(FIX, 'npz/complex.npz')));
    expect(c.complex?.name).toBe('Zxx');
    expect(c.reason).toMatch(/complex/);
  });

  it('opens the best array when no name is given', () => {
    const file = join(FIX, 'npz/complex.npz');
    const info = sniffContainer(file);
    const { entry, source } = openArray(file, info, null);
    expect(entry.name).toBe('Zxx');
    expect(entry.dtype).toBe('complex64');
    expect(source.complex).toBe(true);
    source.close();
    expect(inputError(file, () => openArray(file, info, 'nope'))).toContain('"Zxx"');
  });

  it('reads zip64 directories (stored and deflated members)', () => {
    const a = new Float32Array([1.5, -2, 3.25, 4, 5, 6]);
    const b = new Int16Array([7, -8, 9]);
    const npyA = npyBytes('<f4', [2, 3], new Uint8Array(a.buffer));
    const npyB = npyBytes('<i2', [3], new Uint8Array(b.buffer));
    const f = tmpFile(
      'z64.npz',
      makeZip(
        [
          { name: 'a.npy', data: npyA, deflate: false },
          { name: 'b.npy', data: npyB, deflate: true },
        ],
        true,
      ),
    );
    const info = sniffContainer(f);
    expect(info.arrays.map((x) => [x.name, x.dtype, x.shape])).toEqual([
      ['a', 'float32', [2, 3]],
      ['b', 'int16', [3]],
    ]);
    expect(Array.from(readArray(f, info, 'a').re)).toEqual(Array.from(a));
    expect(Array.from(readArray(f, info, 'b').re)).toEqual(Array.from(b));
  });

  it('refuses a zip without .npy members, a truncated archive and a corrupt one', () => {
    const none = join(FIX, 'npz/bad_no_npy.npz');
    inputError(none, () => sniffContainer(none));
    const good = readFileSync(join(FIX, 'npz/magphase_deflate.npz'));
    const cut = tmpFile('cut.npz', good.subarray(0, good.length - 30));
    inputError(cut, () => sniffContainer(cut));
    const garbage = Buffer.from(good);
    for (let i = 60; i < 200; i++) garbage[i] ^= 0x5a;
    const garbageFile = tmpFile('garbage.npz', garbage);
    inputError(garbageFile, () => {
      const info = sniffContainer(garbageFile);
      for (const a of info.arrays) readArray(garbageFile, info, a.name);
    });
  });

  it('caps inflation: a member inflating past its declared size, and a declared size over the limit', () => {
    const npy = npyBytes('<f4', [100, 1000], new Uint8Array(400_000));
    const bomb = tmpFile(
      'bomb.npz',
      makeZip([{ name: 'x.npy', data: Buffer.concat([npy, new Uint8Array(40 << 20)]), deflate: true, declaredSize: npy.length }]),
    );
    const info = sniffContainer(bomb);
    expect(inputError(bomb, () => openArray(bomb, info, 'x'))).toMatch(/beyond its declared/);
    const liar = tmpFile('liar.npz', makeZip([{ name: 'x.npy', data: npy, deflate: true, declaredSize: 0xfffffff0 }]));
    expect(inputError(liar, () => sniffContainer(liar))).toMatch(/more than its \d+ compressed bytes can hold/);
    // Plausible for deflate (incompressible data, ~1000:1 declared) but over the memory cap.
    const noise = randomBytes(1_600_000);
    const declared = 1.5 * 2 ** 30;
    expect(MAX_INFLATED_BYTES).toBeLessThan(declared);
    const huge = tmpFile('huge.npz', makeZip([{ name: 'x.npy', data: Buffer.concat([npy, noise]), deflate: true, declaredSize: declared }]));
    const hinfo = sniffContainer(huge);
    expect(inputError(huge, () => openArray(huge, hinfo, 'x'))).toMatch(/limit/);
  });
});

describe('pickArrays', () => {
  const arr = (name: string, dtype: Dtype, shape: number[]) => ({ name, dtype, endian: 'little' as const, shape, order: 'C' as const, dataOffset: null });
  const info = (...arrays: ReturnType<typeof arr>[]): ContainerInfo => ({ format: 'npz', arrays, notes: [] });
  it('MATLAB spectrogram outputs: the complex s over the real PSD p and the axis vectors', () => {
    const r = pickArrays(info(arr('s', 'complex128', [129, 40]), arr('f', 'float64', [129, 1]), arr('t', 'float64', [1, 40]), arr('p', 'float64', [129, 40])));
    expect(r.complex?.name).toBe('s');
    expect(r.reason).toContain('set aside "f"');
  });
  it('librosa.magphase: complex P next to S is the phase (unit phasors)', () => {
    const r = pickArrays(info(arr('S', 'float32', [1025, 100]), arr('P', 'complex64', [1025, 100])));
    expect([r.magnitude?.name, r.phase?.name, r.complex]).toEqual(['S', 'P', undefined]);
    expect(r.reason).toContain('phasors');
  });
  it('positional arrays by order, a phase name finds its magnitude by size, camelCase words', () => {
    const r = pickArrays(info(arr('arr_0', 'float32', [10, 20]), arr('arr_1', 'float32', [10, 20])));
    expect([r.magnitude?.name, r.phase?.name]).toEqual(['arr_0', 'arr_1']);
    expect(r.reason).toContain('order');
    const q = pickArrays(info(arr('data', 'float32', [10, 20]), arr('stftPhase', 'float32', [10, 20]), arr('other', 'float32', [3, 3])));
    expect([q.magnitude?.name, q.phase?.name]).toEqual(['data', 'stftPhase']);
    const m = pickArrays(info(arr('logMagDb', 'float32', [10, 20]), arr('angles', 'float32', [10, 20])));
    expect([m.magnitude?.name, m.phase?.name]).toEqual(['logMagDb', 'angles']);
  });
  it("Octave's save -hdf5: each variable a group with its data in 'value', named by the group", () => {
    // The paths Octave 7 writes for save('-hdf5', f, 'S', 'P'), listed in name order: by order P would be the magnitude.
    const r = pickArrays({ ...info(arr('P/value', 'float64', [90, 128]), arr('S/value', 'float64', [90, 128])), format: 'hdf5' });
    expect([r.magnitude?.name, r.phase?.name]).toEqual(['S/value', 'P/value']);
    expect(r.reason).toContain('by name');
  });
});

describe('MAT v5', () => {
  it('lists numeric variables, skips cell/struct/char/sparse/empty with a note', () => {
    for (const f of ['v5_plain.mat', 'v5_compressed.mat']) {
      const info = sniffContainer(join(FIX, 'mat', f));
      expect(info.format).toBe('mat');
      expect(info.arrays.map((a) => a.name).sort()).toEqual(['I16', 'P', 'S', 'U8', 'Z', 'Zs', 'row']);
      for (const skipped of ['note', 'cells', 'st', 'sp', 'empty']) {
        expect(
          info.notes.some((n) => n.startsWith(`MAT variable "${skipped}"`) && n.endsWith('skipped')),
          skipped,
        ).toBe(true);
      }
      const z = info.arrays.find((a) => a.name === 'Z');
      expect(z?.dtype).toBe('complex128');
      expect(info.arrays.find((a) => a.name === 'Zs')?.dtype).toBe('complex64');
      expect(info.arrays.every((a) => a.order === 'F')).toBe(true);
      const s = info.arrays.find((a) => a.name === 'S');
      expect(s?.dataOffset === null).toBe(f === 'v5_compressed.mat');
      expect(info.notes.some((n) => n.includes(f === 'v5_compressed.mat' ? 'compressed' : 'uncompressed'))).toBe(true);
      expect(pickArrays(info).magnitude?.name).toBe('S');
    }
  });

  it('reads big-endian files, MATLAB type compression and the small data element format', () => {
    for (const f of ['v5_handmade_le.mat', 'v5_handmade_be.mat']) {
      const info = sniffContainer(join(FIX, 'mat', f));
      const byName = (n: string) => info.arrays.find((a) => a.name === n);
      expect(byName('tc')?.dtype).toBe('uint8');
      expect(byName('neg')?.dtype).toBe('int16');
      expect(byName('neg')?.endian).toBe(f.includes('_be') ? 'big' : 'little');
      expect(byName('nd')?.shape).toEqual([2, 1, 3]);
      expect(info.notes.some((n) => n.includes('"tc"') && n.includes('stored as uint8'))).toBe(true);
    }
  });

  it('refuses bad tag sizes, negative dims and corrupt compressed data', () => {
    const plain = readFileSync(join(FIX, 'mat/v5_plain.mat'));
    const bigTag = Buffer.from(plain);
    bigTag.writeUInt32LE(0x7ffffff0, 132);
    const f1 = tmpFile('bigtag.mat', bigTag);
    expect(inputError(f1, () => sniffContainer(f1))).toMatch(/claims \d+ bytes/);
    const negDim = Buffer.from(plain);
    // First variable: tag(8) flags(16) dims tag(8) -> first dim at 128 + 32.
    negDim.writeInt32LE(-4, 160);
    const f2 = tmpFile('negdim.mat', negDim);
    expect(inputError(f2, () => sniffContainer(f2))).toMatch(/negative dimension/);
    const comp = Buffer.from(readFileSync(join(FIX, 'mat/v5_compressed.mat')));
    for (let i = 150; i < 180; i++) comp[i] ^= 0xff;
    const f3 = tmpFile('corrupt.mat', comp);
    inputError(f3, () => {
      const info = sniffContainer(f3);
      for (const a of info.arrays) readArray(f3, info, a.name);
    });
    const cut = tmpFile('cut.mat', plain.subarray(0, 300));
    inputError(cut, () => sniffContainer(cut));
  });
});

describe('CSV and whitespace text', () => {
  it('detects the delimiter, header, decimal comma; csv vs text', () => {
    const fmt = (f: string) => sniffContainer(join(FIX, 'text', f));
    expect(fmt('comma_header.csv').format).toBe('csv');
    expect(fmt('comma_header.csv').notes.join('|')).toContain('header line: m0,m1,m2,m3');
    expect(fmt('semicolon.csv').notes[0]).toContain('semicolon');
    expect(fmt('tab.tsv').notes[0]).toContain('tab');
    expect(fmt('decimal_comma.csv').notes).toContain('decimal comma (1,5 = 1.5)');
    for (const f of ['space.txt', 'aligned.txt', 'comments.txt', 'single_column.txt']) {
      expect(fmt(f).format, f).toBe('text');
      expect(fmt(f).arrays[0].dtype).toBe('float64');
    }
  });

  it('skips a UTF-8 byte-order mark and reads a UTF-8 header', () => {
    const f = tmpFile('bom.csv', '\ufeff# Spektrogramm (Betrag)\nFrequenz µ,Zeit\n1.5,2\n3,4\n');
    const info = sniffContainer(f);
    expect(info.arrays[0].shape).toEqual([2, 2]);
    expect(info.notes).toContain('header line: Frequenz µ,Zeit');
    expect(Array.from(readArray(f, info, null).re)).toEqual([1.5, 2, 3, 4]);
    const g = tmpFile('bom2.csv', '\ufeff1.5,2\n3,4\n');
    expect(Array.from(readArray(g, sniffContainer(g), null).re)).toEqual([1.5, 2, 3, 4]);
  });

  it('parses nan/inf, exponents and Fortran D exponents', () => {
    const f = tmpFile('special.csv', 'a,b,c\nnan,inf,-Inf\n1e3,-2.5E-2,1.0D+01\n.5,+3,NaN\n');
    const info = sniffContainer(f);
    expect(info.arrays[0].shape).toEqual([3, 3]);
    expect(Array.from(readArray(f, info, null).re)).toEqual([NaN, Infinity, -Infinity, 1000, -0.025, 10, 0.5, 3, NaN]);
  });

  it('counts rows past the sniffed prefix and names the line of a ragged row', () => {
    const rows: string[] = [];
    for (let i = 0; i < 4000; i++) rows.push(Array.from({ length: 8 }, (_, j) => (i * 8 + j) / 4).join(','));
    const good = tmpFile('big.csv', rows.join('\n') + '\n');
    const info = sniffContainer(good);
    expect(info.arrays[0].shape).toEqual([4000, 8]);
    const { re } = readArray(good, info, null);
    expect(re[31999]).toBe(31999 / 4);
    rows[3500] += ',9';
    const ragged = tmpFile('ragged.csv', rows.join('\n'));
    const rinfo = sniffContainer(ragged);
    expect(inputError(ragged, () => openArray(ragged, rinfo, null))).toContain('line 3501: 9 values, expected 8');
    rows[3500] = '1,2,3,x,5,6,7,8';
    const word = tmpFile('word.csv', rows.join('\n'));
    expect(inputError(word, () => openArray(word, sniffContainer(word), null))).toContain('line 3501: "x" is not a number');
    const early = tmpFile('early.csv', '1,2,3\n4,5\n');
    expect(inputError(early, () => sniffContainer(early))).toContain('line 2');
  });

  it('does not take binary data for text', () => {
    const bytes = new Uint8Array(4096);
    let s = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    const f = tmpFile('garbage.bin', bytes);
    const info = sniffContainer(f);
    expect(info).toEqual({ format: 'raw', arrays: [], notes: [] });
    inputError(f, () => openArray(f, info, null));
    const floats = tmpFile('floats.bin', new Uint8Array(new Float32Array([0.5, 0.25, 1, 2, 3, 4]).buffer));
    expect(sniffContainer(floats).format).toBe('raw');
  });
});

describe('bad files in general', () => {
  it('empty, missing, directory, and garbage after a magic number', () => {
    const empty = tmpFile('empty.npy', new Uint8Array(0));
    expect(inputError(empty, () => sniffContainer(empty))).toContain('empty');
    const missing = join(tmp, 'missing.npy');
    inputError(missing, () => sniffContainer(missing));
    inputError(tmp, () => sniffContainer(tmp));
    const junk = new Uint8Array(700).map((_, i) => (i * 97) & 0xff);
    const magics: [string, number[], number][] = [
      ['npy', [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0],
      ['zip', [0x50, 0x4b, 3, 4], 0],
      ['hdf5', [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 512],
    ];
    for (const [name, magic, at] of magics) {
      const b = Buffer.from(junk);
      Buffer.from(magic).copy(b, at);
      const f = tmpFile(`junk.${name}`, b);
      inputError(f, () => sniffContainer(f));
    }
    const mat = Buffer.from(junk);
    Buffer.from('MATLAB 5.0 MAT-file'.padEnd(116, ' ')).copy(mat);
    mat.write('IM', 126, 'latin1');
    const f = tmpFile('junk.mat', mat);
    inputError(f, () => sniffContainer(f));
  });
});

/** MATLAB v7.3 writes HDF5 after a 512-byte user block; prepending one to a plain HDF5 file is equivalent. */
function withUserBlock(h5: Buffer): Buffer {
  const ub = Buffer.alloc(512);
  ub.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .', 'latin1');
  ub.writeUInt16LE(0x0200, 124);
  ub.write('IM', 126, 'latin1');
  return Buffer.concat([ub, h5]);
}

describe('MAT v7.3 / HDF5 (h5wasm)', async () => {
  await h5wasm.ready;
  await loadHdf5();
  const matlabMag = Float64Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
  const re = [1, -2, 3.5, 4, 0, 6];
  const im = [0.5, 1, -1, 2, 3, -4];
  const big = Float64Array.from({ length: 600 * 1000 }, (_, i) => Math.sin(i) * 100);
  const cube = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i - 7);

  const plainPath = join(tmp, 'build.h5');
  const h = new h5wasm.File(plainPath, 'w');
  // MATLAB stores a 4x6 matrix column-major as an HDF5 dataset of dims (6, 4).
  h.create_dataset({ name: 'S', data: matlabMag, shape: [6, 4], chunks: [3, 4], compression: 'gzip' }).create_attribute('MATLAB_class', 'double');
  h.create_dataset({
    name: 'Z',
    data: new Map([
      ['real', re],
      ['imag', im],
    ]),
    shape: [3, 2],
    dtype: [
      ['real', '<d'],
      ['imag', '<d'],
    ],
  }).create_attribute('MATLAB_class', 'double');
  h.create_dataset({ name: 'name', data: new Uint16Array([104, 105]), shape: [2, 1] }).create_attribute('MATLAB_class', 'char');
  h.create_group('st').create_attribute('MATLAB_class', 'struct');
  h.close();
  const matFile = tmpFile('v73.mat', withUserBlock(readFileSync(plainPath)));

  const genPath = join(tmp, 'generic.h5');
  const g = new h5wasm.File(genPath, 'w');
  g.create_group('grp').create_dataset({ name: 'mag', data: big, shape: [600, 1000] });
  g.create_dataset({ name: 'cube', data: cube, shape: [2, 3, 4] });
  g.create_dataset({ name: 'phase', data: new Int16Array([1, 2, 3, 4]), shape: [1, 4, 1] });
  g.close();

  it('lists MATLAB variables in MATLAB order (column-major) and skips char/struct', () => {
    const info = sniffContainer(matFile);
    expect(info.format).toBe('mat');
    expect(info.notes[0]).toContain('MATLAB v7.3');
    expect(info.arrays.map((a) => [a.name, a.dtype, a.shape, a.order])).toEqual([
      ['S', 'float64', [4, 6], 'F'],
      ['Z', 'complex128', [2, 3], 'F'],
    ]);
    expect(info.notes.some((n) => n.startsWith('MAT variable "name" is a char'))).toBe(true);
    expect(info.notes.some((n) => n.startsWith('MAT variable "st" is a struct'))).toBe(true);
    expect(info.notes.some((n) => n.includes('"S"') && n.includes('deflate'))).toBe(true);
    expect(Array.from(readArray(matFile, info, 'S').re)).toEqual(Array.from(matlabMag));
    const z = readArray(matFile, info, 'Z');
    expect(Array.from(z.re)).toEqual(re);
    expect(Array.from(z.im ?? [])).toEqual(im);
    // The complex Z is smaller than S here, so S (the largest matrix) is the magnitude.
    expect(pickArrays(info).magnitude?.name).toBe('S');
  });

  it('reads plain HDF5 in C order, on demand across hyperslabs, and N-D whole', () => {
    const info = sniffContainer(genPath);
    expect(info.arrays.map((a) => [a.name, a.shape, a.order])).toEqual([
      ['cube', [2, 3, 4], 'C'],
      ['grp/mag', [600, 1000], 'C'],
      ['phase', [1, 4, 1], 'C'],
    ]);
    const { source } = openArray(genPath, info, 'grp/mag');
    const start = 1234;
    const n = 550_000;
    const out = new Float64Array(n);
    source.read(start, n, out);
    source.close();
    for (let i = 0; i < n; i += 997) expect(out[i]).toBe(big[start + i]);
    expect(out[n - 1]).toBe(big[start + n - 1]);
    expect(Array.from(readArray(genPath, info, 'cube').re)).toEqual(Array.from(cube));
    expect(Array.from(readArray(genPath, info, 'phase').re)).toEqual([1, 2, 3, 4]);
  });

  it('gives a one-line InputError for a truncated HDF5 file', () => {
    const cut = tmpFile('cut.h5', readFileSync(genPath).subarray(0, 3000));
    expect(inputError(cut, () => sniffContainer(cut))).toMatch(/HDF5/);
  });

  it('survives random mutations (HDF5)', () => {
    mutationProperty(matFile, 150);
  });
});

/** Sniff, open every array and read every value: success or an InputError, nothing else, quickly. */
function exercise(file: string): void {
  try {
    const info = sniffContainer(file);
    for (const a of info.arrays) readArray(file, info, a.name);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    expect(e.message.startsWith(`${file}: `)).toBe(true);
    expect(e.message).not.toContain('\n');
  }
}

function mutationProperty(source: string, numRuns: number): void {
  const original = readFileSync(source);
  const target = join(tmp, `mutant-${source.split('/').pop()}`);
  fc.assert(
    fc.property(mutationArb, (ms) => {
      writeFileSync(target, ms.reduce(mutate, original));
      // Outcome only: the time each mutant takes is measured by `npm run bench` (bench/hostile.ts).
      exercise(target);
    }),
    { numRuns, seed: 424242 },
  );
}

describe('random byte mutations: InputError or success', () => {
  const targets = [
    'npy/f4_le_C.npy',
    'npy/c16_be_F.npy',
    'npz/magphase_stored.npz',
    'npz/magphase_deflate.npz',
    'mat/v5_plain.mat',
    'mat/v5_compressed.mat',
    'mat/v5_handmade_be.mat',
    'text/comma_header.csv',
    'text/space.txt',
  ];
  for (const rel of targets) {
    it(rel, () => mutationProperty(join(FIX, rel), 300));
  }
});
