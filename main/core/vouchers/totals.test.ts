import { describe, expect, it } from 'vitest';
import { HOUR_MS, TestLedger } from '../elections/testElection';
import { testGenesis } from '../ledger/testFixtures';
import { transactionHash, type Transaction } from '../ledger/transaction';
import { voucherId } from '../rules/vouchers';
import { operators, PROGRAMME_ID, residents, testDetails, testProgramme, VoucherTxs } from './testVouchers';
import { ProgrammeTally } from './totals';

const { genesis, authority } = testGenesis();
const T0 = genesis.genesisTimeMs;
const BOTH = T0 + 20 * HOUR_MS;
const v = new VoucherTxs(genesis.chainId, authority);
const { alice, bob } = residents;
const { octopus, alipay } = operators;

describe('ProgrammeTally', () => {
  it('moves applicants and redemptions between the counts block by block, as a recount from scratch would find them', () => {
    const ledger = new TestLedger(genesis);
    const tally = new ProgrammeTally();
    const block = (txs: readonly Transaction[], timeMs: number) => {
      ledger.apply(txs, timeMs);
      for (const tx of txs) tally.observe(tx, transactionHash(tx));
      tally.update(ledger.reader);
      return tally.totals(ledger.reader, PROGRAMME_ID);
    };
    block([v.programme(testProgramme(genesis)), v.register(alipay, 'AlipayHK')], T0 + 100);
    const applyA = v.apply(alice, testDetails('A123456(7)', 'Chan Tai Man'));
    const applyB = v.apply(bob, testDetails('B765432(1)', 'Wong Siu Ming'));
    expect(block([applyA, applyB], T0 + 200).applicants).toEqual({ pending: 2, approved: 0, denied: 0 });

    const approve = v.approve(transactionHash(applyA), 'A123456(7)');
    let totals = block([approve, v.deny(transactionHash(applyB), 'not a resident')], T0 + 300);
    expect(totals).toMatchObject({ applicants: { pending: 0, approved: 1, denied: 1 }, issuedCents: 500_000, redeemedCents: 0, outstandingCents: 500_000 });
    // A denied applicant applies again: counted once, as pending.
    expect(block([v.apply(bob, testDetails('B765432(1)', 'Wong Siu Ming'), undefined, 'again')], T0 + 400).applicants).toEqual({ pending: 1, approved: 1, denied: 0 });

    const [two, three] = [voucherId(transactionHash(approve), 0), voucherId(transactionHash(approve), 1)];
    const payOctopus = v.redeem(alice, octopus, 'o-1', [two], 12_050);
    const payAlipay = v.redeem(alice, alipay, 'a-1', [three], 5_000);
    totals = block([v.request(octopus, 'o-1', 12_050, T0 + 90 * HOUR_MS), v.request(alipay, 'a-1', 5_000, T0 + 90 * HOUR_MS), payOctopus, payAlipay], BOTH);
    expect(totals.redeemedCents).toBe(0);
    totals = block([v.accept(octopus, transactionHash(payOctopus)), v.accept(alipay, transactionHash(payAlipay))], BOTH);
    expect(totals).toMatchObject({ redeemedCents: 17_050, outstandingCents: 500_000 - 17_050 });
    expect(totals.byOperator.get(octopus.publicKey)).toEqual({ redemptions: 1, redeemedCents: 12_050 });
    // A refund takes the payment out again; a settlement claim keeps it counted.
    totals = block([v.refund(alipay, transactionHash(payAlipay)), v.settle(octopus, [transactionHash(payOctopus)])], BOTH);
    expect(totals).toMatchObject({ redeemedCents: 12_050, outstandingCents: 500_000 - 12_050 });
    expect(totals.byOperator.has(alipay.publicKey)).toBe(false);
  });
});
