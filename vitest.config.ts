import { defineConfig } from 'vitest/config';

// Two tiers, one suffix each: *.test.ts (unit, pure) and *.int.test.ts (real SQLite, sockets, processes).
export default defineConfig({
  test: {
    // `npm run bench`: benchmarks, not timed tests (figures go to docs/BENCHMARKS.md).
    projects: [
      {
        test: { name: 'bench', include: [], benchmark: { include: ['bench/**/*.bench.ts'] }, environment: 'node' },
      },
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'int',
          include: ['main/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration tests start processes and bind ports; two cores, so one file at a time.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
