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

describe('TransactionPool.included', () => {
  it('forgets what a final block included without writing: the block\'s commit deleted the rows', async () => {
    const { pool, stored } = setUp();
    const note = testNote(genesis.chainId, bob, 'n-2');
    await pool.submit(JSON.parse(JSON.stringify(note)));
    const hash = transactionHash(note);
    pool.included([hash, 'f'.repeat(64)]);
    expect(pool.has(hash)).toBe(false);
    expect(pool.size()).toBe(0);
    // The repository was not asked to remove it: that belongs to the store's block commit.
    expect(stored.has(hash)).toBe(true);
  });
});

describe('TransactionPool.submit, pipelined', () => {
  it('sends each turn\'s submissions to the workers at once, without waiting for the batches before, and writes verified batches in order, together', async () => {
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
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    const first = submit('a');
    await settle();
    expect(events).toEqual(['verify a']);
    // b and c arrive while a is being verified, and b twice: they go to the workers now, not after a.
    const later = [submit('b'), submit('c'), submit('b')];
    await settle();
    expect(events).toEqual(['verify a', 'verify b,c,b']);
    // The later batch is verified first: it waits for a, so that batches are written in arrival order.
    verifications[1]?.resolve();
    await settle();
    expect(events).toEqual(['verify a', 'verify b,c,b']);
    verifications[0]?.resolve();
    const outcomes = await Promise.all([first, ...later]);
    // Both verified by then: one write (one fsync) for both, b included once.
    expect(events).toEqual(['verify a', 'verify b,c,b', 'write a,b,c']);
    expect(outcomes.map((o) => o.duplicate)).toEqual([false, false, false, true]);
    // A batch verified while the next is not is written alone.
    const d = submit('d');
    await settle();
    const e = submit('e');
    await settle();
    verifications[2]?.resolve();
    await d;
    expect(events.slice(3)).toEqual(['verify d', 'verify e', 'write d']);
    verifications[3]?.resolve();
    await e;
    expect(events.slice(6)).toEqual(['write e']);
    expect(pool.size()).toBe(5);
  });

  it('an unexpected failure while checking a batch refuses that batch with MEMPOOL_FAILED and leaves nobody waiting', async () => {
    const ledger = new TestLedger(genesis);
    let failNext = false;
    const pool = new TransactionPool(
      { genesis },
      {
        repository: { addMany: () => undefined, remove: () => undefined, all: () => [] },
        verifier: { verifyTransactions: async (txs) => txs.map((tx) => transactionHash(tx)) },
        registry: ledger.registry,
        state: () => {
          if (failNext) {
            failNext = false;
            throw new RangeError('the state could not be read');
          }
          return ledger.reader;
        },
        height: () => ledger.height,
        now: () => T0,
        onChange: () => undefined,
      },
    );
    const submit = (text: string) => pool.submit(JSON.parse(JSON.stringify(testNote(genesis.chainId, alice, text))));
    failNext = true;
    await expect(submit('p')).rejects.toMatchObject({ code: 'MEMPOOL_FAILED', message: expect.stringContaining('the state could not be read') });
    await expect(submit('q')).resolves.toMatchObject({ duplicate: false });
    expect(pool.size()).toBe(1);
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
