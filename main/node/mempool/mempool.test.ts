/**
 * The mempool's re-check after a block: transactions whose reads the block changed are checked again (and
 * dropped when the new state refuses them); others are left alone, except for a rotating few checked for
 * what time alone ends.
 */
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../../core/errors';
import { HOUR_MS, TestLedger } from '../../core/elections/testElection';
import { testGenesis, testNote } from '../../core/ledger/testFixtures';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import { voucherId } from '../../core/rules/vouchers';
import { operators, residents, testDetails, testProgramme, VoucherTxs } from '../../core/vouchers/testVouchers';
import { TransactionPool } from './mempool';

const { genesis, authority } = testGenesis();
const T0 = genesis.genesisTimeMs;
const BOTH = T0 + 20 * HOUR_MS;
const v = new VoucherTxs(genesis.chainId, authority);
const { alice, bob } = residents;
const { octopus, alipay } = operators;

function setUp() {
  const ledger = new TestLedger(genesis);
  const checked: string[] = [];
  ledger.apply([v.programme(testProgramme(genesis)), v.register(alipay, 'AlipayHK')], T0 + 500);
  const applyA = v.apply(alice, testDetails('A123456(7)', 'Chan Tai Man'));
  const applyB = v.apply(bob, testDetails('B765432(1)', 'Wong Siu Ming'));
  ledger.apply([applyA, applyB], T0 + 600);
  const approveA = v.approve(transactionHash(applyA), 'A123456(7)');
  const approveB = v.approve(transactionHash(applyB), 'B765432(1)');
  ledger.apply([approveA, approveB], T0 + 700);
  ledger.apply([v.request(octopus, 'o-1', 10_000, T0 + 90 * HOUR_MS), v.request(alipay, 'a-1', 10_000, T0 + 90 * HOUR_MS), v.request(octopus, 'o-2', 10_000, T0 + 90 * HOUR_MS), v.request(octopus, 'soon', 10_000, BOTH + 1000)], T0 + 800);
  let now = BOTH;
  const stored = new Map<string, Transaction>();
  const pool = new TransactionPool(
    { genesis },
    {
      repository: { addMany: (entries) => entries.forEach((e) => stored.set(e.hash, e.tx)), remove: (hashes) => hashes.forEach((h) => stored.delete(h)), all: () => [] },
      verifier: { verifyTransactions: async (txs) => txs.map((tx) => transactionHash(tx)) },
      // Counts the rule checks: which transactions the pool looked at again.
      registry: Object.assign(Object.create(ledger.registry) as typeof ledger.registry, {
        get: (type: string) => {
          checked.push(type);
          return ledger.registry.get(type);
        },
      }),
      state: () => ledger.reader,
      height: () => ledger.height,
      now: () => now,
      onChange: () => undefined,
    },
  );
  return { ledger, pool, stored, aliceVoucher: voucherId(transactionHash(approveA), 0), bobVoucher: voucherId(transactionHash(approveB), 0), setNow: (ms: number) => (now = ms), checked };
}

