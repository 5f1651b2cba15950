import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type Dtype, type Endian, type MagnitudeScale, REAL_DTYPES } from '../src/config/types.js';
import { FrameReader } from '../src/decode/frames.js';
import { decodeMagnitudes, encodeMagnitudes, floorMask, phaseUnitFactor } from '../src/decode/scales.js';
import { polarToComplex } from '../src/dsp/sincos.js';
import { decodeComponents, encodeValues, floatToHalf, halfToFloat } from '../src/io/dtype.js';
import { RawFileSource } from '../src/io/source.js';
import { InputError } from '../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'sd-decode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Values exactly representable in every dtype's range, for value-by-value checks. */
function valuesFor(d: Dtype, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ((i * 37) % 101) - 50;
    if (d.startsWith('uint')) out.push(v + 50);
    else if (d.startsWith('int')) out.push(v);
    else out.push(v / 8); // dyadic: exact in float16/32/64
  }
  return out;
}

function dataViewRead(bytes: Uint8Array, d: Dtype, e: Endian, i: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = e === 'little';
  switch (d) {
    case 'float64':
      return dv.getFloat64(i * 8, le);
    case 'float32':
      return dv.getFloat32(i * 4, le);
    case 'float16':
      return halfToFloat(dv.getUint16(i * 2, le));
    case 'int8':
      return dv.getInt8(i);
    case 'uint8':
      return dv.getUint8(i);
    case 'int16':
      return dv.getInt16(i * 2, le);
    case 'uint16':
      return dv.getUint16(i * 2, le);
    case 'int32':
      return dv.getInt32(i * 4, le);
    case 'uint32':
      return dv.getUint32(i * 4, le);
    default:
      throw new Error(d);
  }
}

