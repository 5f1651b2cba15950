#!/usr/bin/env node
// Measure the analyzer on a held-out fixture set written by make_real_fixtures.py with REAL_FIXTURES_OUT
// (e.g. `REAL_FIXTURES_OUT=/tmp/heldout /usr/bin/python3 scripts/real-fixtures/make_real_fixtures.py magonly3`).
// Run from the repository root after `npm run build`:
//   node scripts/real-fixtures/eval_heldout.mjs /tmp/heldout [fixture-name ...]
// For each fixture in <dir>/fixtures.json: `node dist/src/cli/main.js analyze --json --top 5 <magnitude file>`;
// prints rank 1's hop, winLength, window, windowSymmetry, magnitudeScale against the truth's, the fields that differ,
// and the 1-based rank of the first candidate whose (hop, winLength, window, magnitudeScale) equal the truth's (0: not
// in the top 5). Summary: "rank-1 right k/n, top-3 k/n", right = hop, winLength, window, magnitudeScale, nfft, sided
// and layout all equal. No dependencies (Node 20).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...only] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/real-fixtures/eval_heldout.mjs <dir with fixtures.json> [fixture-name ...]');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(dir, 'fixtures.json'), 'utf8'));
const fixtures = manifest.fixtures.filter((e) => only.length === 0 || only.includes(e.name));

const SHOWN = ['hop', 'winLength', 'window', 'windowSymmetry', 'magnitudeScale'];
const MATCH = ['hop', 'winLength', 'window', 'magnitudeScale'];
const RIGHT = ['hop', 'winLength', 'window', 'magnitudeScale', 'nfft', 'sided', 'layout'];
const same = (a, b, keys) => keys.every((k) => a[k] === b[k]);

let rank1Right = 0;
let top3Right = 0;
for (const e of fixtures) {
  const fdir = join(dir, e.dir);
  const truth = JSON.parse(readFileSync(join(fdir, e.truth), 'utf8'));
  const mag = join(fdir, e.magnitude);
  let out;
  try {
    out = JSON.parse(
      execFileSync('node', ['dist/src/cli/main.js', 'analyze', '--json', '--top', '5', mag], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  } catch (err) {
    console.log(
      `${e.name}: analyze failed: ${
        String(err.stderr || err.message)
          .trim()
          .split('\n')[0]
      }`,
    );
    continue;
  }
  const cands = (out.candidates || []).map((c) => c.config);
  const r1 = cands[0] || {};
  const cell = (k) => `${k} ${JSON.stringify(r1[k])}${r1[k] === truth[k] ? '' : ` (truth ${JSON.stringify(truth[k])})`}`;
  const differ = SHOWN.filter((k) => r1[k] !== truth[k]);
  const rank = cands.findIndex((c) => same(c, truth, MATCH)) + 1;
  if (cands.length && same(r1, truth, RIGHT)) rank1Right++;
  if (cands.slice(0, 3).some((c) => same(c, truth, RIGHT))) top3Right++;
  console.log(`${e.name}\n  rank 1: ${SHOWN.map(cell).join(', ')}\n  differ: ${differ.length ? differ.join(', ') : 'none'}; truth rank ${rank}`);
}
const n = fixtures.length;
console.log(`rank-1 right ${rank1Right}/${n}, top-3 ${top3Right}/${n}`);
