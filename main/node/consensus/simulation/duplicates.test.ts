/** The same signed transaction submitted at the same moment to two validators is included exactly once. */
import { describe, expect, it } from 'vitest';
import { signTransaction, transactionHash } from '../../../core/ledger/transaction';
import { SimNet } from './simNet';
import { simulationGenesis, validatorKey } from './simulation';

const genesis = simulationGenesis(4);
const client = validatorKey(100);

describe('duplicate submissions across validators', () => {
  it('one transaction given to two validators at once is final once, on every node', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const net = new SimNet(genesis, seed);
      net.startAll();
      const tx = signTransaction({ type: 'note', chainId: genesis.chainId, signer: client.publicKey, nonce: 'same', payload: { text: 'once' } }, client.privateKey);
      net.submit(net.nodes[0]!, tx);
      net.submit(net.nodes[1]!, tx);
      await net.run(5_000);
      // Offered again later (a client retrying): still once.
      net.submit(net.nodes[2]!, tx);
      net.nodes[3]!.engine!.requestBlock();
      await net.run(10_000);
      for (const node of net.nodes) {
        const included = node.store.committedHashes().flatMap((_, i) => node.store.committed(i + 1)!.block.transactions.map(transactionHash));
        expect(included.filter((h) => h === transactionHash(tx)), `seed ${seed}, ${node.id}`).toHaveLength(1);
      }
    }
  });
});
