import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { InputError } from '../src/errors.js';
import { type ContainerInfo, openArray, sniffContainer } from '../src/io/containers/index.js';
import { readPickle } from '../src/io/containers/pickle.js';

/**
 * The issue #15 readers value by value: torch.save (.pt: fixtures from torch 1.13 and archives built
 * here opcode by opcode), JSON lists and objects, labelled CSV tables; and every malformed input, hand
 * made or mutated at random, gives a one-line InputError naming the file, never a crash.
 */
const KINDS = join(import.meta.dirname, 'fixtures', 'real', 'kinds');
const tmp = mkdtempSync(join(tmpdir(), 'sd-kinds-containers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tmpFile(name: string, data: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

function readValues(file: string, info: ContainerInfo, name: string | null): { re: Float64Array; im: Float64Array } {
  const { source } = openArray(file, info, name);
  try {
    const re = new Float64Array(source.length);
    const im = new Float64Array(source.length);
    source.read(0, source.length, re, im);
    return { re, im };
  } finally {
    source.close();
  }
}

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
  throw new Error('expected an InputError');
}

// ---- a stored zip and pickle opcodes, to build torch.save archives by hand ----

function zip(members: [string, Uint8Array][]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt32LE(crc32(data), 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, n);
    parts.push(local, n, Buffer.from(data));
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}

const op = (s: string): Buffer => Buffer.from(s, 'latin1');
const str = (s: string): Buffer => {
  const b = Buffer.alloc(5);
  b.write('X', 0, 'latin1');
  b.writeUInt32LE(Buffer.byteLength(s), 1);
  return Buffer.concat([b, Buffer.from(s)]);
};
const int = (v: number): Buffer => {
  const b = Buffer.alloc(5);
  b.write('J', 0, 'latin1');
  b.writeInt32LE(v, 1);
  return b;
};
const tuple = (...items: Buffer[]): Buffer => Buffer.concat([op('('), ...items, op('t')]);
const global = (module: string, name: string): Buffer => op(`c${module}\n${name}\n`);

/** The pickle of _rebuild_tensor_v2 over storage `key` (the shape torch 1.13 writes). */
function tensorPickle(cls: string, key: string, numel: number, offset: number, size: number[], stride: number[]): Buffer {
  return Buffer.concat([
    global('torch._utils', '_rebuild_tensor_v2'),
    tuple(
      Buffer.concat([tuple(str('storage'), global('torch', cls), str(key), str('cpu'), int(numel)), op('Q')]),
      int(offset),
      tuple(...size.map(int)),
      tuple(...stride.map(int)),
      op('\x89'),
      global('collections', 'OrderedDict'),
      op(')R'),
    ),
    op('R'),
  ]);
}

const pickle = (body: Buffer): Buffer => Buffer.concat([op('\x80\x02'), body, op('.')]);

function ptFile(name: string, pkl: Buffer, storages: [string, Uint8Array][], byteorder?: string): string {
  const members: [string, Uint8Array][] = [['archive/data.pkl', pkl]];
  if (byteorder) members.push(['archive/byteorder', Buffer.from(byteorder)]);
  for (const [k, d] of storages) members.push([`archive/data/${k}`, d]);
  return tmpFile(name, zip(members));
}

const f32 = (v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);

describe('torch.save (.pt)', () => {
  it('reads torch 1.13 archives: a transposed complex view and a real one in C order of their shape', () => {
    const file = join(KINDS, 'torch-save-complex', 'stft.pt');
    const info = sniffContainer(file);
    expect(info.format).toBe('pt');
    expect(info.arrays).toEqual([{ name: null, dtype: 'complex64', endian: 'little', shape: [129, 32], order: 'C', dataOffset: null }]);
    expect(info.notes.join(' | ')).toMatch(/strides \(1, 129\), a transposed view/);
    const { re, im } = readValues(file, info, null);
    // Row 0 is the DC bin across the 32 frames: real (im 0) in every frame.
    expect(Array.from(im.subarray(0, 32)).every((v) => v === 0)).toBe(true);
    expect(re[0]).toBeCloseTo(-7.767346, 5);
    const power = join(KINDS, 'torch-save-real-power', 'power.pt');
    expect(sniffContainer(power).arrays[0]).toMatchObject({ dtype: 'float32', shape: [129, 32], order: 'C' });
  });

  it('reads a dict of tensors by name, strided views, storage offsets and the byteorder member', () => {
    const data = Array.from({ length: 12 }, (_, i) => i);
    const pkl = pickle(
      Buffer.concat([
        op('}('),
        str('magnitude'),
        tensorPickle('FloatStorage', '0', 12, 0, [3, 4], [4, 1]),
        str('phase'),
        tensorPickle('FloatStorage', '0', 12, 1, [2, 2], [1, 4]),
        op('u'),
      ]),
    );
    const file = ptFile('dict.pt', pkl, [['0', f32(data)]]);
    const info = sniffContainer(file);
    expect(info.arrays.map((a) => [a.name, a.shape])).toEqual([
      ['magnitude', [3, 4]],
      ['phase', [2, 2]],
    ]);
    expect(Array.from(readValues(file, info, 'magnitude').re)).toEqual(data);
    // offset 1, size (2, 2), stride (1, 4): element [i][j] = storage[1 + i + 4j], given in C order.
    expect(Array.from(readValues(file, info, 'phase').re)).toEqual([1, 5, 2, 6]);
    const be = new Uint8Array(new ArrayBuffer(8));
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const big = ptFile('big.pt', pickle(tensorPickle('FloatStorage', '0', 2, 0, [2], [1])), [['0', be]], 'big');
    const bi = sniffContainer(big);
    expect(bi.arrays[0].endian).toBe('big');
    expect(Array.from(readValues(big, bi, null).re)).toEqual([1.5, -2]);
  });

  it('refuses what is not a tensor pickle, naming the file in one line, without executing anything', () => {
    const store: [string, Uint8Array][] = [['0', f32([1, 2])]];
    const cases: [string, Buffer, RegExp][] = [
      ['evil.pt', pickle(Buffer.concat([global('os', 'system'), tuple(str('echo hi')), op('R')])), /os\.system.*refused/],
      ['builtin.pt', pickle(Buffer.concat([global('builtins', 'eval'), tuple(str('1')), op('R')])), /builtins\.eval.*refused/],
      ['reduce.pt', pickle(Buffer.concat([global('torch', 'FloatStorage'), op(')R')])), /REDUCE calls torch\.FloatStorage: refused/],
      ['opcode.pt', pickle(op('\x81')), /opcode 0x81 .*refused/],
      ['bf16.pt', pickle(tensorPickle('BFloat16Storage', '0', 2, 0, [2], [1])), /BFloat16Storage is not supported/],
      ['long.pt', pickle(tensorPickle('LongStorage', '0', 1, 0, [1], [1])), /LongStorage is not supported/],
      ['oob.pt', pickle(tensorPickle('FloatStorage', '0', 2, 1, [2], [1])), /reaches element 2 of a 2-element storage/],
      ['numel.pt', pickle(tensorPickle('FloatStorage', '0', 9, 0, [9], [1])), /needs 36 bytes, its member holds 8/],
      ['nokey.pt', pickle(tensorPickle('FloatStorage', '7', 2, 0, [2], [1])), /storage "7" has no member/],
      ['trunc.pt', pickle(tensorPickle('FloatStorage', '0', 2, 0, [2], [1])).subarray(0, 40), /truncated/],
      ['scalar.pt', pickle(int(3)), /without a tensor/],
    ];
    for (const [name, pkl, re] of cases) {
      const file = ptFile(name, pkl, store);
      expect(
        inputError(file, () => sniffContainer(file)),
        name,
      ).toMatch(re);
    }
    const legacy = tmpFile('legacy.pt', Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]));
    expect(inputError(legacy, () => sniffContainer(legacy))).toMatch(/legacy torch\.save/);
  });

  it('analyze on a pickle that calls os.system: exit 3, one line naming the file', async () => {
    const file = ptFile('evil-cli.pt', pickle(Buffer.concat([global('os', 'system'), tuple(str('touch /tmp/pwned')), op('R')])), [['0', f32([1])]]);
    let err = '';
    const code = await run(['analyze', file], { stdout: () => {}, stderr: (s) => (err += s), isTTY: false });
    expect(code).toBe(3);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/evil-cli\.pt: torch pickle: refers to os\.system/);
  });

  it('readPickle on random bytes: a value or an InputError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          readPickle('random.pkl', bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 2000, seed: 15 },
    );
  });
});

