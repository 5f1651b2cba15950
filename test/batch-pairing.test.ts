import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '../src/batch/manifest.js';
import { pairFolder, tokens } from '../src/batch/pairing.js';
import { InputError } from '../src/errors.js';

/** Pairing by name (a table of folders: what pairs, what stands alone, what is skipped) and manifests. */
const tmp = mkdtempSync(join(tmpdir(), 'sd-pairing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function folder(files: string[], dirs: string[] = []): string {
  const d = join(tmp, `f${n++}`);
  mkdirSync(d);
  for (const f of files) writeFileSync(join(d, f), 'x');
  for (const s of dirs) mkdirSync(join(d, s));
  return d;
}

/** name -> "mag + phase" (basenames), "mag" alone, or "!mag" for an entry that cannot run. */
function summary(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairFolder(d).pairs)
    out[p.name] = p.problem ? `!${basename(p.magnitude)}` : p.phase ? `${basename(p.magnitude)} + ${basename(p.phase)}` : basename(p.magnitude);
  return out;
}

describe('tokens', () => {
  it('cuts at separators, case boundaries and letter/digit boundaries', () => {
    expect(tokens('x_S.npy').map((t) => t.text)).toEqual(['x', 'S', 'npy']);
    expect(tokens('speechMag.f32').map((t) => t.text)).toEqual(['speech', 'Mag', 'f', '32']);
    expect(tokens('XMLFile-PS take1').map((t) => t.text)).toEqual(['XML', 'File', 'PS', 'take', '1']);
  });
});

describe('pairing a folder by name', () => {
  const cases: [string, string[], Record<string, string>][] = [
    ['single-letter words as whole tokens', ['x_S.npy', 'x_P.npy'], { x: 'x_S.npy + x_P.npy' }],
    ['the word as the extension; no S inside "speech"', ['speech.mag', 'speech.phase'], { speech: 'speech.mag + speech.phase' }],
    ['magnitude / angle with a dash', ['take1-magnitude.f32', 'take1-angle.f32'], { take1: 'take1-magnitude.f32 + take1-angle.f32' }],
    ['any case, any separator', ['Song MAG.bin', 'Song Phase.bin', 'a.SPEC', 'a.PHI'], { Song: 'Song MAG.bin + Song Phase.bin', a: 'a.SPEC + a.PHI' }],
    ['case boundary', ['speechMag.f32', 'speechPhase.f32'], { speech: 'speechMag.f32 + speechPhase.f32' }],
    [
      'amp / phases, spectrogram / P',
      ['v_amp.raw', 'v_phases.raw', 'w.spectrogram.f32', 'w.P.f32'],
      { v: 'v_amp.raw + v_phases.raw', w: 'w.spectrogram.f32 + w.P.f32' },
    ],
    ['the word in the middle keeps one separator', ['my_mag_v2.f32', 'my_phase_v2.f32'], { my_v2: 'my_mag_v2.f32 + my_phase_v2.f32' }],
    [
      'names that merely contain S or P do not pair',
      ['speech.f32', 'peach.f32', 'PS.npy', 'SP.npy'],
      { speech: 'speech.f32', peach: 'peach.f32', PS: 'PS.npy', SP: 'SP.npy' },
    ],
    ['different stems do not pair', ['a_mag.f32', 'b_phase.f32'], { a: 'a_mag.f32', b_phase: '!b_phase.f32' }],
    ['other parts must match exactly (the extension too)', ['c_mag.f32', 'c_phase.f64'], { c: 'c_mag.f32', c_phase: '!c_phase.f64' }],
    ['containers and complex files stand alone', ['pair.npz', 'stft.mat', 'complex.npy'], { pair: 'pair.npz', stft: 'stft.mat', complex: 'complex.npy' }],
    ['a magnitude file with no partner: alone', ['solo_mag.f32'], { solo: 'solo_mag.f32' }],
    [
      'two magnitude files for one phase: neither runs (a manifest must say)',
      ['d_mag.f32', 'd_spec.f32', 'd_phase.f32'],
      { d: '!d_mag.f32', 'd-2': '!d_spec.f32', d_phase: '!d_phase.f32' },
    ],
    ['both words in one name: a file of its own', ['e_mag_phase.npz'], { e_phase: 'e_mag_phase.npz' }],
  ];
  for (const [what, files, want] of cases) {
    it(what, () => {
      expect(summary(folder(files))).toEqual(want);
    });
  }

  it('skips hidden files, subfolders, documents, truth JSON, WAVs and the output, and says why', () => {
    const d = folder(['a_mag.f32', 'a_phase.f32', '.DS_Store', 'README', 'notes.md', 'a.truth.json', 'a.wav', 'results.jsonl', 'x.f32~'], ['sub', 'y_mag.f32']);
    writeFileSync(join(d, 'y_phase.f32'), 'x');
    const plan = pairFolder(d, [join(d, 'results.jsonl')]);
    expect(plan.pairs.map((p) => [p.name, p.problem !== null])).toEqual([
      ['a', false],
      ['y_phase', true],
    ]);
    const why = Object.fromEntries(plan.skipped.map((s) => [basename(s.path), s.reason]));
    expect(why).toEqual({
      '.DS_Store': 'hidden',
      README: 'documentation',
      'a.truth.json': 'not STFT data (.json)',
      'a.wav': 'not STFT data (.wav)',
      'notes.md': 'not STFT data (.md)',
      'results.jsonl': 'the batch output',
      sub: expect.stringMatching(/subfolder/),
      'x.f32~': 'a backup file',
      'y_mag.f32': expect.stringMatching(/subfolder/),
    });
  });

  it('names collide in sorted order only: a second "t" is t-2', () => {
    expect(summary(folder(['t.mag', 't.phase', 't_mag.f32', 't_phase.f32']))).toEqual({ t: 't.mag + t.phase', 't-2': 't_mag.f32 + t_phase.f32' });
  });
});

