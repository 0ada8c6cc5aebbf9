/**
 * Puts the demo voucher programme (DESIGN.md §10) on a demo chain in one transaction: the programme with
 * Octopus, AlipayHK and PayMe as its operators (the programme's list registers them). One transaction, so it
 * goes into a fresh demo node's first block beside the demo election and tests still count blocks from
 * there; the same signed transaction on every demo node (fixed nonce, deterministic Ed25519), so a demo
 * network includes it once. The ledger holds no names for operators listed in a programme: the desks show
 * the keystore's labels (VoucherOffice), and a `voucher.operator` register can name one later.
 */
import { readProgramme } from '../../core/rules/vouchers';
import type { StateReader } from '../../core/rules/types';
import { signTransaction } from '../../core/ledger/transaction';
import type { Genesis } from '../../core/genesis';
import { x25519KeyPair } from '../../core/vouchers/seal';
import { demoPublicKey } from '../workspace/demo';
import { DEMO_INSTALMENTS, DEMO_OPERATORS, DEMO_PROGRAMME_ID, DEMO_PROGRAMME_TITLE, DEMO_REVIEWER_ID, demoReviewerSecrets } from '../workspace/demoVouchers';
import type { RoleKey } from '../elections/electionOffice';
import type { VoucherOffice } from './voucherOffice';

/** Submits the programme (synchronously up to the mempool, so it joins whatever else starts in this tick). */
export async function seedDemoVouchers(office: VoucherOffice, deps: { genesis: Genesis; state: () => StateReader; authority: RoleKey | null }): Promise<void> {
  const { authority, genesis } = deps;
  if (!authority || readProgramme(deps.state(), DEMO_PROGRAMME_ID)) return;
  const payload = {
    id: DEMO_PROGRAMME_ID,
    title: DEMO_PROGRAMME_TITLE,
    amountPerPersonCents: 500_000,
    instalments: DEMO_INSTALMENTS.map((i) => ({ ...i })),
    operators: DEMO_OPERATORS.map((o) => demoPublicKey(o.id)),
    reviewersSealingKey: x25519KeyPair(demoReviewerSecrets().sealingPrivateKey).publicKey,
    reviewers: [demoPublicKey(DEMO_REVIEWER_ID)],
  };
  await office.submitFinal(signTransaction({ type: 'voucher.programme', chainId: genesis.chainId, signer: authority.publicKey, nonce: 'demo-vouchers', payload }, authority.privateKey));
}
