/**
 * The one API contract between the node and everything that talks to it.
 *
 * Both transports are built from this file: Electron IPC (preload/index.ts → main/app/ipc.ts) and the local
 * WebSocket JSON-RPC 2.0 API (main/node/api/wsServer.ts). Every method has a zod schema for its input, which
 * the node checks at the boundary, and a TypeScript type for its output. Events are pushed by the node.
 * Every failure crosses a transport as one shape, {@link ApiErrorShape}.
 *
 * The renderer imports only *types* from this file (enforced by lint); the node and the preload import values.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

/** The windows of the application, one per role (DESIGN.md §9), plus the launcher. */
export const WINDOW_ROLES = [
  'launcher',
  'booth',
  'election',
  'validator',
  'government',
  'wallet',
  'operator',
  'explorer',
  'network',
] as const;
export type WindowRole = (typeof WINDOW_ROLES)[number];

/** What a key in the keystore is for. */
export const IDENTITY_ROLES = [
  'authority',
  'validator',
  'proposer',
  'official',
  'reviewer',
  'operator',
  'resident',
] as const;
export type IdentityRole = (typeof IDENTITY_ROLES)[number];

export const NODE_STATES = ['starting', 'running', 'syncing', 'stopping'] as const;
export type NodeState = (typeof NODE_STATES)[number];

// ---------------------------------------------------------------------------------------------------------
// Output types

