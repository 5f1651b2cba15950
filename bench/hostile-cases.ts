/**
 * The seeded mutations of a magnitude/phase pair that the fuzz test (test/hostile.test.ts) checks for
 * outcome and `npm run bench` (bench/hostile.ts) times: one list, so the slowest input the benchmark
 * names is one the test runs.
 */
import fc from 'fast-check';

export type PairMutation = { kind: 'truncate' | 'bitflip' | 'resize' | 'shift' | 'swap'; a: number; b: number };

export const FUZZ_SEED = 20261204;

/** `n` mutations, the same for the same seed. */
export function pairMutations(n: number, seed = FUZZ_SEED): PairMutation[] {
  const arb = fc.record({
    kind: fc.constantFrom('truncate' as const, 'bitflip' as const, 'resize' as const, 'shift' as const, 'swap' as const),
    a: fc.nat(),
    b: fc.nat(),
  });
  return fc.sample(arb, { numRuns: n, seed });
}

/** The mutated pair's bytes. */
export function mutatePair(mag: Uint8Array, phase: Uint8Array, { kind, a, b }: PairMutation): { magnitude: Uint8Array; phase: Uint8Array } {
  let m = Uint8Array.from(mag);
  let p = Uint8Array.from(phase);
  if (kind === 'truncate') m = m.subarray(0, a % m.length);
  if (kind === 'bitflip') for (let i = 0; i < 64; i++) p[(a * 7919 + i * b) % p.length] ^= 1 << (i % 8);
  if (kind === 'resize') p = p.subarray(0, p.length - ((a % 1000) + 1));
  if (kind === 'shift') m = Uint8Array.from([...new Uint8Array(a % 64), ...m]);
  if (kind === 'swap') [m, p] = [p, m];
  return { magnitude: m, phase: p };
}

/** A mutation in words, to name the slowest input. */
export function describeMutation(m: PairMutation, i: number): string {
  return `#${i} ${m.kind}(a=${m.a}, b=${m.b})`;
}

/** Byte mutations of a container file: the containers test's property and the bench's timing share them. */
export type Mutation = { kind: 'truncate'; at: number } | { kind: 'flip'; at: number; bit: number } | { kind: 'insert'; at: number; bytes: Uint8Array };

export function mutate(src: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * src.length);
  if (m.kind === 'truncate') return src.subarray(0, at);
  if (m.kind === 'flip') {
    const b = Buffer.from(src);
    b[Math.min(at, b.length - 1)] ^= 1 << m.bit;
    return b;
  }
  return Buffer.concat([src.subarray(0, at), m.bytes, src.subarray(at)]);
}

export const mutationArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  ),
  { minLength: 1, maxLength: 3 },
);