describe('JSON lists and objects', () => {
  it('reads the json.dump(S.tolist()) fixture as a (65, 33) C-order array', () => {
    const file = join(KINDS, 'json-lists', 'mag.json');
    const info = sniffContainer(file);
    expect(info.format).toBe('json');
    expect(info.arrays).toEqual([{ name: null, dtype: 'float64', endian: 'little', shape: [65, 33], order: 'C', dataOffset: null }]);
    const nested = JSON.parse(readFileSync(file, 'utf8')) as number[][];
    const { re } = readValues(file, info, null);
    expect(re[33 + 3]).toBe(nested[1][3]);
  });

  it('reads named arrays, pandas split frames with their labels, 3-D lists, Python NaN/Infinity; refuses ragged, empty, non-numeric and broken JSON', () => {
    const obj = tmpFile(
      'named.json',
      JSON.stringify({
        sr: 8000,
        magnitude: [
          [1, 2],
          [3, 4],
        ],
        phase: [
          [0, 1],
          [1, 0],
        ],
        meta: 'x',
      }),
    );
    const info = sniffContainer(obj);
    expect(info.arrays.map((a) => a.name)).toEqual(['sr', 'magnitude', 'phase']);
    expect(Array.from(readValues(obj, info, 'phase').re)).toEqual([0, 1, 1, 0]);
    const split = tmpFile(
      'split.json',
      JSON.stringify({
        columns: [0, 62.5, 125],
        index: [0, 0.008],
        data: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      }),
    );
    expect(sniffContainer(split).arrays).toEqual([
      {
        name: 'data',
        dtype: 'float64',
        endian: 'little',
        shape: [2, 3],
        order: 'C',
        dataOffset: null,
        labels: { columns: [0, 62.5, 125], rows: [0, 0.008], rowName: null },
      },
    ]);
    const cube = tmpFile(
      'cube.json',
      JSON.stringify([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ]),
    );
    expect(sniffContainer(cube).arrays[0].shape).toEqual([2, 2, 2]);
    const py = tmpFile('py.json', '[[NaN, 1.0], [-Infinity, Infinity]]');
    expect(Array.from(readValues(py, sniffContainer(py), null).re)).toEqual([NaN, 1, -Infinity, Infinity]);
    const bad: [string, string, RegExp][] = [
      ['ragged.json', '[[1, 2], [3]]', /item \[1\] has 1 entries, expected 2/],
      ['words.json', '[[1, "a"]]', /item \[0\]\[1\] is "a", not a number/],
      ['empty.json', '[]', /empty list/],
      ['broken.json', '[[1, 2], [3, 4]', /not valid JSON/],
      ['deep.json', '[[[[[1]]]]]', /nested deeper than 4/],
      ['nothing.json', '{"a": "b"}', /without a numeric array/],
    ];
    // Binary data that merely starts with '{' is raw, not broken JSON.
    const raw = tmpFile('brace.f32', Buffer.concat([Buffer.from('{'), Buffer.from(new Float32Array([1e-3, 2, -7, 3.5]).buffer)]));
    expect(sniffContainer(raw).format).toBe('raw');
    for (const [name, text, re] of bad) {
      const file = tmpFile(name, text);
      expect(
        inputError(file, () => sniffContainer(file)),
        name,
      ).toMatch(re);
    }
  });
});

