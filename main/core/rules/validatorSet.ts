/**
 * `validator-set`: the authority adds or removes validators and may set the quorum. The new set takes
 * effect from the next height, so the block that carries the change is still approved by the old set.
 */
import { z } from 'zod';
import { CivichainError } from '../errors';
import { defaultQuorum, quorumProblem, type Genesis } from '../genesis';
import { HEX_32 } from '../crypto/ed25519';
import type { StateReader, TxRule, ValidatorSet } from './types';

export const VALIDATOR_SET_KEY = 'consensus/validators';

const payloadSchema = z
  .object({
    add: z.array(z.object({ name: z.string().min(1).max(120), publicKey: z.string().regex(HEX_32) }).strict()).max(100).optional(),
    remove: z.array(z.string().regex(HEX_32)).max(100).optional(),
    quorum: z.number().int().positive().optional(),
  })
  .strict();
type Payload = z.infer<typeof payloadSchema>;

/** The validator set in force: the latest `validator-set` change, else the genesis. */
export function currentValidatorSet(state: StateReader, genesis: Genesis): ValidatorSet {
  const stored = state.get(VALIDATOR_SET_KEY);
  if (stored) return JSON.parse(stored) as ValidatorSet;
  return { validators: genesis.validators, quorum: genesis.quorum };
}

function nextSet(current: ValidatorSet, payload: Payload): ValidatorSet {
  const removed = new Set(payload.remove ?? []);
  const validators = current.validators.filter((v) => !removed.has(v.publicKey));
  for (const member of payload.add ?? []) {
    // Adding a key that is already a validator would count one signer twice.
    if (validators.some((v) => v.publicKey === member.publicKey)) {
      throw new CivichainError('TX_INVALID_PAYLOAD', `${member.publicKey.slice(0, 12)}… is already a validator.`, { publicKey: member.publicKey });
    }
    validators.push(member);
  }
  if (validators.length === 0) throw new CivichainError('TX_INVALID_PAYLOAD', 'A validator set cannot be empty.');
  const quorum = payload.quorum ?? defaultQuorum(validators.length);
  const problem = quorumProblem(quorum, validators.length);
  if (problem) throw new CivichainError('TX_INVALID_PAYLOAD', `The new validator set is unsafe: ${problem}.`, { quorum });
  return { validators, quorum };
}

export const validatorSetRule: TxRule<Payload> = {
  type: 'validator-set',
  payload: payloadSchema,
  check(context, tx, payload) {
    // Only an authority named in the genesis may change who validates.
    if (!context.genesis.authorities.some((a) => a.publicKey === tx.signer)) {
      throw new CivichainError('TX_UNAUTHORIZED', 'Only an authority may change the validator set.', { signer: tx.signer });
    }
    for (const key of payload.remove ?? []) {
      if (!currentValidatorSet(context.state, context.genesis).validators.some((v) => v.publicKey === key)) {
        throw new CivichainError('TX_INVALID_PAYLOAD', `${key.slice(0, 12)}… is not a validator.`, { publicKey: key });
      }
    }
    nextSet(currentValidatorSet(context.state, context.genesis), payload);
  },
  apply(context, _tx, payload, write) {
    write(VALIDATOR_SET_KEY, JSON.stringify(nextSet(currentValidatorSet(context.state, context.genesis), payload)));
  },
};