describe('manifests', () => {
  it('CSV with a header: paths relative to the manifest, optional phase and config, quoted fields', () => {
    const d = folder([]);
    const m = join(d, 'list.csv');
    writeFileSync(m, 'magnitude,phase,config\nsub/a.mag,sub/a.phase,\n"b, with comma.f32",,cfg.json\n/abs/c.f32,/abs/c.p,\n\n');
    const plan = readManifest(m);
    expect(plan.pairs.map((p) => [p.name, p.magnitude, p.phase, p.config])).toEqual(
      [
        ['c', '/abs/c.f32', '/abs/c.p', null],
        ['b, with comma', join(d, 'b, with comma.f32'), null, join(d, 'cfg.json')],
        ['a', join(d, 'sub/a.mag'), join(d, 'sub/a.phase'), null],
      ].sort((x, y) => ((x[1] as string) < (y[1] as string) ? -1 : 1)),
    );
  });

  it('JSON lines, with an inline config object and a name', () => {
    const d = folder([]);
    const m = join(d, 'list.jsonl');
    writeFileSync(m, '{"magnitude":"x_S.npy","phase":"x_P.npy","config":{"nfft":512}}\n# comment\n{"magnitude":"y.f32","name":"why"}\n');
    const plan = readManifest(m);
    expect(plan.pairs.map((p) => [p.name, p.config])).toEqual([
      ['x', { nfft: 512 }],
      ['why', null],
    ]);
  });

  it('a malformed manifest is refused whole, naming the line', () => {
    const d = folder([]);
    const bad: [string, string, RegExp][] = [
      ['a.csv', 'mag,phase\na,b\n', /line 1: the header names no "magnitude" column/],
      ['b.csv', 'magnitude,phase,colour\na,b,red\n', /unknown column\(s\) colour/],
      ['c.jsonl', '{"magnitude":"a"}\n{oops\n', /line 2: not valid JSON/],
      ['d.jsonl', '{"phase":"a"}\n', /line 1: no magnitude file/],
      ['e.csv', 'magnitude\n', /lists no pairs/],
    ];
    for (const [name, text, why] of bad) {
      writeFileSync(join(d, name), text);
      expect(() => readManifest(join(d, name))).toThrow(InputError);
      expect(() => readManifest(join(d, name))).toThrow(why);
    }
  });
});
