#!/usr/bin/env node
/**
 * `npm run demo:network`: three demo nodes on this machine, peered — the origin's 8000/8001/8002 scenario.
 * They share the demo genesis and split its keys, so each signs only for itself:
 *   node 1: the proposer and validator 1 (API and console on 8000)
 *   node 2: validator 2                  (API and console on 8001)
 *   node 3: validator 3                  (API and console on 8002)
 * Data folders live under $CIVICHAIN_DATA_DIR/demo-network or ~/.civichain/demo-network. Ctrl-C stops all three.
 * Options: --base-port N (default 8000; 0 = any free ports), --data DIR.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CLI = fileURLToPath(new URL('../bin/civichain.js', import.meta.url));
const NODES = [
  { name: 'node 1', keys: 'proposer-1,validator-1' },
  { name: 'node 2', keys: 'validator-2' },
  { name: 'node 3', keys: 'validator-3' },
];

let values;
try {
  ({ values } = parseArgs({ options: { 'base-port': { type: 'string' }, data: { type: 'string' } }, strict: true }));
} catch (error) {
  process.stderr.write(`demo:network: ${error.message}\nUsage: npm run demo:network -- [--base-port N] [--data DIR]\n`);
  process.exit(2);
}
const basePort = Number(values['base-port'] ?? 8000);
if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65000) {
  process.stderr.write('demo:network: --base-port must be a port number (0 = any free ports).\n');
  process.exit(2);
}
const root = values.data ?? join(process.env.CIVICHAIN_DATA_DIR || join(homedir(), '.civichain'), 'demo-network');

const children = [];
let stopping = false;

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}

/** Starts one node; resolves with its printed addresses. */
function startNode(index, peers) {
  const node = NODES[index];
  const port = (offset) => String(basePort === 0 ? 0 : basePort + offset);
  const args = [CLI, 'node', '--demo', '--data', join(root, `node${index + 1}`), '--api-port', port(index), '--p2p-port', port(100 + index), '--keys', node.keys];
  for (const peer of peers) args.push('--peer', peer);
  // Own process group: a terminal's Ctrl-C reaches only this script, which stops each node once, cleanly.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  children.push(child);
  child.stderr.on('data', (chunk) => process.stderr.write(`[${node.name}] ${chunk}`));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const consoleUrl = /Console:\s+(\S+)/.exec(out)?.[1];
      const p2pUrl = /Peers:\s+(\S+)/.exec(out)?.[1];
      if (consoleUrl && p2pUrl) resolve({ ...node, consoleUrl, p2pUrl });
    });
    child.once('exit', (code) => {
      if (!stopping) {
        reject(new Error(`${node.name} exited (code ${code}) before it was ready; its messages are above.`));
        stopAll('SIGTERM');
      }
    });
  });
}

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

try {
  const first = await startNode(0, []);
  const others = await Promise.all([startNode(1, [first.p2pUrl]), startNode(2, [first.p2pUrl])]);
  process.stdout.write('Civichain demo network: three nodes on this machine, peered (demo keys: not for real use)\n');
  for (const node of [first, ...others]) {
    process.stdout.write(`  ${node.name} (${node.keys}):\n    Console:  ${node.consoleUrl}\n    Peers:    ${node.p2pUrl}\n`);
  }
  process.stdout.write('Press Ctrl-C to stop all three.\n');
} catch (error) {
  process.stderr.write(`demo:network: ${error.message}\n`);
  stopAll('SIGTERM');
  process.exitCode = 1;
}

await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)))));
