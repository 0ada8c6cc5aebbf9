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

export interface NodeStatus {
  /** Human name of the network, from the genesis file. */
  readonly networkName: string;
  readonly chainId: string;
  /** Height of the newest block this node holds (the genesis block is height 0). */
  readonly height: number;
  /** Height of the newest block with a commit certificate. */
  readonly finalHeight: number;
  readonly peers: number;
  readonly state: NodeState;
  /** Blocks still to fetch while catching up; null when not syncing. */
  readonly syncBlocksLeft: number | null;
  readonly mining: { readonly active: boolean; readonly hashesPerSecond: number };
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

// ---------------------------------------------------------------------------------------------------------
// Methods

const noParams = z.object({}).strict();

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
  'keystore.list': method<{ readonly identities: readonly IdentitySummary[] }>()(
    z
      .object({
        role: z.enum(IDENTITY_ROLES).optional(),
      })
      .strict(),
    'The identities held in this node’s keystore (public parts only), optionally of one role.',
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
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = ['node.status'];

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