describe('raw decoding', () => {
  for (const d of REAL_DTYPES)
    for (const e of ['little', 'big'] as Endian[]) {
      it(`${d} ${e}: value by value, with a header and both layouts`, () => {
        const frames = 7;
        const bins = 5;
        const vals = valuesFor(d, frames * bins);
        const header = 13; // odd on purpose: unaligned typed-array views must still work
        const body = encodeValues(vals, d, e);
        const file = join(tmp, `${d}-${e}.raw`);
        const bytes = new Uint8Array(header + body.length);
        bytes.set(body, header);
        writeFileSync(file, bytes);
        const src = new RawFileSource(file, d, e, header);
        expect(src.length).toBe(frames * bins);
        const all = new Float64Array(frames * bins);
        src.read(0, frames * bins, all);
        expect(Array.from(all)).toEqual(vals);
        // bin-major: value (m, k) at k·frames + m
        const fr = new FrameReader(src, { frames, bins, layout: 'bin-major' });
        const block = new Float64Array(3 * bins);
        fr.read(2, 3, block);
        for (let m = 0; m < 3; m++) for (let k = 0; k < bins; k++) expect(block[m * bins + k]).toBe(vals[k * frames + m + 2]);
        const fm = new FrameReader(src, { frames, bins, layout: 'frame-major' });
        fm.read(4, 2, block);
        for (let i = 0; i < 2 * bins; i++) expect(block[i]).toBe(vals[4 * bins + i]);
        src.close();
      });
    }

  it('complex64 interleaved re/im', () => {
    const vals = [1, -1, 2.5, 0.25, -3, 4];
    const file = join(tmp, 'c64.raw');
    writeFileSync(file, encodeValues(vals, 'complex64', 'big'));
    const src = new RawFileSource(file, 'complex64', 'big', 0);
    expect(src.length).toBe(3);
    const re = new Float64Array(3);
    const im = new Float64Array(3);
    src.read(0, 3, re, im);
    expect(Array.from(re)).toEqual([1, 2.5, -3]);
    expect(Array.from(im)).toEqual([-1, 0.25, 4]);
    src.close();
  });

  it('a file read in many small pieces is loaded whole once and reads the same (property)', () => {
    // RawFileSource switches to a resident copy after a few hundred small reads: every read, before
    // and after, must return what the bytes hold, including the header offset and the file's end.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.array(fc.integer({ min: 0, max: 1999 }), { minLength: 300, maxLength: 400 }), (header, starts) => {
        const vals = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 2003) / 16 - 60);
        const file = join(tmp, `resident-${header}.raw`);
        writeFileSync(file, new Uint8Array([...new Uint8Array(header), ...encodeValues(vals, 'float32', 'little')]));
        const src = new RawFileSource(file, 'float32', 'little', header);
        const out = new Float64Array(8);
        try {
          for (const s0 of starts) {
            const n = Math.min(8, 2000 - s0);
            src.read(s0, n, out);
            for (let i = 0; i < n; i++) expect(out[i]).toBe(Math.fround(vals[s0 + i]));
          }
          expect(() => src.read(1995, 8, out)).toThrow(RangeError);
        } finally {
          src.close();
        }
      }),
      { numRuns: 20, seed: 7 },
    );
  });

  it('matches a DataView reference on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.constantFrom(...REAL_DTYPES),
        fc.constantFrom<Endian>('little', 'big'),
        fc.nat(7),
        (raw, d, e, skip) => {
          const bytes = raw.subarray(Math.min(skip, raw.length));
          const size = { float64: 8, float32: 4, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4 }[d];
          const n = Math.floor(bytes.length / size);
          const out = new Float64Array(n);
          decodeComponents(bytes, d, e, n, out);
          for (let i = 0; i < n; i++)
            expect(Object.is(out[i], dataViewRead(bytes, d, e, i)) || (Number.isNaN(out[i]) && Number.isNaN(dataViewRead(bytes, d, e, i)))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('float16 round-trips every finite half value', () => {
    for (let h = 0; h < 65536; h++) {
      const v = halfToFloat(h);
      if (Number.isNaN(v)) continue;
      expect(floatToHalf(v)).toBe(h === 0x8000 ? 0x8000 : h);
    }
  });

  it('refuses a file too short for the claimed shape, naming the file', () => {
    const file = join(tmp, 'short.raw');
    writeFileSync(file, new Uint8Array(10));
    expect(() => new RawFileSource(file, 'float32', 'little', 0, 100)).toThrow(InputError);
    expect(() => new RawFileSource(file, 'float32', 'little', 0, 100)).toThrow(/short\.raw: holds 2 float32 values/);
    expect(() => new RawFileSource(join(tmp, 'missing.raw'), 'float32', 'little', 0)).toThrow(/missing\.raw: no such file/);
    expect(() => new RawFileSource(tmp, 'float32', 'little', 0)).toThrow(/is a directory/);
  });
});

describe('magnitude scales and phase units', () => {
  const scales: MagnitudeScale[] = ['linear', 'power', 'db', 'db10', 'ln', 'log10', 'log1p', 'power-law-0.3', 'power-law-2'];
  it('decode(encode(|X|)) = |X| for every scale', () => {
    const a = new Float64Array([0.001, 0.5, 1, 3, 1234.5]);
    for (const s of scales) {
      const v = encodeMagnitudes(a, s);
      decodeMagnitudes(v, s);
      for (let i = 0; i < a.length; i++) expect(v[i] / a[i], s).toBeCloseTo(1, 10);
    }
  });
  it('db equals 10·log10 of power; db10 is 10·log10 of amplitude', () => {
    expect(encodeMagnitudes(new Float64Array([10]), 'db')[0]).toBeCloseTo(20, 12);
    expect(encodeMagnitudes(new Float64Array([10]), 'db10')[0]).toBeCloseTo(10, 12);
  });
  it('flags cells on a dB floor as unknown', () => {
    const m = floorMask(new Float64Array([-80, -79.99, -20, -80.0000001]), -80);
    expect(Array.from(m!)).toEqual([1, 0, 0, 1]);
    expect(floorMask(new Float64Array(3), null)).toBeNull();
  });
  it('phase unit factors', () => {
    expect(phaseUnitFactor('radians')).toBe(1);
    expect(phaseUnitFactor('degrees')).toBeCloseTo(Math.PI / 180, 15);
    expect(phaseUnitFactor('cycles')).toBeCloseTo(2 * Math.PI, 15);
    expect(phaseUnitFactor('scaled-65536') * 32768).toBeCloseTo(Math.PI, 12);
  });
  it('fast polar→complex agrees with Math.cos/sin to 1e-15', () => {
    const n = 20000;
    const mag = new Float64Array(n).fill(1);
    const ph = new Float64Array(n);
    for (let i = 0; i < n; i++) ph[i] = (i - n / 2) * 0.0137;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    polarToComplex(mag, ph, 1, re, im);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(re[i] - Math.cos(ph[i])), Math.abs(im[i] - Math.sin(ph[i])));
    expect(worst).toBeLessThan(1e-14);
  });
});
