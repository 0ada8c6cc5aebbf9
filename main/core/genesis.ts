/**
 * The genesis file: the network's name and chain id, who holds authority, who validates and with what
 * quorum, who proposes, the proof-of-work difficulty and the round timeout (DESIGN.md §4). Every node of a
 * network starts from the same file; its hash is part of the peering handshake.
 */
import { z } from 'zod';
import { CivichainError } from './errors';
import { hashCanonical } from './encoding/hash';

export const GENESIS_FORMAT = 'civichain/genesis/v1';

const publicKeyHex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a 32-byte Ed25519 public key in lower-case hex');

const member = z
  .object({
    name: z.string().min(1).max(120),
    publicKey: publicKeyHex,
  })
  .strict();

const genesisSchema = z
  .object({
    format: z.literal(GENESIS_FORMAT),
    networkName: z.string().min(1).max(80),
    chainId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'must be 3–64 characters of a–z, 0–9 and -'),
    genesisTimeMs: z.number().int().nonnegative(),
    demo: z.boolean(),
    authorities: z.array(member).min(1),
    validators: z.array(member).min(1),
    quorum: z.number().int().positive(),
    proposers: z.array(member).min(1),
    powDifficultyBits: z.number().int().min(0).max(32),
    roundTimeoutMs: z.number().int().min(100).max(600_000),
  })
  .strict();

export type GenesisMember = Readonly<z.infer<typeof member>>;
export type Genesis = Readonly<z.infer<typeof genesisSchema>>;

/** DESIGN.md §4: the default quorum of n validators is ⌊2n/3⌋+1. */
export function defaultQuorum(validatorCount: number): number {
  return Math.floor((2 * validatorCount) / 3) + 1;
}

/** Why a quorum is unacceptable for n validators, or null when it is acceptable. */
export function quorumProblem(quorum: number, validatorCount: number): string | null {
  // More than the validators could ever sign: nothing would become final.
  if (quorum > validatorCount) return `quorum ${quorum} exceeds the ${validatorCount} validators`;
  // At or below half, two disjoint halves could each finalise a different block.
  if (quorum * 2 <= validatorCount) return `quorum ${quorum} is not more than half of ${validatorCount} validators`;
  // One validator alone must never finalise when there are several.
  if (validatorCount >= 2 && quorum < 2) return 'quorum must be at least 2 when there are 2 or more validators';
  return null;
}

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new CivichainError('INVALID_GENESIS', `The genesis file is not valid: ${message}.`, details);
}

/** Validates a parsed genesis file and returns it frozen; throws INVALID_GENESIS naming the first problem. */
export function createGenesisFromJSON(json: unknown): Genesis {
  const parsed = genesisSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(file)';
    return invalid(`${where}: ${issue?.message ?? 'unknown problem'}`, { field: where });
  }
  const genesis = parsed.data;
  const problem = quorumProblem(genesis.quorum, genesis.validators.length);
  if (problem) invalid(problem, { field: 'quorum' });
  for (const [field, members] of [
    ['authorities', genesis.authorities],
    ['validators', genesis.validators],
    ['proposers', genesis.proposers],
  ] as const) {
    const keys = new Set(members.map((m) => m.publicKey));
    if (keys.size !== members.length) invalid(`${field} lists the same key twice`, { field });
  }
  return deepFreeze(genesis);
}

/** The genesis hash: SHA-256 of the RFC 8785 canonical form of the genesis file. */
export function genesisHash(genesis: Genesis): string {
  return hashCanonical(genesis);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
