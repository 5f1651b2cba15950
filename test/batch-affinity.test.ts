import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedCpus, cpuPlan, freeCpu, parseCpuList } from '../src/batch/affinity.js';
import type { JobSpec } from '../src/batch/job.js';
import { runPool } from '../src/batch/pool.js';
import type { BatchLine } from '../src/batch/types.js';

/** One CPU per job when the jobs fill the CPUs (Linux with taskset); a replaced job takes the CPU it freed. */
const tmp = mkdtempSync(join(tmpdir(), 'sd-batch-affinity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CPU lists', () => {
  it('reads Linux CPU lists and the affinity line of /proc/<pid>/status', () => {
    expect(parseCpuList('0-3,6,8-9')).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('a')).toBeNull();
    expect(allowedCpus('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n')).toEqual([0, 1]);
    expect(allowedCpus('Name:\tnode\n')).toBeNull();
  });

  it('a new job takes the first CPU no live job holds', () => {
    const plan = { taskset: 'taskset', cpus: [2, 5] };
    expect(freeCpu(plan, [])).toBe(2);
    expect(freeCpu(plan, [2])).toBe(5);
    expect(freeCpu(plan, [5, null])).toBe(2);
    expect(freeCpu(plan, [2, 5])).toBeNull();
  });

  it('no pinning for a lone job, nor when the jobs do not match the CPUs', () => {
    expect(cpuPlan(1)).toBeNull();
    const cpus = allowedCpus();
    if (cpus) expect(cpuPlan(cpus.length + 1)).toBeNull();
  });
});

const canPin = process.platform === 'linux' && allowedCpus()?.length === 2 && spawnSync('taskset', ['-p', String(process.pid)]).status === 0;

describe.runIf(canPin)('pinned job processes (2 CPUs, taskset)', () => {
  it('two jobs on two CPUs, one each; the job replacing a dead one takes its CPU', async () => {
    // A stand-in worker: answers each pair with the CPUs it may run on, after 300 ms; the pair "die" kills it.
    const script = join(tmp, 'worker.mjs');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
const cpus = () => /^Cpus_allowed_list:\\s*(\\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1];
process.on('message', ({ id, spec }) => {
  if (spec.pair.name === 'die') { process.stderr.write('cpu ' + cpus() + '\\n'); process.exit(9); }
  setTimeout(() => process.send({ id, line: { pair: spec.pair.name, status: 'ok', notes: [cpus()], candidates: [] } }), 300);
});
process.on('disconnect', () => process.exit(0));
`,
    );
    const names = ['a', 'die', 'b', 'c', 'd', 'e'];
    const specs: JobSpec[] = names.map((name) => ({ pair: { name, magnitude: `${name}.f32`, phase: null }, pins: {}, top: 1, exportDir: null }));
    const pidOf = new Map<string, number>();
    const lines: BatchLine[] = [];
    await runPool(specs, { script, jobs: 2, memoryLimitMB: 512, onStart: (pair, pid) => pidOf.set(pair.name, pid) }, (l) => lines.push(l));
    const cpuOf = new Map(lines.map((l) => [l.pair, l.status === 'ok' ? l.notes[0] : /cpu (\S+)/.exec(l.error ?? '')?.[1]]));
    expect(lines.find((l) => l.pair === 'die')?.errorKind).toBe('crash');
    // Each process on one CPU of its own, both CPUs busy, and every later process on the dead one's CPU.
    const byPid = new Map<number, Set<string | undefined>>();
    for (const n of names) byPid.set(pidOf.get(n) ?? -1, (byPid.get(pidOf.get(n) ?? -1) ?? new Set()).add(cpuOf.get(n)));
    expect(byPid.size).toBe(3);
    for (const set of byPid.values()) expect(set.size).toBe(1);
    expect(new Set(cpuOf.values())).toEqual(new Set(['0', '1']));
    const dead = pidOf.get('die');
    const first = pidOf.get('a');
    const replacement = [...byPid.keys()].find((p) => p !== dead && p !== first);
    expect([...(byPid.get(replacement ?? -1) ?? [])]).toEqual([cpuOf.get('die')]);
  });
});
