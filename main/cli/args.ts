/**
 * Command-line parsing for `civichain`. Pure: returns a command or a usage error, never exits, so that
 * tests can check every bad flag. The entry point (./index.ts) turns a usage error into exit code 2.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_API_PORT, DEFAULT_P2P_PORT } from '../node/defaults';

export const USAGE = `Civichain — a node for elections and subsidy vouchers on a permissioned blockchain.

Usage:
  civichain node [--data DIR] [--api-port N] [--p2p-port N] [--peer URL]... [--demo] [--log-level LEVEL]
                 [--p2p-host HOST] [--no-peer-exchange] [--keys ID,ID... | --observer]
  civichain repair --data DIR --from-peer URL
  civichain verify [--data DIR | --record FILE]
  civichain export (--election ID | --programme ID) --out FILE [--data DIR]
  civichain --help | --version

Commands:
  node        Run a headless node: the ledger, the local API and the browser console on 127.0.0.1.
  repair      Rebuild a tampered or corrupt ledger store from a peer (the damaged file is kept).
  verify      Recount every election and total every voucher programme from the raw blocks of a data folder
              or an exported record, checking every signature, credential, roll proof, hash link and
              certificate. Prints the result and OK, or FAIL and the first problem found (exit code 1).
  export      Write the record of an election or a voucher programme (JSON, docs/PROTOCOL.md "Election
              record") for verify --record.

Options for node:
  --data DIR         Data folder (genesis, keystore, ledger). Default: $CIVICHAIN_DATA_DIR or ~/.civichain/demo
  --api-port N       Port of the local API and browser console on 127.0.0.1 (0 = any free port). Default: 7545
  --p2p-port N       Port for connections from other nodes (0 = any free port). Default: 7546, or any
                     free port when 7546 is taken
  --p2p-host HOST    Address to accept peers on. Default: 127.0.0.1 (0.0.0.0 for other machines)
  --peer URL         A peer to connect to, as ws://HOST:PORT (repeatable); remembered across restarts
  --no-peer-exchange Connect only to the peers given (or remembered): neither learn nor pass on addresses.
                     Messages still reach the whole network: every node relays what it has validated.
  --keys ID,ID...    Keystore ids of the validator and proposer keys this node signs with. Default: all of
                     them. Nodes of one network must not share a signing key.
  --observer         Sign nothing: follow the network, check every block and serve reads.
  --demo             Create the demo workspace in the data folder if it holds none
  --log-level LEVEL  debug, info, warn or error. Default: info

Exit codes: 0 stopped cleanly, 1 failed, 2 bad command line.
`;

export { DEFAULT_API_PORT, DEFAULT_P2P_PORT };
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export interface NodeCommand {
  readonly kind: 'node';
  readonly dataDir: string | null;
  readonly apiPort: number;
  readonly p2pPort: number;
  /** Whether --p2p-port was given (otherwise a taken default port falls back to any free port). */
  readonly p2pPortGiven: boolean;
  readonly p2pHost: string;
  readonly peers: readonly string[];
  /** Learn and pass on peer addresses (off with --no-peer-exchange). */
  readonly peerExchange: boolean;
  readonly keys: readonly string[] | null;
  readonly demo: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export interface RepairCommand {
  readonly kind: 'repair';
  readonly dataDir: string;
  readonly fromPeer: string;
}

export interface VerifyCommand {
  readonly kind: 'verify';
  /** A data folder (default: the node's), or an exported record. */
  readonly dataDir: string | null;
  readonly recordFile: string | null;
}

export interface ExportCommand {
  readonly kind: 'export';
  readonly dataDir: string | null;
  /** What the record is exported for: an election, or a voucher programme. */
  readonly subject: { readonly kind: 'election' | 'programme'; readonly id: string };
  readonly outFile: string;
}

export type Command = NodeCommand | RepairCommand | VerifyCommand | ExportCommand | { readonly kind: 'help' } | { readonly kind: 'version' };

export type ParseResult = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly message: string };

function usageError(message: string): ParseResult {
  return { ok: false, message };
}

function parsePort(flag: string, value: string | undefined, fallback: number): number | string {
  if (value === undefined) return fallback;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) return `${flag} must be a port number from 0 to 65535, not "${value}".`;
  return Number(value);
}

function parsePeer(value: string): string | null {
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname && url.port ? url.toString() : null;
  } catch {
    return null;
  }
}

