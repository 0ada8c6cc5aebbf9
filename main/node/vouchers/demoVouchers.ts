/**
 * Puts the demo voucher programme (DESIGN.md §10) on a demo chain: the programme, then Octopus, AlipayHK
 * and PayMe registered by name. Each is the same signed transaction on every demo node (fixed nonces, and
 * Ed25519 signatures are deterministic), so a demo network includes each once; a node that finds one on the
 * chain already skips it.
 */
import { readOperator, readProgramme } from '../../core/rules/vouchers';
import type { StateReader } from '../../core/rules/types';
import { x25519KeyPair } from '../../core/vouchers/seal';
import { demoPublicKey } from '../workspace/demo';
import { DEMO_INSTALMENTS, DEMO_OPERATORS, DEMO_PROGRAMME_ID, DEMO_PROGRAMME_TITLE, DEMO_REVIEWER_ID, demoReviewerSecrets } from '../workspace/demoVouchers';
import type { RoleKey } from '../elections/electionOffice';
import { signTransaction } from '../../core/ledger/transaction';
import type { Genesis } from '../../core/genesis';
import type { VoucherOffice } from './voucherOffice';

export async function seedDemoVouchers(office: VoucherOffice, deps: { genesis: Genesis; state: () => StateReader; authority: RoleKey | null }): Promise<void> {
  const { authority, genesis } = deps;
  if (!authority) return;
  const sign = (type: string, payload: Record<string, unknown>, nonce: string) =>
    signTransaction({ type, chainId: genesis.chainId, signer: authority.publicKey, nonce, payload: payload as never }, authority.privateKey);
  if (!readProgramme(deps.state(), DEMO_PROGRAMME_ID)) {
    await office.submitFinal(
      sign(
        'voucher.programme',
        {
          id: DEMO_PROGRAMME_ID,
          title: DEMO_PROGRAMME_TITLE,
          amountPerPersonCents: 500_000,
          instalments: DEMO_INSTALMENTS.map((i) => ({ ...i })),
          operators: [],
          reviewersSealingKey: x25519KeyPair(demoReviewerSecrets().sealingPrivateKey).publicKey,
          reviewers: [demoPublicKey(DEMO_REVIEWER_ID)],
        },
        'demo-vouchers',
      ),
    );
  }
  for (const operator of DEMO_OPERATORS) {
    const key = demoPublicKey(operator.id);
    if (readOperator(deps.state(), DEMO_PROGRAMME_ID, key)) continue;
    await office.submitFinal(sign('voucher.operator', { programme: DEMO_PROGRAMME_ID, action: 'register', operator: key, name: operator.name }, `demo-vouchers-${operator.id}`));
  }
}