export const APPROVAL_MODES = ['auto', 'manual'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export interface NodeStatus {
  /** Human name of the network, from the genesis file. */
  readonly networkName: string;
  readonly chainId: string;
  /** Height of the newest block this node holds (the genesis block is height 0). */
  readonly height: number;
  /** Height of the newest block with a commit certificate. */
  readonly finalHeight: number;
  /** The round of the height being decided. */
  readonly round: number;
  readonly mempoolSize: number;
  readonly peers: number;
  readonly state: NodeState;
  /** Blocks still to fetch while catching up; null when not syncing. */
  readonly syncBlocksLeft: number | null;
  readonly mining: { readonly active: boolean; readonly hashesPerSecond: number };
  /** Whether this node's validators approve blocks by themselves or wait for a person. */
  readonly approvalMode: ApprovalMode;
  /** Validator keys this node signs with (hex). */
  readonly localValidators: readonly string[];
  /** Whether this node may propose blocks. */
  readonly proposer: boolean;
  /** Whether the workspace is the demo workspace (its keys are demo keys, not secrets). */
  readonly demo: boolean;
  readonly startedAtMs: number;
  readonly version: string;
}

export interface NodeIdentity {
  /** The node's own Ed25519 public key (hex), which it proves to peers. */
  readonly nodePublicKey: string;
  readonly dataDir: string;
  readonly genesisHash: string;
  readonly chainId: string;
  readonly networkName: string;
  readonly demo: boolean;
  /** How this process runs the node. */
  readonly runtime: 'electron' | 'headless';
}

export interface IdentitySummary {
  readonly id: string;
  readonly label: string;
  readonly role: IdentityRole;
  /** Ed25519 public key, hex. */
  readonly publicKey: string;
}

/** A transaction as JSON (docs/PROTOCOL.md "Transactions"); the node validates it in full. */
export interface TransactionJSON {
  readonly type: string;
  readonly chainId: string;
  readonly signer: string;
  readonly nonce: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signature: string;
}

export interface BlockHeaderJSON {
  readonly chainId: string;
  readonly height: number;
  readonly previousHash: string;
  readonly timeMs: number;
  readonly txRoot: string;
  readonly txCount: number;
  readonly proposer: string;
  readonly round: number;
  readonly difficulty: number;
  readonly nonce: number;
}

export interface CertificateJSON {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly approvals: readonly { readonly validator: string; readonly signature: string }[];
}

export interface BlockSummary {
  readonly height: number;
  readonly hash: string;
  readonly timeMs: number;
  readonly txCount: number;
  readonly proposer: string;
  readonly round: number;
  readonly approvals: number;
}

export interface RejectionJSON {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly validator: string;
  readonly reason: string;
  readonly signature: string;
  readonly recordedAtMs: number;
}

export interface BlockDetail {
  readonly hash: string;
  readonly header: BlockHeaderJSON;
  readonly signature: string;
  readonly certificate: CertificateJSON;
  readonly transactions: readonly (TransactionJSON & { readonly hash: string })[];
  /** Rejections recorded for this block hash (rejected proposals are not on the chain, but stay visible). */
  readonly rejections: readonly RejectionJSON[];
}

export type TransactionStatus =
  | { readonly state: 'pending' }
  | { readonly state: 'proposed'; readonly height: number; readonly round: number }
  | { readonly state: 'final'; readonly height: number; readonly index: number; readonly blockHash: string };

export interface TransactionLookup {
  readonly hash: string;
  readonly transaction: TransactionJSON | null;
  /** null: this node has never seen a transaction with this hash. */
  readonly status: TransactionStatus | null;
}

export interface BlockCheckJSON {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface PendingBlock {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly header: BlockHeaderJSON;
  readonly transactions: readonly (TransactionJSON & { readonly hash: string })[];
  readonly checks: readonly BlockCheckJSON[];
  /** This node's validators that have not decided yet. */
  readonly validators: readonly string[];
  readonly receivedAtMs: number;
}

export interface PeerSummary {
  /** The peer's node key (hex). */
  readonly id: string;
  readonly address: string;
  readonly direction: 'inbound' | 'outbound';
  readonly height: number | null;
  readonly latencyMs: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly connectedSinceMs: number;
  readonly score: number;
}

// --- node.logs (issue 7: the Network window's log view) --------------------------------------------------

export const NODE_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type NodeLogLevel = (typeof NODE_LOG_LEVELS)[number];

/** One record of the node's log, as the log view shows it; field values are written out as text. */
export interface NodeLogEntry {
  /** Counts up from 1 since the node started: tells records with the same time apart. */
  readonly seq: number;
  readonly timeMs: number;
  readonly level: NodeLogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}
// --- end of node.logs --------------------------------------------------------------------------------------

export interface EvidenceJSON {
  readonly validator: string;
  readonly height: number;
  readonly round: number;
  readonly kind: 'prepare' | 'approval';
  readonly firstBlockHash: string;
  readonly secondBlockHash: string;
  readonly recordedAtMs: number;
}


// Elections (DESIGN.md §5) ---------------------------------------------------------------------------------

export type ElectionPhase = 'scheduled' | 'open' | 'closed';

export interface ElectionSummary {
  readonly id: string;
  readonly title: string;
  readonly candidates: readonly { readonly id: string; readonly name: string }[];
  /** How many candidates a ballot may choose. */
  readonly choose: number;
  readonly opensAtMs: number;
  readonly closesAtMs: number;
  readonly liveResults: boolean;
  readonly phase: ElectionPhase;
  readonly closedAtMs: number | null;
  readonly roll: { readonly root: string; readonly size: number };
  readonly credentials: number;
  readonly ballots: number;
  /** Votes per candidate id; null while the election is open and does not show results live. */
  readonly tally: Readonly<Record<string, number>> | null;
  /** The published result's transaction, once published. */
  readonly resultTx: string | null;
  /** The credential public key the booth blinds against. */
  readonly credentialKey: { readonly suite: string; readonly n: string; readonly e: string };
  /** What this node can do for the election (it holds the roll, an official key, the credential key). */
  readonly office: { readonly holdsRoll: boolean; readonly canCheckIn: boolean; readonly canIssue: boolean; readonly canClose: boolean };
}

export interface RollVoter {
  readonly index: number;
  readonly voterId: string;
  readonly name: string;
  /** The card's secret code, as printed ("ABCD-EFGH-JKMN-PQRS"). */
  readonly cardCode: string;
  readonly checkin: { readonly state: 'submitted' | 'final' | 'refused'; readonly credentialTx: string; readonly atMs: number } | null;
}

export interface BallotLookup {
  readonly found: boolean;
  readonly hash: string | null;
  readonly election: string | null;
  readonly status: TransactionStatus | null;
}


// Vouchers (DESIGN.md §6) ----------------------------------------------------------------------------------

export const VOUCHER_RESIDENCY_STATUSES = ['permanent', 'new-arrival', 'non-permanent', 'visitor'] as const;
export type VoucherResidency = (typeof VOUCHER_RESIDENCY_STATUSES)[number];
export type VoucherApplicationState = 'none' | 'pending' | 'approved' | 'denied';
export type VoucherRedemptionStatus = 'pending' | 'accepted' | 'declined' | 'refunded' | 'claimed' | 'settled';

export interface VoucherApplicantDetails {
  readonly hkid: string;
  readonly name: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly residency: VoucherResidency;
}

export interface VoucherOperatorSummary {
  readonly publicKey: string;
  readonly name: string | null;
  readonly status: 'active' | 'suspended';
  readonly redemptions: number;
  /** Accepted, claimed or settled (not pending, declined or refunded). */
  readonly redeemedCents: number;
}

export interface VoucherProgrammeSummary {
  readonly id: string;
  readonly title: string;
  readonly amountPerPersonCents: number;
  readonly instalments: readonly { readonly amountCents: number; readonly releaseAtMs: number; readonly expiresAtMs: number }[];
  readonly reviewers: readonly string[];
  readonly operators: readonly VoucherOperatorSummary[];
  readonly counts: {
    readonly applicants: { readonly pending: number; readonly approved: number; readonly denied: number };
    /** Issued by approvals (change and refunds are not new money). */
    readonly issuedCents: number;
    readonly redeemedCents: number;
    readonly outstandingCents: number;
  };
  /** What this node can do: open the queue (reviewer key and secrets), act as the authority, as operators. */
  readonly office: { readonly canReview: boolean; readonly canAuthorise: boolean; readonly operators: readonly string[] };
}

export interface VoucherApplicationStatus {
  readonly applicant: string;
  readonly application: string | null;
  readonly status: VoucherApplicationState;
  readonly reason: string | null;
}

export interface VoucherQueueItem {
  readonly application: string;
  readonly applicant: string;
  readonly appliedAtMs: number;
  readonly status: 'pending' | 'approved' | 'denied';
  readonly reason: string | null;
  /** The opened details, or null with openError when they cannot be opened. */
  readonly details: VoucherApplicantDetails | null;
  readonly openError: string | null;
  /** Likely the same person: other applications with the same identity hash, approved or pending. */
  readonly duplicates: readonly { readonly application: string; readonly status: 'pending' | 'approved' }[];
  /** The scheme's rules on the opened details, as the node checks them when it approves (empty if not opened). */
  readonly eligibility: readonly VoucherEligibilityCheck[];
  /** The applicant's age in whole years today, or null when the details are not opened. */
  readonly ageYears: number | null;
}

export interface VoucherEligibilityCheck {
  readonly field: 'hkid' | 'name' | 'dateOfBirth' | 'residency';
  readonly rule: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface VoucherJSON {
  readonly id: string;
  readonly amountCents: number;
  readonly releaseAtMs: number;
  readonly expiresAtMs: number;
  readonly issuedBy: string;
  readonly spentBy: string | null;
  readonly pendingRedemption: string | null;
  readonly spendableNow: boolean;
}

export interface VoucherRedemptionJSON {
  readonly id: string;
  readonly payer: string;
  readonly operator: string;
  readonly operatorName: string | null;
  readonly requestId: string;
  /** The reference the operator gave the payment request ("Table 4", a receipt number); "" when none. */
  readonly reference: string;
  readonly amountCents: number;
  readonly status: VoucherRedemptionStatus;
  readonly redeemedAtMs: number;
  readonly claim: string | null;
}

/** A settlement claim (one `voucher.settle`): an operator's accepted payments, claimed in one transaction. */
export interface VoucherClaimJSON {
  /** The `voucher.settle` transaction's hash. */
  readonly claim: string;
  readonly operator: string;
  readonly operatorName: string | null;
  readonly redemptions: number;
  readonly totalCents: number;
  /** When it was claimed: the time of the block that made the claim final. */
  readonly claimedAtMs: number;
  readonly status: 'claimed' | 'confirmed';
}

export interface VoucherWallet {
  readonly owner: string;
  /** What can be spent now: released, unexpired, unspent, not pending change. */
  readonly spendableCents: number;
  readonly vouchers: readonly VoucherJSON[];
  readonly history: readonly VoucherRedemptionJSON[];
}

export interface VoucherPaymentRequest {
  /** What the resident enters or scans: "cvr1:<programme>:<operator key>:<request id>". */
  readonly code: string;
  readonly operator: string;
  readonly requestId: string;
  readonly amountCents: number;
  readonly reference: string;
  readonly expiresAtMs: number;
  readonly txHash: string;
}

// --- Wallet (issue 6, item 2): the applicant's details checked before applying, a request before paying ---

export type VoucherDetailsField = 'hkid' | 'name' | 'dateOfBirth' | 'residency';

/** What is wrong with one field of an applicant's details, in the node's words. */
export interface VoucherDetailsProblem {
  readonly field: VoucherDetailsField;
  readonly message: string;
}

/** A payment request as the ledger holds it, read by its code before the resident pays it. */
export interface VoucherPaymentRequestView {
  /** The code, written as the node writes it (trimmed). */
  readonly code: string;
  readonly programme: string;
  readonly operator: string;
  readonly operatorName: string | null;
  /** `unregistered` when the ledger lists no such operator in the programme. */
  readonly operatorStatus: 'active' | 'suspended' | 'unregistered';
  readonly requestId: string;
  readonly amountCents: number;
  readonly reference: string;
  readonly expiresAtMs: number;
  /** `open`: it can be paid now; `paid`: a redemption paid it (once, for good); `expired`: unpaid, too late. */
  readonly state: 'open' | 'paid' | 'expired';
  /** The redemption that paid it and when (the block's time), when paid. */
  readonly redemption: string | null;
  readonly paidAtMs: number | null;
  /** Whether the resident asked about paid it; null when no resident was given or it is not paid. */
  readonly paidByResident: boolean | null;
}
// --- end of Wallet types -----------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------
// Methods

const noParams = z.object({}).strict();
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a 64-character lower-case hex hash');
const height = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Validated in full by the node's transaction parser; here only its outer shape. */
const transactionInput = z.record(z.string(), z.unknown());
const electionId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,47}$/, 'must be an election id: 3–48 characters of a–z, 0–9 and -');
const programmeId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,47}$/, 'must be a programme id: 3–48 characters of a–z, 0–9 and -');
/** A keystore identity id of this node ("resident-chan") or an Ed25519 public key in hex. */
const holder = z.string().trim().min(1, 'must name a keystore identity or a public key').max(80);
const cents = z.number().int('must be whole cents').positive('must be more than zero').max(100_000_000_00);
const passphrase = z.string().max(1024).optional();
/** An applicant's details as the wallet sends them: checked by the node (voucher.checkDetails, voucher.apply). */
const applicantDetails = z
  .object({
    hkid: z.string().max(40),
    name: z.string().max(200),
    dateOfBirth: z.string().max(20),
    residency: z.enum(VOUCHER_RESIDENCY_STATUSES),
  })
  .strict();