describe('labelled tables', () => {
  it('keeps pandas labels out of the values: 33 frames x 65 bins, frequencies and times as labels', () => {
    const file = join(KINDS, 'pandas-csv-labelled', 'mag.csv');
    const info = sniffContainer(file);
    const e = info.arrays[0];
    expect(e.shape).toEqual([33, 65]);
    expect(e.labels?.columns?.slice(0, 3)).toEqual([0, 62.5, 125]);
    expect(e.labels?.rows?.slice(0, 2)).toEqual([0, 0.008]);
    const { re } = readValues(file, info, null);
    expect(re.length).toBe(33 * 65);
    expect(re[0]).toBeCloseTo(0.03956826748297827, 15);
  });

  it('reads a writetable-style "Time,f1,..." header, a headerless time column, and leaves ramps and plain tables alone', () => {
    const oct = sniffContainer(join(KINDS, 'octave-writetable-csv', 'mag.csv')).arrays[0];
    expect(oct.shape).toEqual([30, 64]);
    expect(oct.labels).toMatchObject({ columns: null, rowName: 'Time' });
    const sv = tmpFile('sv.csv', ['0.0,3,1,4', '0.5,1,5,9', '1.0,2,6,5', '1.5,3,5,8'].join('\n'));
    expect(sniffContainer(sv).arrays[0]).toMatchObject({ shape: [4, 3], labels: { rows: [0, 0.5, 1, 1.5], columns: null, rowName: null } });
    const ramp = tmpFile('ramp.csv', ['0,1,2', '3,4,5', '6,7,8', '9,10,11'].join('\n'));
    expect(sniffContainer(ramp).arrays[0]).toMatchObject({ shape: [4, 3] });
    expect(sniffContainer(ramp).arrays[0].labels).toBeUndefined();
    const named = tmpFile('named.csv', ['a,b,c', '3,1,4', '1,5,9'].join('\n'));
    expect(sniffContainer(named).arrays[0].labels).toBeUndefined();
  });
});

describe('random mutations of the new kinds: InputError or success, bounded', () => {
  const targets = [join(KINDS, 'torch-save-complex', 'stft.pt'), join(KINDS, 'torch-stereo-pt', 'phase.pt'), join(KINDS, 'pandas-csv-labelled', 'phase.csv')];
  for (const source of targets) {
    it(source.split('/').slice(-2).join('/'), () => {
      const original = readFileSync(source);
      const target = join(tmp, `mutant-${source.split('/').pop()}`);
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 8 }), (at, bit) => {
          const b = Buffer.from(original);
          const i = Math.min(b.length - 1, Math.floor(at * b.length));
          const mutant = bit === 8 ? b.subarray(0, i) : ((b[i] ^= 1 << bit), b);
          writeFileSync(target, mutant);
          const t0 = performance.now();
          try {
            const info = sniffContainer(target);
            for (const a of info.arrays) readValues(target, info, a.name);
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(InputError);
            expect((e as Error).message.startsWith(`${target}: `)).toBe(true);
            expect((e as Error).message).not.toContain('\n');
          }
          expect(performance.now() - t0).toBeLessThan(2000);
        }),
        { numRuns: 300, seed: 1515 },
      );
    });
  }
});