export function parseCommandLine(argv: readonly string[]): ParseResult {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { ok: true, command: { kind: 'help' } };
  if (first === '--version' || first === '-v') return { ok: true, command: { kind: 'version' } };
  if (first === 'repair') return parseRepair(rest);
  if (first === 'verify') return parseVerify(rest);
  if (first === 'export') return parseExport(rest);
  if (first !== 'node') return usageError(`Unknown command "${first}".`);

  let values: {
    data?: string;
    'api-port'?: string;
    'p2p-port'?: string;
    'p2p-host'?: string;
    keys?: string;
    observer?: boolean;
    peer?: string[];
    'no-peer-exchange'?: boolean;
    demo?: boolean;
    'log-level'?: string;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        'api-port': { type: 'string' },
        'p2p-port': { type: 'string' },
        'p2p-host': { type: 'string' },
        keys: { type: 'string' },
        observer: { type: 'boolean' },
        peer: { type: 'string', multiple: true },
        'no-peer-exchange': { type: 'boolean' },
        demo: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usageError((error as Error).message.split('\n')[0] ?? 'Bad options.');
  }
  if (values.help) return { ok: true, command: { kind: 'help' } };
  if (positionals.length > 0) return usageError(`Unexpected argument "${positionals[0]}".`);
  if (values.data !== undefined && values.data.trim() === '') return usageError('--data needs a folder.');

  const apiPort = parsePort('--api-port', values['api-port'], DEFAULT_API_PORT);
  if (typeof apiPort === 'string') return usageError(apiPort);
  const p2pPort = parsePort('--p2p-port', values['p2p-port'], DEFAULT_P2P_PORT);
  if (typeof p2pPort === 'string') return usageError(p2pPort);
  if (apiPort !== 0 && apiPort === p2pPort) return usageError('--api-port and --p2p-port must differ.');

  const peers: string[] = [];
  for (const value of values.peer ?? []) {
    const peer = parsePeer(value);
    if (!peer) return usageError(`--peer must be a WebSocket address such as ws://127.0.0.1:7546, not "${value}".`);
    peers.push(peer);
  }

  const p2pHost = values['p2p-host'] ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(p2pHost)) return usageError(`--p2p-host must be a host name or address, not "${p2pHost}".`);
  let keys: string[] | null = null;
  if (values.observer && values.keys !== undefined) return usageError('--observer signs nothing: leave out --keys.');
  if (values.observer) keys = [];
  if (values.keys !== undefined) {
    keys = values.keys.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
    if (keys.length === 0 || keys.some((k) => !/^[a-z0-9][a-z0-9-]{0,63}$/.test(k))) {
      return usageError(`--keys must be keystore ids separated by commas, such as validator-2,proposer-1, not "${values.keys}".`);
    }
  }

  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);
  }

  return {
    ok: true,
    command: {
      kind: 'node',
      dataDir: values.data ?? null,
      apiPort,
      p2pPort,
      p2pPortGiven: values['p2p-port'] !== undefined,
      p2pHost,
      peers,
      peerExchange: values['no-peer-exchange'] !== true,
      keys,
      demo: values.demo ?? false,
      logLevel: logLevel as NodeCommand['logLevel'],
    },
  };
}

function parseRepair(rest: readonly string[]): ParseResult {
  let values: { data?: string; 'from-peer'?: string };
  try {
    ({ values } = parseArgs({ args: [...rest], strict: true, options: { data: { type: 'string' }, 'from-peer': { type: 'string' } } }));
  } catch (error) {
    return usageError((error as Error).message.split('\n')[0] ?? 'Bad options.');
  }
  if (!values.data || values.data.trim() === '') return usageError('repair needs --data DIR: the data folder whose store to rebuild.');
  const peer = values['from-peer'] === undefined ? null : parsePeer(values['from-peer']);
  if (!peer) return usageError('repair needs --from-peer ws://HOST:PORT: a node of the same network to rebuild from.');
  return { ok: true, command: { kind: 'repair', dataDir: values.data, fromPeer: peer } };
}

function parseVerify(rest: readonly string[]): ParseResult {
  let values: { data?: string; record?: string };
  try {
    ({ values } = parseArgs({ args: [...rest], strict: true, options: { data: { type: 'string' }, record: { type: 'string' } } }));
  } catch (error) {
    return usageError((error as Error).message.split('\n')[0] ?? 'Bad options.');
  }
  if (values.data !== undefined && values.record !== undefined) return usageError('verify takes --data DIR or --record FILE, not both.');
  if (values.record !== undefined && values.record.trim() === '') return usageError('--record needs the path of an exported election record.');
  return { ok: true, command: { kind: 'verify', dataDir: values.data ?? null, recordFile: values.record ?? null } };
}

function parseExport(rest: readonly string[]): ParseResult {
  let values: { data?: string; election?: string; programme?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      options: { data: { type: 'string' }, election: { type: 'string' }, programme: { type: 'string' }, out: { type: 'string' } },
    }));
  } catch (error) {
    return usageError((error as Error).message.split('\n')[0] ?? 'Bad options.');
  }
  const kind = values.programme !== undefined ? 'programme' : 'election';
  const id = values.programme ?? values.election;
  if (values.programme !== undefined && values.election !== undefined) return usageError('export takes --election ID or --programme ID, not both.');
  if (!id || !/^[a-z0-9][a-z0-9-]{2,47}$/.test(id)) {
    return usageError('export needs --election ID or --programme ID: the id of an election or a voucher programme (3–48 characters of a–z, 0–9 and -).');
  }
  if (!values.out || values.out.trim() === '') return usageError(`export needs --out FILE: where to write the ${kind} record.`);
  return { ok: true, command: { kind: 'export', dataDir: values.data ?? null, subject: { kind, id }, outFile: values.out } };
}