describe('TransactionPool.dropInvalidated', () => {
  it('after a block spends a voucher, drops the other payment with the same voucher and keeps unrelated ones', async () => {
    const { ledger, pool, stored, aliceVoucher, bobVoucher, checked } = setUp();
    const atOctopus = v.redeem(alice, octopus, 'o-1', [aliceVoucher], 10_000);
    const atAlipay = v.redeem(alice, alipay, 'a-1', [aliceVoucher], 10_000);
    const bobPays = v.redeem(bob, octopus, 'o-2', [bobVoucher], 10_000);
    const note = testNote(genesis.chainId, bob, 'n-1');
    // Both of Alice's payments are valid against the committed state, so both wait.
    await Promise.all([atOctopus, atAlipay, bobPays, note].map((tx) => pool.submit(JSON.parse(JSON.stringify(tx)))));
    expect(pool.size()).toBe(4);

    const changes = ledger.apply([atOctopus], BOTH);
    pool.remove(changes.txHashes);
    checked.length = 0;
    // Without the sweep, only the payment that read the spent voucher is checked again: not Bob's, not the note.
    expect(pool.dropInvalidated(changes.writes.keys(), { sweep: 0 })).toEqual([transactionHash(atAlipay)]);
    expect(checked).toEqual(['voucher.redeem']);
    expect([...stored.keys()].sort()).toEqual([transactionHash(bobPays), transactionHash(note)].sort());
    expect(pool.has(transactionHash(bobPays))).toBe(true);
  });

  it('a block that changes nothing a transaction read still lets time end it: an expired request is dropped by the sweep', async () => {
    const { ledger, pool, bobVoucher, setNow } = setUp();
    const late = v.redeem(bob, octopus, 'soon', [bobVoucher], 10_000);
    await pool.submit(JSON.parse(JSON.stringify(late)));
    setNow(BOTH + 2000);
    const changes = ledger.apply([testNote(genesis.chainId, alice, 'unrelated')], BOTH + 2000);
    expect(pool.dropInvalidated(changes.writes.keys())).toEqual([transactionHash(late)]);
    expect(pool.size()).toBe(0);
  });
});

describe('TransactionPool.submit, pipelined', () => {
  it('sends what arrived during a verification to the workers before that batch is checked and written, and writes batches in order', async () => {
    const events: string[] = [];
    const verifications: { txs: readonly Transaction[]; resolve: () => void }[] = [];
    const ledger = new TestLedger(genesis);
    const name = (tx: Transaction) => tx.nonce;
    const pool = new TransactionPool(
      { genesis },
      {
        repository: { addMany: (entries) => void events.push(`write ${entries.map((e) => name(e.tx)).join(',')}`), remove: () => undefined, all: () => [] },
        verifier: {
          verifyTransactions: (txs) =>
            new Promise((resolve) => {
              events.push(`verify ${txs.map(name).join(',')}`);
              verifications.push({ txs, resolve: () => resolve(txs.map((tx) => transactionHash(tx))) });
            }),
        },
        registry: ledger.registry,
        state: () => ledger.reader,
        height: () => ledger.height,
        now: () => T0,
        onChange: () => undefined,
      },
    );
    const submit = (text: string) => pool.submit(JSON.parse(JSON.stringify(testNote(genesis.chainId, alice, text))));
    const first = submit('a');
    await Promise.resolve();
    await Promise.resolve();
    expect(events).toEqual(['verify a']);
    // b and c arrive while a is being verified, and b twice: included once.
    const later = [submit('b'), submit('c'), submit('b')];
    verifications[0]?.resolve();
    await first;
    expect(events).toEqual(['verify a', 'verify b,c,b', 'write a']);
    verifications[1]?.resolve();
    const outcomes = await Promise.all(later);
    expect(events).toEqual(['verify a', 'verify b,c,b', 'write a', 'write b,c']);
    expect(outcomes.map((o) => o.duplicate)).toEqual([false, false, true]);
    expect(pool.size()).toBe(3);
  });

  it('a failed verification refuses its own batch only', async () => {
    const ledger = new TestLedger(genesis);
    let calls = 0;
    const pool = new TransactionPool(
      { genesis },
      {
        repository: { addMany: () => undefined, remove: () => undefined, all: () => [] },
        verifier: {
          verifyTransactions: async (txs) => {
            if (calls++ === 0) throw new CivichainError('VERIFIER_FAILED', 'A signature verification worker could not check a batch (worker died).');
            return txs.map((tx) => transactionHash(tx));
          },
        },
        registry: ledger.registry,
        state: () => ledger.reader,
        height: () => ledger.height,
        now: () => T0,
        onChange: () => undefined,
      },
    );
    const submit = (text: string) => pool.submit(JSON.parse(JSON.stringify(testNote(genesis.chainId, alice, text))));
    const first = submit('x');
    await Promise.resolve();
    const second = submit('y');
    await expect(first).rejects.toThrow('worker died');
    await expect(second).resolves.toMatchObject({ duplicate: false });
    expect(pool.size()).toBe(1);
  });
});
