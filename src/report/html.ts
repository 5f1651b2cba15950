/**
 * The HTML report: one self-contained page (inline CSS, pictures as SVG data URIs, the listening
 * excerpts as WAV data URIs; no script, nothing fetched) that any browser opens from disk.
 */
import { type ReportContent, excerptDescription } from './content.js';
import { SPECTROGRAM_RANGE_DB } from './charts.js';
import { EXCERPT_RETRIEVAL_ITERATIONS } from './excerpt.js';
import { differingFields, fieldOf, groupDecisions, runnerUpText, show } from './format.js';

/** A Buffer over the same bytes (no copy). */
const bytes = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An SVG as an <img>: its own document, so the ids inside one chart never meet another's. */
function svgImage(svg: string | null, alt: string): string {
  if (!svg) return `<p class="na">${esc(alt)}: not available for this input.</p>`;
  return `<img class="chart" alt="${esc(alt)}" src="data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}">`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1d232b; --muted: #5b6573; --line: #d9dee5; --accent: #1f5fb4; --best: #2e9e4f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p, li { max-width: 80ch; }
.sub { color: var(--muted); margin: 0 0 16px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
tr.best td { background: #eef8f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.players { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.player { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 0; }
.player.best { border-color: var(--best); box-shadow: inset 4px 0 0 var(--best); }
.player h3 { margin: 0 0 4px; }
.player audio { width: 100%; margin-top: 6px; }
.tag { display: inline-block; font-size: 12px; padding: 1px 6px; border-radius: 10px; background: #eef1f5; color: var(--muted); }
.tag.retrieved { background: #fff1e0; color: #8a4b00; }
.diff code { background: #fff3d6; padding: 0 3px; border-radius: 3px; }
img.chart { display: block; max-width: 100%; height: auto; margin: 6px 0 4px; }
.caption { color: var(--muted); font-size: 13px; margin: 0 0 12px; }
pre.cmd { background: #f1f3f6; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; user-select: all; margin: 4px 0; }
details { margin: 4px 0 10px; }
summary { cursor: pointer; color: var(--accent); }
.na { color: var(--muted); font-style: italic; }
`;

function players(content: ReportContent): string {
  const { result: r } = content;
  const first = content.listening[0];
  return content.listening
    .map((l) => {
      const c = r.candidates[l.rank - 1];
      const what =
        l.rank === 1
          ? '<p class="diff">the best candidate</p>'
          : `<p class="diff">differs from rank 1 in ${l.differs.length ? l.differs.map((d) => `<code>${esc(d)}</code>`).join(' ') : 'no field'}</p>`;
      const phase =
        l.phase === 'file'
          ? '<span class="tag">phase from the file</span>'
          : `<span class="tag retrieved">retrieved phase (${r.phaseFile === null ? 'magnitude-only input' : r.phase.kind === 'partial' ? 'the phase file is only partly usable' : 'the phase file is not usable'}), ${EXCERPT_RETRIEVAL_ITERATIONS} iterations</span>`;
      const audio = l.wav
        ? `<audio controls preload="metadata" src="data:audio/wav;base64,${bytes(l.wav).toString('base64')}"></audio>`
        : `<p class="na">no excerpt: ${esc(l.problem ?? 'not available')}</p>`;
      // Fields that do not change the samples (a pad mode the export ignores, say) leave nothing to hear.
      const same = l.rank !== 1 && l.wav && first?.wav && bytes(l.wav).equals(bytes(first.wav)) ? ' <span class="tag">the same audio as rank 1</span>' : '';
      return `<figure class="player${l.rank === 1 ? ' best' : ''}">
<h3>Rank ${l.rank} <span class="tag">score ${c.score.toFixed(1)} dB · confidence ${(c.confidence * 100).toFixed(1)} %</span></h3>
${what}${phase} <span class="tag">${esc(excerptDescription(l, false))}</span>${same}
${audio}
</figure>`;
    })
    .join('\n');
}

function candidateTable(content: ReportContent): string {
  const r = content.result;
  const fields = differingFields(r.candidates);
  const head = ['rank', 'score dB', 'consistency dB', 'error dB', 'confidence', ...fields].map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = r.candidates.map((c) => {
    const num = (v: number | null): string => `<td class="num">${v === null ? '–' : v.toFixed(1)}</td>`;
    const cells = fields.map((f) => `<td>${esc(show(fieldOf(c.config, f)))}</td>`).join('');
    return `<tr${c.rank === 1 ? ' class="best"' : ''}><td class="num">${c.rank}</td>${num(c.score)}${num(c.consistencyDb)}${num(c.consistencyErrorDb)}<td class="num">${(c.confidence * 100).toFixed(1)} %</td>${cells}</tr>`;
  });
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function decisionTable(content: ReportContent): string {
  const rows = groupDecisions(content.result.decisions).map((ds) => {
    const fields = ds.map((d) => `<code>${esc(d.field)} = ${esc(show(d.value))}</code>`).join('<br>');
    const alts = ds.flatMap((d) => {
      const next = runnerUpText(d);
      return next ? [`<code>${esc(d.field)}</code>: ${esc(next)}`] : [];
    });
    return `<tr><td>${fields}</td><td>${esc(ds[0].source)}</td><td>${esc(ds[0].reason)}</td><td>${alts.join('<br>') || '–'}</td></tr>`;
  });
  return `<table><thead><tr><th>fields</th><th>decided by</th><th>evidence</th><th>runner-up and its margin</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function analyzerTable(content: ReportContent): string {
  const rows = content.result.analyzers.map(
    (a) =>
      `<tr><td>${esc(a.name)}</td><td>${esc(a.stage)}</td><td class="num">${a.runs}</td><td class="num">${a.ms}</td><td>${esc(a.undecided.join('; ') || '–')}</td></tr>`,
  );
  return `<table><thead><tr><th>analyzer</th><th>stage</th><th>runs</th><th>ms</th><th>undecided</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function commands(content: ReportContent): string {
  return content.commands
    .map(
      (c) => `<h3>Rank ${c.rank}</h3>
<pre class="cmd">${esc(c.byRank)}</pre>
<details><summary>every field pinned (skips the search)</summary><pre class="cmd">${esc(c.pinned)}</pre></details>`,
    )
    .join('\n');
}

/** The HTML report as the one file to write. */
export function writeHtmlReport(file: string, content: ReportContent): [string, string][] {
  const { result: r, recipe } = content;
  const best = r.candidates[0];
  const listen = content.listening[0];
  const spanText = listen && !listen.problem ? excerptDescription(listen, true) : 'not available';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>spec-detect report: ${esc(r.magnitudeFile)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>spec-detect report</h1>
<p class="sub">How the STFT in these files was made, ranked, with the evidence, and what each candidate sounds like.</p>
<dl class="meta">
<dt>magnitude file</dt><dd><code>${esc(r.magnitudeFile)}</code></dd>
<dt>phase file</dt><dd>${r.phaseFile ? `<code>${esc(r.phaseFile)}</code>` : 'none: magnitudes only (phase retrieved to listen)'}</dd>
<dt>phase</dt><dd>${esc(r.phase.kind)}${r.phase.usable ? '' : ' (not used)'}: ${esc(r.phase.reason)}</dd>
<dt>analysed</dt><dd>${esc(new Date().toISOString())}, in ${r.elapsedMs} ms; ranked by ${r.rankedBy === 'consistency' ? 'STFT consistency plus the analyzers’ prior cost' : 'the analyzers alone (no usable phase)'}</dd>
<dt>matched recipe</dt><dd>${esc(recipe ?? 'none of the known presets')}</dd>
</dl>

<h2 id="listen">Listen to the top ${content.listening.length}</h2>
<p class="caption">The same stretch of the file under each candidate: ${esc(spanText)}. Each excerpt is peak-normalised 16-bit audio, so levels compare by ear.</p>
<div class="players">
${players(content)}
</div>

<h2 id="candidates">Ranked candidates</h2>
${candidateTable(content)}
${svgImage(content.pictures.candidates, content.candidatesMeasure === 'consistency' ? 'consistency of each candidate (dB)' : 'score of each candidate')}
<p class="caption">${content.candidatesMeasure === 'consistency' ? 'STFT consistency of each candidate: ‖STFT(ISTFT(X)) − X‖ against what random phase gives, in dB; more negative is more consistent.' : 'No phase to test consistency with: the candidates are ranked by the analyzers’ prior cost (lower is better).'}</p>

<h2 id="pictures">Pictures</h2>
<h3>Decoded input (rank 1)</h3>
${svgImage(content.pictures.spectrogram, 'spectrogram of the decoded input')}
<p class="caption">${best.config.sampleRate ? `Time in seconds, frequency in Hz at ${best.config.sampleRate} Hz` : 'Frames and bins (no sample rate known)'}; colour: |X| in dB, the bar spanning ${SPECTROGRAM_RANGE_DB} dB below the loudest cell.</p>
<h3>Window imprint</h3>
${svgImage(content.pictures.imprint, 'window imprint')}
<p class="caption">The mean of y_m² (each frame's inverse transform, squared) over sampled frames, against the chosen window's w²${content.runnerUpWindow ? ' and the runner-up window’s' : ''}: the measured curve should lie on the chosen one.</p>
<h3>Waveform of the rank-1 excerpt</h3>
${svgImage(content.pictures.waveform, 'waveform of the rank-1 excerpt')}

<h2 id="decisions">How each field was decided (rank 1)</h2>
${decisionTable(content)}

<h2 id="export">Export</h2>
<p class="caption">Click a command to select it. The first form re-runs the analysis${content.commands.length && content.commands[0].byRank.includes('--set') ? ' with the same pins' : ''} and exports that rank; the pinned form names every field and skips the search.</p>
${commands(content)}

<h2 id="notes">Notes</h2>
${r.notes.length ? `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '<p>none</p>'}
<details><summary>Analyzers (${r.analyzers.length})</summary>
${analyzerTable(content)}
</details>
</main>
</body>
</html>
`;
  return [[file, html]];
}
