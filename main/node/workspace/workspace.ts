/**
 * The workspace in a data folder: the genesis file, the keystore, the node's own key and the API token.
 * The first start with `demo` creates the demo workspace; later starts reuse what is there.
 *
 *   <data>/genesis.json    the network's genesis (written last: its presence marks a complete workspace)
 *   <data>/keystore/*.json identities, encrypted (scrypt + AES-256-GCM)
 *   <data>/node-key.json   the node's own identity key, encrypted
 *   <data>/api-token       bearer token of the local API (mode 0600)
 *   <data>/chain.sqlite    the ledger store
 *   <data>/node.lock       held while a node runs on this folder
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CivichainError } from '../../core/errors';
import { createGenesisFromJSON, genesisHash, type Genesis } from '../../core/genesis';
import { openKey, openKeystore, parseKeyFile, sealKey, SCRYPT_N_DEMO, type Keystore, type KeyFile } from '../keystore/keystore';
import { ed25519PrivateKeyFromSeed } from '../keystore/keystore';
import type { IdentityRole } from '../../../preload/contract';
import type { Logger } from '../log';
import { createDemoGenesis, DEMO_IDENTITIES, DEMO_PASSPHRASE, demoSeed } from './demo';
import { writeFileAtomic } from './files';

export interface WorkspacePaths {
  readonly genesis: string;
  readonly keystore: string;
  readonly nodeKey: string;
  readonly apiToken: string;
  readonly chainDb: string;
  /** The officials' election office: voter rolls, credential keys, check-ins (never on the ledger). */
  readonly electionOfficeDb: string;
}

export interface Workspace {
  readonly paths: WorkspacePaths;
  readonly genesis: Genesis;
  readonly genesisHash: string;
  readonly keystore: Keystore;
  readonly nodeKey: { readonly publicKey: string; readonly file: KeyFile };
  /** The local API's bearer token, created once per data folder. */
  readonly apiToken: string;
}

export function workspacePaths(dataDir: string): WorkspacePaths {
  return {
    genesis: join(dataDir, 'genesis.json'),
    keystore: join(dataDir, 'keystore'),
    nodeKey: join(dataDir, 'node-key.json'),
    apiToken: join(dataDir, 'api-token'),
    chainDb: join(dataDir, 'chain.sqlite'),
    electionOfficeDb: join(dataDir, 'election-office.sqlite'),
  };
}

function readGenesis(path: string): Genesis {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CivichainError('INVALID_GENESIS', `${path} is not valid JSON. Restore the network's genesis file.`, { path });
  }
  return createGenesisFromJSON(json);
}

function nodePassphrase(genesis: Genesis): string {
  if (genesis.demo) return DEMO_PASSPHRASE;
  const fromEnv = process.env['CIVICHAIN_NODE_PASSPHRASE'];
  if (!fromEnv) {
    throw new CivichainError(
      'PASSPHRASE_REQUIRED',
      "This workspace is not the demo: set CIVICHAIN_NODE_PASSPHRASE to the passphrase of the node's key.",
    );
  }
  return fromEnv;
}

async function createDemoWorkspace(dataDir: string, paths: WorkspacePaths, log: Logger): Promise<void> {
  log.info('creating the demo workspace', { dataDir });
  const keystore = openKeystore(paths.keystore);
  const existing = new Set(keystore.list().map((i) => i.id));
  for (const identity of DEMO_IDENTITIES) {
    if (existing.has(identity.id)) continue;
    keystore.add(
      await sealKey({
        ...identity,
        privateKey: ed25519PrivateKeyFromSeed(demoSeed(identity.id)),
        passphrase: DEMO_PASSPHRASE,
        scryptN: SCRYPT_N_DEMO,
      }),
    );
  }
  // Written last: an interrupted first start is simply completed by the next one.
  writeFileAtomic(paths.genesis, `${JSON.stringify(createDemoGenesis(), null, 2)}\n`);
}

