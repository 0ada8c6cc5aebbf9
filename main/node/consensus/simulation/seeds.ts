/**
 * Which seeds the simulation tests run. `npm test` runs SIM_SEEDS seeds (default 2,000) split over the
 * shard files; `SIM_SEEDS=100000 npm run test:unit -- simulation` runs a long campaign, and
 * `SIM_SEED=1234 npx vitest run --project unit simulation` replays one seed alone.
 */
export const SIM_SHARDS = 4;

export function seedsForShard(shard: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const single = env['SIM_SEED'];
  if (single !== undefined) return shard === 0 ? [Number(single)] : [];
  const total = Number(env['SIM_SEEDS'] ?? 2000);
  const first = Number(env['SIM_FIRST_SEED'] ?? 1);
  const seeds: number[] = [];
  for (let seed = first + shard; seed < first + total; seed += SIM_SHARDS) seeds.push(seed);
  return seeds;
}
