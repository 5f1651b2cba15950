import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One test file per core: vitest's default leaves one core free, which on this 2-core machine ran
    // the suite on one (321 s); the files are CPU-bound and independent (192 s with both).
    maxWorkers: availableParallelism(),
  },
});