export async function openWorkspace(
  options: { dataDir: string; demo: boolean },
  deps: { log: Logger },
): Promise<Workspace> {
  const paths = workspacePaths(options.dataDir);
  mkdirSync(options.dataDir, { recursive: true });
  if (!existsSync(paths.genesis)) {
    if (!options.demo) {
      throw new CivichainError(
        'NO_WORKSPACE',
        `The data folder ${options.dataDir} holds no Civichain workspace (no genesis.json). ` +
          "Start with --demo to create the demo workspace there, or copy your network's genesis.json into it.",
        { dataDir: options.dataDir },
      );
    }
    await createDemoWorkspace(options.dataDir, paths, deps.log);
  }
  const genesis = readGenesis(paths.genesis);
  const keystore = openKeystore(paths.keystore);

  let nodeKeyFile: KeyFile;
  if (existsSync(paths.nodeKey)) {
    nodeKeyFile = parseKeyFile(readFileSync(paths.nodeKey, 'utf8'), paths.nodeKey);
  } else {
    const { privateKey } = generateKeyPairSync('ed25519');
    nodeKeyFile = await sealKey({
      id: 'node',
      label: 'This node',
      role: 'validator',
      privateKey,
      passphrase: nodePassphrase(genesis),
      scryptN: genesis.demo ? SCRYPT_N_DEMO : undefined,
    });
    writeFileAtomic(paths.nodeKey, `${JSON.stringify(nodeKeyFile, null, 2)}\n`, { mode: 0o600 });
    deps.log.info('created the node key', { publicKey: nodeKeyFile.publicKey });
  }

  let apiToken: string;
  if (existsSync(paths.apiToken)) {
    apiToken = readFileSync(paths.apiToken, 'utf8').trim();
  } else {
    apiToken = randomBytes(24).toString('base64url');
    writeFileAtomic(paths.apiToken, `${apiToken}\n`, { mode: 0o600 });
  }
  if (!/^[A-Za-z0-9_-]{16,}$/.test(apiToken)) {
    throw new CivichainError('INVALID_API_TOKEN', `${paths.apiToken} does not hold a valid token. Delete it; a new one is made on start.`, {
      path: paths.apiToken,
    });
  }

  return {
    paths,
    genesis,
    genesisHash: genesisHash(genesis),
    keystore,
    nodeKey: { publicKey: nodeKeyFile.publicKey, file: nodeKeyFile },
    apiToken,
  };
}

/**
 * The keys this node signs consensus messages with: every keystore identity that is a validator or a
 * proposer of the network. The demo workspace holds them all (one node runs the whole demo network); a
 * production node holds its own. Non-demo keys open with CIVICHAIN_NODE_PASSPHRASE.
 */
export async function unlockSigningKeys(
  workspace: Workspace,
  genesis: Genesis,
  ids?: readonly string[],
): Promise<{ publicKey: string; privateKey: KeyObject }[]> {
  const wanted = new Set([...genesis.validators, ...genesis.proposers].map((m) => m.publicKey));
  let identities = workspace.keystore.list().filter((i) => wanted.has(i.publicKey));
  if (ids) {
    for (const id of ids) {
      const identity = workspace.keystore.get(id);
      if (!wanted.has(identity.publicKey)) {
        throw new CivichainError('NOT_A_SIGNING_KEY', `The key "${id}" is neither a validator nor a proposer of this network.`, { id });
      }
    }
    identities = identities.filter((i) => ids.includes(i.id));
  }
  const passphrase = genesis.demo ? DEMO_PASSPHRASE : nodePassphrase(genesis);
  const keys = [];
  for (const identity of identities) {
    keys.push({ publicKey: identity.publicKey, privateKey: await workspace.keystore.unlock(identity.id, passphrase) });
  }
  return keys;
}

/** The node's own identity key, unsealed (it proves the node to peers in the handshake). */
export async function unlockNodeKey(workspace: Workspace, genesis: Genesis): Promise<KeyObject> {
  return openKey(workspace.nodeKey.file, genesis.demo ? DEMO_PASSPHRASE : nodePassphrase(genesis));
}

/**
 * The keystore identities of some roles (authority, official…), unsealed: the keys this node signs
 * election and programme transactions with. Same passphrase rule as the signing keys.
 */
export async function unlockRoleKeys(
  workspace: Workspace,
  genesis: Genesis,
  roles: readonly IdentityRole[],
): Promise<{ id: string; role: IdentityRole; publicKey: string; privateKey: KeyObject }[]> {
  const passphrase = genesis.demo ? DEMO_PASSPHRASE : process.env['CIVICHAIN_NODE_PASSPHRASE'];
  if (!passphrase) return [];
  const keys = [];
  for (const identity of workspace.keystore.list().filter((i) => roles.includes(i.role))) {
    try {
      keys.push({ id: identity.id, role: identity.role, publicKey: identity.publicKey, privateKey: await workspace.keystore.unlock(identity.id, passphrase) });
    } catch (error) {
      // A key sealed with another passphrase stays sealed: this node does not act for it.
      if (!(error instanceof CivichainError)) throw error;
    }
  }
  return keys;
}
