// Consensus safety and liveness over many seeds (shard 3 of 4; see ./seeds.ts).
import { describeSimulationShard } from './describeShard';

describeSimulationShard(3);