/** A method: a zod schema for its input and a phantom type for its output. */
interface MethodSpec<I extends z.ZodType, O> {
  readonly input: I;
  readonly summary: string;
  /** Never read at run time: carries the output type. */
  readonly output?: O;
}

function method<O>() {
  return <I extends z.ZodType>(input: I, summary: string): MethodSpec<I, O> => ({ input, summary });
}

export const METHODS = {
  'node.status': method<NodeStatus>()(noParams, 'Height, final height, peers, sync and mining state.'),
  'node.identity': method<NodeIdentity>()(noParams, "The node's identity key, data folder and network."),
  // --- node.logs (issue 7: the Network window's log view) ------------------------------------------------
  'node.logs': method<{ readonly entries: readonly NodeLogEntry[]; readonly capacity: number }>()(
    z
      .object({
        /** The least severe level to include: `warn` gives warnings and errors. */
        level: z.enum(NODE_LOG_LEVELS).default('debug'),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    'The most recent log records this node keeps in memory, newest first, at most `limit` of them.',
  ),
  // --- end of node.logs -----------------------------------------------------------------------------------
  'keystore.list': method<{ readonly identities: readonly IdentitySummary[] }>()(
    z
      .object({
        role: z.enum(IDENTITY_ROLES).optional(),
      })
      .strict(),
    'The identities held in this node’s keystore (public parts only), optionally of one role.',
  ),
  'keystore.create': method<IdentitySummary>()(
    z
      .object({
        label: z.string().trim().min(1, 'must not be empty').max(120),
        role: z.literal('resident', { error: 'only resident identities are created here; other roles come with the genesis' }).default('resident'),
        passphrase: z.string().min(8, 'must be at least 8 characters').max(1024),
      })
      .strict(),
    "Creates a resident identity in this node's keystore: a new Ed25519 key sealed with the passphrase (scrypt + AES-256-GCM).",
  ),
  'keystore.open': method<IdentitySummary>()(
    z.object({ id: z.string().trim().min(1).max(80), passphrase: z.string().max(1024) }).strict(),
    'Checks that the passphrase opens an identity of this keystore (nothing is kept open); WRONG_PASSPHRASE if not.',
  ),
  'tx.submit': method<{ readonly hash: string; readonly duplicate: boolean }>()(
    z.object({ transaction: transactionInput }).strict(),
    'Submits a signed transaction; answers once it is validated and durably in the mempool.',
  ),
  'tx.get': method<TransactionLookup>()(
    z.object({ hash }).strict(),
    'A transaction and its status: pending, proposed in block N, or final in block N.',
  ),
  // --- mempool.list (issue 7: the Explorer's mempool) -----------------------------------------------------
  'mempool.list': method<{
    /** Transactions waiting in the mempool in all (the list below holds at most `limit` of them). */
    readonly size: number;
    /** Oldest first; `proposed` is the round of the height being decided whose proposal holds it, if any. */
    readonly transactions: readonly (TransactionJSON & {
      readonly hash: string;
      readonly proposed: { readonly height: number; readonly round: number } | null;
    })[];
  }>()(
    z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    'The transactions waiting for a block, oldest first, at most `limit` of them: never the whole mempool.',
  ),
  // --- end of mempool.list ----------------------------------------------------------------------------------
  'chain.blocks': method<{ readonly blocks: readonly BlockSummary[]; readonly height: number }>()(
    z
      .object({
        /** Newest first from this height (default: the head). */
        before: height.optional(),
        limit: z.number().int().min(1).max(1000).default(50),
      })
      .strict(),
    'A page of final blocks, newest first: never the whole chain.',
  ),
  'chain.block': method<BlockDetail>()(
    z
      .object({ height: height.optional(), hash: hash.optional() })
      .strict()
      .refine((v) => (v.height === undefined) !== (v.hash === undefined), { message: 'give exactly one of height and hash', path: ['height'] }),
    'One final block with its transactions, certificate and any rejections, by height or hash.',
  ),
  'chain.evidence': method<{ readonly evidence: readonly EvidenceJSON[] }>()(
    noParams,
    'Evidence of validators that signed two different blocks at one height and round.',
  ),
  'validator.pending': method<{ readonly blocks: readonly PendingBlock[] }>()(
    noParams,
    'Blocks waiting for this node’s validators to approve or reject them (manual mode).',
  ),
  'validator.approve': method<{ readonly approved: readonly string[] }>()(
    z.object({ height, round: z.number().int().min(0), blockHash: hash, validator: hash.optional() }).strict(),
    'Approves a pending block for one of this node’s validators, or for all of them.',
  ),
  'validator.reject': method<{ readonly rejected: readonly string[] }>()(
    z
      .object({
        height,
        round: z.number().int().min(0),
        blockHash: hash,
        validator: hash.optional(),
        reason: z.string().trim().min(3, 'say why, in at least 3 characters').max(500),
      })
      .strict(),
    'Rejects a pending block with a reason, which is signed, recorded and shown with the block.',
  ),
  'validator.rejections': method<{ readonly rejections: readonly RejectionJSON[] }>()(
    z.object({ blockHash: hash.optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    'Recorded rejections, newest first, optionally for one block.',
  ),
  'validator.setMode': method<{ readonly approvalMode: ApprovalMode }>()(
    z.object({ mode: z.enum(APPROVAL_MODES) }).strict(),
    'Switches this node’s validators between approving by themselves and waiting for a person.',
  ),
  'peers.list': method<{ readonly peers: readonly PeerSummary[]; readonly listening: string | null }>()(
    noParams,
    'Connected peers, and the address this node listens on for peers (null: it does not peer).',
  ),
  'peers.add': method<{ readonly peer: PeerSummary }>()(
    z.object({ address: z.string().regex(/^wss?:\/\/[^\s/]+:\d+\/?$/, 'must be a WebSocket address such as ws://127.0.0.1:7546') }).strict(),
    'Connects to a peer by address (the origin’s register_with); it is remembered and re-dialled.',
  ),
  'peers.remove': method<{ readonly removed: boolean }>()(
    z.object({ peer: z.string().min(1).max(300) }).strict(),
    'Disconnects a peer (by node key or address) and forgets its address.',
  ),
  'peers.ban': method<{ readonly banned: boolean }>()(
    z
      .object({
        peer: z.string().min(1).max(300),
        minutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
        reason: z.string().trim().min(3).max(300),
      })
      .strict(),
    'Disconnects a peer and refuses it for a while.',
  ),
  'peers.unban': method<{ readonly unbanned: boolean }>()(
    z.object({ peer: z.string().min(1).max(300) }).strict(),
    'Lifts a ban (by node key or address).',
  ),
  'miner.mine': method<{ readonly requested: boolean }>()(
    noParams,
    'Asks this node to propose a block now, even an empty one (the origin’s “mine” button).',
  ),

  // Elections ---------------------------------------------------------------------------------------------
  'election.list': method<{ readonly elections: readonly ElectionSummary[] }>()(noParams, 'Every election on the chain, newest first.'),
  'election.get': method<ElectionSummary>()(z.object({ election: electionId }).strict(), 'One election: its counts, and its tally when it may be shown.'),
  'election.create': method<{ readonly election: string; readonly txHash: string; readonly roll: { readonly root: string; readonly size: number; readonly generatedCodes: number } }>()(
    z
      .object({
        id: electionId.optional(),
        title: z.string().trim().min(1, 'must not be empty').max(200),
        candidates: z.array(z.string().trim().min(1, 'must not be empty').max(120)).min(2, 'must list at least two candidates').max(100),
        choose: z.number().int().min(1).max(100).default(1),
        opensAtMs: z.number().int().nonnegative().optional(),
        closesAtMs: z.number().int().positive(),
        liveResults: z.boolean().default(false),
        /** The voter roll CSV (columns voter ID, name, optional card code), base64: its bytes are checked as sent. */
        rollCsv: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be the CSV file in base64').max(40_000_000),
      })
      .strict(),
    "Creates an election (needs an authority key): imports the roll, generates missing card codes and the election's credential key, submits election.create.",
  ),
  'election.roll': method<{ readonly total: number; readonly voters: readonly RollVoter[] }>()(
    z
      .object({
        election: electionId,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(50),
        query: z.string().max(100).optional(),
      })
      .strict(),
    'The voter roll this node holds for an election (officials only: names and card codes), with check-ins.',
  ),
  'election.checkIn': method<{ readonly pass: string; readonly credentialTx: string; readonly height: number }>()(
    z.object({ election: electionId, voterId: z.string().trim().min(1, 'must not be empty').max(64), cardCode: z.string().max(40) }).strict(),
    'Checks a voter in (voter ID + card code): submits the credential transaction, waits until it is final, answers a one-time booth pass.',
  ),
  'election.credential': method<{ readonly blindSignature: string }>()(
    z
      .object({
        election: electionId,
        pass: z.string().min(1).max(40),
        blindedMessage: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url').max(1400),
      })
      .strict(),
    'The booth exchanges a booth pass and a blinded ballot key for a blind credential signature (once per pass).',
  ),
  'election.checkCard': method<{ readonly onChain: boolean; readonly credentialTx: string | null }>()(
    z.object({ election: electionId, voterId: z.string().trim().min(1).max(64), cardCode: z.string().max(40) }).strict(),
    "“Check my card”: whether this voter's roll leaf has been used to issue a credential (any node).",
  ),
  'election.close': method<{ readonly txHash: string }>()(z.object({ election: electionId }).strict(), 'Closes an election now (an official or the authority).'),
  'election.publish': method<{ readonly txHash: string }>()(
    z.object({ election: electionId }).strict(),
    "Publishes the closed election's result, as this node counts it, in a signed transaction.",
  ),
  'election.export': method<{ readonly record: Readonly<Record<string, unknown>> }>()(
    z.object({ election: electionId }).strict(),
    'The election record (docs/PROTOCOL.md “Election record”): what civichain verify --record checks.',
  ),
  'ballot.lookup': method<BallotLookup>()(
    z.object({ code: z.string().trim().min(12, 'must be at least 12 characters of the tracking code').max(100) }).strict(),
    '“Check my ballot”: a ballot by its tracking code (full or short form) — pending, in block N, or final.',
  ),
  // Vouchers ----------------------------------------------------------------------------------------------
  'voucher.programmes': method<{ readonly programmes: readonly VoucherProgrammeSummary[] }>()(noParams, 'Every voucher programme on the chain, with its dashboard counts.'),
  'voucher.programme': method<VoucherProgrammeSummary>()(
    z.object({ programme: programmeId }).strict(),
    'One programme: amounts, instalments, operators, and applicants by status, issued, redeemed, outstanding, by operator.',
  ),
  'voucher.apply': method<{ readonly application: string; readonly applicant: string; readonly height: number }>()(
    z
      .object({
        programme: programmeId,
        resident: holder,
        passphrase,
        details: applicantDetails,
      })
      .strict(),
    "Applies for a resident's key in this node's keystore: checks the details, seals them to the reviewers, submits voucher.apply and waits until it is final.",
  ),
  // --- Wallet (issue 6, item 2): read-only, nothing is signed or submitted ---------------------------------
  'voucher.checkDetails': method<{ readonly problems: readonly VoucherDetailsProblem[] }>()(
    z.object({ programme: programmeId, details: applicantDetails }).strict(),
    "Checks an applicant's details as voucher.apply does (HKID format and check digit, name, date of birth and age, residency), one problem per field; seals and submits nothing.",
  ),
  'voucher.paymentRequest': method<VoucherPaymentRequestView>()(
    z.object({ programme: programmeId, code: z.string().trim().min(1).max(300), resident: holder.optional() }).strict(),
    'A payment request by its code, read from the ledger before paying: operator and name, amount, reference, expiry, and whether it is open, paid (by this resident?) or expired.',
  ),
  // --- end of Wallet methods -------------------------------------------------------------------------------
  'voucher.application': method<VoucherApplicationStatus>()(
    z.object({ programme: programmeId, resident: holder }).strict(),
    "A resident's application status, with the denial reason.",
  ),
  'voucher.queue': method<{ readonly applications: readonly VoucherQueueItem[] }>()(
    z.object({ programme: programmeId, status: z.enum(['pending', 'approved', 'denied']).optional() }).strict(),
    "The government queue, details opened with this node's reviewers' key, likely duplicates flagged (reviewer nodes only).",
  ),
  'voucher.decide': method<{ readonly txHash: string; readonly height: number }>()(
    z
      .object({ programme: programmeId, application: hash, decision: z.enum(['approve', 'deny']), reason: z.string().trim().max(500).optional() })
      .strict(),
    'Approves (with the identity hash) or denies (with a reason) an application, signed with a reviewer key; waits until final.',
  ),
  'voucher.wallet': method<VoucherWallet>()(
    z.object({ programme: programmeId, resident: holder }).strict(),
    "A resident's vouchers with release and expiry, what is spendable now, and their payments.",
  ),
  'voucher.request': method<VoucherPaymentRequest>()(
    z
      .object({
        programme: programmeId,
        operator: holder,
        amountCents: cents,
        reference: z.string().max(200).default(''),
        requestId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 characters of A–Z, a–z, 0–9, _ and -').optional(),
        expiresInMs: z.number().int().min(1_000).max(7 * 86_400_000).default(15 * 60_000),
      })
      .strict(),
    'An operator creates a payment request (its code is what the resident pays); waits until final.',
  ),
  'voucher.pay': method<{ readonly redemption: string; readonly height: number; readonly alreadyPaid: boolean; readonly vouchers: readonly string[] }>()(
    z.object({ programme: programmeId, resident: holder, passphrase, code: z.string().trim().min(1).max(300) }).strict(),
    "Pays a payment request from a resident's vouchers (earliest expiry first); a retry with the same code charges once.",
  ),
  'voucher.redemptions': method<{ readonly redemptions: readonly VoucherRedemptionJSON[] }>()(
    z.object({ programme: programmeId, operator: holder.optional() }).strict(),
    "The redemptions paid to an operator (or all), newest first.",
  ),
  'voucher.claims': method<{ readonly waiting: readonly VoucherClaimJSON[]; readonly settled: { readonly claims: number; readonly redemptions: number; readonly totalCents: number } }>()(
    z.object({ programme: programmeId }).strict(),
    "The settlement claims waiting for the authority's confirmation, oldest first, and the confirmed ones summed: counted by the node, not from every redemption.",
  ),
  'voucher.accept': method<{ readonly txHash: string; readonly height: number }>()(
    z.object({ programme: programmeId, redemption: hash }).strict(),
    'The operator paid accepts a redemption (signed with its key held here); waits until final.',
  ),
  'voucher.decline': method<{ readonly txHash: string; readonly height: number }>()(
    z.object({ programme: programmeId, redemption: hash, reason: z.string().max(500).optional() }).strict(),
    'The operator paid declines a redemption: the vouchers return to the payer.',
  ),
  'voucher.refund': method<{ readonly txHash: string; readonly height: number }>()(
    z.object({ programme: programmeId, redemption: hash }).strict(),
    'The operator refunds an accepted, unclaimed redemption to the payer.',
  ),
  'voucher.settle': method<{ readonly txHash: string; readonly height: number; readonly redemptions: number; readonly totalCents: number }>()(
    z.object({ programme: programmeId, operator: holder, redemptions: z.array(hash).max(1000).optional() }).strict(),
    "An operator's settlement claim for its accepted redemptions (all unclaimed ones when none are named).",
  ),
  'voucher.confirm': method<{ readonly txHash: string; readonly height: number }>()(
    z.object({ programme: programmeId, claim: hash }).strict(),
    'The authority confirms a settlement claim.',
  ),
  'voucher.operator': method<{ readonly txHash: string; readonly height: number }>()(
    z
      .object({ programme: programmeId, action: z.enum(['register', 'suspend']), operator: z.string().regex(/^[0-9a-f]{64}$/, 'must be an Ed25519 public key in hex'), name: z.string().trim().min(1).max(120).optional() })
      .strict(),
    'The authority registers (or reinstates) or suspends a payment operator.',
  ),
  'voucher.export': method<{ readonly record: Readonly<Record<string, unknown>> }>()(
    z.object({ programme: programmeId }).strict(),
    'The programme record (docs/PROTOCOL.md “Election record”, format civichain/programme-record/v1): what civichain verify --record totals.',
  ),
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodInput<M extends MethodName> = z.input<(typeof METHODS)[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<(typeof METHODS)[M]['input']>;
export type MethodOutput<M extends MethodName> = NonNullable<(typeof METHODS)[M]['output']>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METHODS, value);
}

// ---------------------------------------------------------------------------------------------------------
// Events

export interface EventPayloads {
  /** The node's status changed (height, peers, state, mining, …). */
  'node.status': NodeStatus;
  'block.proposed': { readonly height: number; readonly round: number; readonly blockHash: string; readonly proposer: string };
  'block.final': { readonly height: number; readonly round: number; readonly blockHash: string; readonly txCount: number };
  'block.rejected': RejectionJSON;
  'approval.pending': { readonly height: number; readonly round: number; readonly blockHash: string };
  'mempool.changed': { readonly size: number };
  'round.change': { readonly height: number; readonly round: number };
  evidence: EvidenceJSON;
  /**
   * Catch-up: this node is behind its peers (blocksLeft > 0) or has just caught up (0); the rate so far, the
   * estimated seconds left (null until there is a rate), and why it stalled, if it did.
   */
  'sync.progress': {
    readonly height: number;
    readonly target: number;
    readonly blocksLeft: number;
    readonly blocksPerSecond: number;
    readonly etaSeconds: number | null;
    readonly stalled: string | null;
  };
  /** Proof-of-work progress of this node's proposal. */
  mining: { readonly active: boolean; readonly hashesPerSecond: number };
  /** A final block changed an election (check-ins, ballots, closing, result). */
  'election.changed': { readonly election: string; readonly height: number };
  /** A final block changed a voucher programme (applications, decisions, payments, settlement). */
  'voucher.changed': { readonly programme: string; readonly height: number };
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = [
  'node.status',
  'block.proposed',
  'block.final',
  'block.rejected',
  'approval.pending',
  'mempool.changed',
  'round.change',
  'evidence',
  'sync.progress',
  'mining',
  'election.changed',
  'voucher.changed',
];

// ---------------------------------------------------------------------------------------------------------
// Errors

/** The one error shape that crosses every transport. */
export interface ApiErrorShape {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Error codes produced by the API layer itself; domain errors bring their own codes. */
export const API_ERROR_CODES = {
  unauthorized: 'UNAUTHORIZED',
  parseError: 'PARSE_ERROR',
  invalidRequest: 'INVALID_REQUEST',
  methodNotFound: 'METHOD_NOT_FOUND',
  invalidParams: 'INVALID_PARAMS',
  untrustedSender: 'UNTRUSTED_SENDER',
  internal: 'INTERNAL',
} as const;

// ---------------------------------------------------------------------------------------------------------
// The Electron bridge: what the preload exposes on `window.civichain`.

export const IPC_CHANNELS = {
  invoke: 'civichain:invoke',
  event: 'civichain:event',
  openWindow: 'civichain:open-window',
} as const;

/** The result of one IPC call: errors are returned as values so their fields survive serialisation. */
export type IpcResult<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: ApiErrorShape };

export interface CivichainBridge {
  readonly transport: 'ipc';
  invoke<M extends MethodName>(method: M, params: MethodInput<M>): Promise<IpcResult<MethodOutput<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  openWindow(role: WindowRole): Promise<void>;
}
