#!/usr/bin/env node
// Structure check, run by `npm run lint`: the rules of ARCHITECTURE.md that a linter does not know.
//  1. no file over MAX_LINES lines in src/ and heuristics/ (tests excepted);
//  2. no import cycles among the TypeScript modules (type-only imports included: a cycle is a layering
//     problem whether or not it survives compilation);
//  3. every runtime dependency in package.json is imported from src/ or heuristics/, and every package
//     they import is a runtime dependency.
// Exit 1 with one line per problem.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const MAX_LINES = 400;
const SIZED = ['src', 'heuristics'];
const GRAPH = ['src', 'heuristics', 'scripts', 'bench'];

function walk(dir) {
  const out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports and re-exports (`import ... from`, `export ... from`, `import '...'`). */
function specifiers(text) {
  const out = [];
  const clause = String.raw`(?:type\s+)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+[\w$]+))?)`;
  const re = new RegExp(String.raw`^\s*(?:import\s+${clause}\s*from\s*|export\s+${clause}\s*from\s*|import\s*)['"]([^'"]+)['"]`, 'gm');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]);
  return out;
}

const problems = [];
const rel = (p) => relative(ROOT, p);

// 1. sizes
for (const f of SIZED.flatMap((d) => walk(join(ROOT, d)))) {
  const lines = readFileSync(f, 'utf8').split('\n').length - 1;
  if (lines > MAX_LINES) problems.push(`${rel(f)}: ${lines} lines (limit ${MAX_LINES}): split it by what it computes`);
}

// 2. cycles
const files = GRAPH.flatMap((d) => walk(join(ROOT, d)));
const edges = new Map();
const packages = new Map(); // package -> first importing file (src/ and heuristics/ only)
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const deps = [];
  for (const s of specifiers(text)) {
    if (s.startsWith('.')) {
      const target = resolve(dirname(f), s.replace(/\.js$/, '.ts'));
      deps.push(target);
    } else if (!s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]) && SIZED.some((d) => rel(f).startsWith(d + '/'))) {
      const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
      if (!packages.has(name)) packages.set(name, rel(f));
    }
  }
  edges.set(f, deps);
}
// Tarjan's strongly connected components: any component of more than one module is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function strong(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!edges.has(w)) continue;
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    const self = (edges.get(v) ?? []).includes(v);
    if (comp.length > 1 || self) problems.push(`import cycle: ${comp.map(rel).sort().join(' <-> ')}`);
  }
}
for (const f of files) if (!idx.has(f)) strong(f);

// 3. dependencies
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const declared = Object.keys(pkg.dependencies ?? {});
for (const d of declared) {
  if (!packages.has(d)) problems.push(`package.json: dependency "${d}" is imported nowhere in src/ or heuristics/ (remove it, or make it a devDependency)`);
}
for (const [name, file] of packages) {
  if (!declared.includes(name)) problems.push(`${file}: imports "${name}", which is not in package.json dependencies`);
}

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(
  `structure: ${files.length} modules, none over ${MAX_LINES} lines in ${SIZED.join('/, ')}/, no import cycles, ${declared.length} runtime dependencies all imported`,
);
