/**
 * The headless entry point: `civichain node …` runs the same node as the Electron app, with the local API
 * and the browser console on 127.0.0.1. The CLI is the one place that writes to the terminal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCivichainError } from '../core/errors';
import { startApiServer, type ApiServer } from '../node/api/wsServer';
import { createLogger } from '../node/log';
import { startNode, type CivichainNode } from '../node/node';
import { defaultDataDir } from '../node/workspace/dataDir';
import { parseCommandLine, USAGE, type NodeCommand } from './args';
import { repairStore } from './repair';
import { exportRecord, verifyChain } from './verify';
import { readElection } from '../core/rules/elections';
import { DEMO_ELECTION_ID, DEMO_ELECTION_TITLE } from '../node/workspace/demoElection';

const here = dirname(fileURLToPath(import.meta.url));

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string, code = 1): never {
  process.stderr.write(`civichain: ${message}\n`);
  process.exit(code);
}

async function runNode(command: NodeCommand, version: string): Promise<void> {
  const dataDir = resolve(command.dataDir ?? defaultDataDir());
  const log = createLogger({ level: command.logLevel, sink: (line) => process.stderr.write(`${line}\n`) });
  const staticDir = join(here, '../renderer');

  let node: CivichainNode | null = null;
  let api: ApiServer | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`civichain: ${signal} again, exiting without a clean shutdown\n`);
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal });
    // Reverse order of start.
    await api?.close();
    await node?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    node = await startNode(
      {
        dataDir,
        demo: command.demo,
        runtime: 'headless',
        version,
        p2p: { host: command.p2pHost, port: command.p2pPort, peers: command.peers, peerExchange: command.peerExchange, anyPortIfTaken: !command.p2pPortGiven },
        signingKeys: command.keys ?? undefined,
      },
      { log },
    );
    api = await startApiServer(
      { port: command.apiPort, token: node.workspace.apiToken, staticDir: existsSync(staticDir) ? staticDir : null },
      { node, log },
    );
  } catch (error) {
    await node?.close();
    if (isCivichainError(error)) fail(error.message);
    throw error;
  }

  const status = node.status();
  print(`Civichain node running (headless)${status.demo ? ' on the DEMO workspace — its keys are demo keys' : ''}`);
  print(`  Network:  ${status.networkName} (chain ${status.chainId})`);
  print(`  Data:     ${dataDir}`);
  print(`  API:      ${api.apiUrl}`);
  if (node.network) print(`  Peers:    ${node.network.url} (node key ${node.identity().nodePublicKey.slice(0, 16)}…)`);
  print(`  Console:  ${api.consoleUrl}`);
  if (!existsSync(staticDir)) print('  (The windows are not built, so the console is empty: run `npm run build`.)');
  print('Press Ctrl-C to stop.');
  if (status.demo) announceDemoElection(node);
}

/** Tells the operator when the demo election is on the chain (a fresh demo node creates it in its first block). */
function announceDemoElection(node: CivichainNode): void {
  const announce = () => {
    print(`Demo election open: "${DEMO_ELECTION_TITLE}" — voters VOID001–VOID015; their card codes are in the Election desk.`);
  };
  if (readElection(node.store.state(), DEMO_ELECTION_ID)) return announce();
  const unsubscribe = node.onEvent((event, payload) => {
    if (event === 'election.changed' && (payload as { election: string }).election === DEMO_ELECTION_ID) {
      unsubscribe();
      announce();
    }
  });
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`civichain: ${parsed.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const version = packageVersion();
  switch (parsed.command.kind) {
    case 'help':
      print(USAGE);
      return;
    case 'version':
      print(version);
      return;
    case 'node':
      await runNode(parsed.command, version);
      return;
    case 'verify': {
      const command = parsed.command;
      const log = createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
      const source = command.recordFile ? { recordFile: resolve(command.recordFile) } : { dataDir: resolve(command.dataDir ?? defaultDataDir()) };
      print(`Verifying ${'recordFile' in source ? `the election record ${source.recordFile}` : `the chain in ${source.dataDir}`}…`);
      try {
        await verifyChain(source, { log, print });
      } catch (error) {
        if (isCivichainError(error)) {
          print(`FAIL: ${error.message}`);
          return process.exit(1);
        }
        throw error;
      }
      print();
      print('OK');
      return process.exit(0);
    }
    case 'export': {
      const command = parsed.command;
      const log = createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
      try {
        const { blocks } = await exportRecord({ dataDir: resolve(command.dataDir ?? defaultDataDir()), subject: command.subject, outFile: resolve(command.outFile) }, { log });
        print(`Wrote the record of ${command.subject.kind} ${command.subject.id} (${blocks} blocks) to ${resolve(command.outFile)}.`);
      } catch (error) {
        if (isCivichainError(error)) fail(error.message);
        throw error;
      }
      return process.exit(0);
    }
    case 'repair': {
      const command = parsed.command;
      const log = createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
      try {
        const result = await repairStore({ dataDir: resolve(command.dataDir), fromPeer: command.fromPeer, version }, { log, progress: (line) => print(line) });
        print(`Repaired: the store holds the network's chain up to block ${result.height}.`);
        if (result.movedTo) print(`  The damaged store is kept as ${result.movedTo}.`);
        if (result.carriedVotes > 0) print(`  ${result.carriedVotes} votes for undecided heights were carried over (double-sign protection).`);
      } catch (error) {
        if (isCivichainError(error)) fail(error.message);
        throw error;
      }
      process.exit(0);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`civichain: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write('This is a bug in Civichain; please report it with the lines above.\n');
  process.exit(1);
});
