import { describe, expect, it } from 'vitest';
import { seedsForShard } from './seeds';
import { runSimulation } from './simulation';

/**
 * Asserted for every seed: never two different final blocks at one height; every final block carries a
 * valid commit certificate; every node's chain is a prefix of one chain; no honest validator ever signs
 * two blocks at one height and round; after the network heals, every node finalises a new block within
 * the bound. A failing seed is printed with the command that replays it alone.
 */
export function describeSimulationShard(shard: number): void {
  const seeds = seedsForShard(shard);
  describe(`consensus simulation, shard ${shard}`, () => {
    it.runIf(seeds.length > 0)(`holds safety and liveness for ${seeds.length} seeds`, async () => {
      const failures: string[] = [];
      for (const seed of seeds) {
        const result = await runSimulation({ seed, faultyMs: 12_000 });
        if (result.failure) failures.push(`seed ${seed} (${result.validators} validators): ${result.failure}\n  replay: SIM_SEED=${seed} npx vitest run --project unit simulation`);
      }
      expect(failures, failures.join('\n')).toEqual([]);
    }, 600_000);
  });
}
