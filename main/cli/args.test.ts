import { describe, expect, it } from 'vitest';
import { DEFAULT_API_PORT, parseCommandLine } from './args';

describe('civichain command line', () => {
  it('parses node with every option', () => {
    const result = parseCommandLine(['node', '--data', '/tmp/x', '--api-port', '0', '--p2p-port', '9000', '--peer', 'ws://127.0.0.1:8001', '--peer', 'ws://127.0.0.1:8002', '--demo']);
    expect(result).toEqual({
      ok: true,
      command: {
        kind: 'node',
        dataDir: '/tmp/x',
        apiPort: 0,
        p2pPort: 9000,
        p2pPortGiven: true,
        p2pHost: '127.0.0.1',
        peers: ['ws://127.0.0.1:8001/', 'ws://127.0.0.1:8002/'],
        peerExchange: true,
        keys: null,
        demo: true,
        logLevel: 'info',
      },
    });
  });

  it('--keys splits keystore ids', () => {
    expect(parseCommandLine(['node', '--keys', 'validator-2, proposer-1'])).toMatchObject({ ok: true, command: { keys: ['validator-2', 'proposer-1'] } });
  });

  it('--no-peer-exchange keeps a node to the peers it is given', () => {
    expect(parseCommandLine(['node', '--no-peer-exchange'])).toMatchObject({ ok: true, command: { peerExchange: false } });
    expect(parseCommandLine(['node'])).toMatchObject({ ok: true, command: { peerExchange: true } });
  });

  it('--observer signs with no key', () => {
    expect(parseCommandLine(['node', '--observer'])).toMatchObject({ ok: true, command: { keys: [] } });
    expect(parseCommandLine(['node', '--observer', '--keys', 'validator-1'])).toMatchObject({ ok: false, message: expect.stringMatching(/leave out --keys/) });
  });

  it('has defaults', () => {
    expect(parseCommandLine(['node'])).toMatchObject({ ok: true, command: { dataDir: null, apiPort: DEFAULT_API_PORT, demo: false, peers: [] } });
  });

  it('help and version', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['node', '--help']]) {
      expect(parseCommandLine(argv)).toEqual({ ok: true, command: { kind: 'help' } });
    }
    expect(parseCommandLine(['--version'])).toEqual({ ok: true, command: { kind: 'version' } });
  });

  it.each([
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['node', '--bogus'], /bogus/],
    [['node', '--api-port', 'abc'], /--api-port must be a port/],
    [['node', '--api-port', '70000'], /--api-port must be a port/],
    [['node', '--api-port', '-1'], /api-port/],
    [['node', '--p2p-port', '7000', '--api-port', '7000'], /must differ/],
    [['node', '--peer', 'http://x:1'], /--peer must be a WebSocket address/],
    [['node', '--peer', 'ws://nohost'], /--peer must be a WebSocket address/],
    [['node', '--log-level', 'loud'], /--log-level/],
    [['node', 'extra'], /Unexpected argument "extra"/],
    [['node', '--data'], /data/],
    [['node', '--data', ''], /--data needs a folder/],
    [['node', '--keys', ',,'], /--keys must be keystore ids/],
    [['node', '--keys', 'Validator 2'], /--keys must be keystore ids/],
    [['node', '--p2p-host', 'a b'], /--p2p-host/],
    [['verify', '--data', 'a', '--record', 'b'], /not both/],
    [['verify', '--record', ''], /--record needs/],
    [['verify', '--bogus'], /bogus/],
    [['export', '--out', 'x.json'], /export needs --election/],
    [['export', '--election', 'Bad Id', '--out', 'x.json'], /export needs --election/],
    [['export', '--election', 'demo-general-2026'], /export needs --out/],
    [['export', '--election', 'demo-general-2026', '--programme', 'hk-consumption-2026', '--out', 'x.json'], /not both/],
  ])('refuses %j with a usage error', (argv, message) => {
    const result = parseCommandLine(argv);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it('parses verify and export', () => {
    expect(parseCommandLine(['verify'])).toEqual({ ok: true, command: { kind: 'verify', dataDir: null, recordFile: null } });
    expect(parseCommandLine(['verify', '--record', 'r.json'])).toEqual({ ok: true, command: { kind: 'verify', dataDir: null, recordFile: 'r.json' } });
    expect(parseCommandLine(['export', '--election', 'demo-general-2026', '--out', 'r.json', '--data', 'd'])).toEqual({
      ok: true,
      command: { kind: 'export', dataDir: 'd', subject: { kind: 'election', id: 'demo-general-2026' }, outFile: 'r.json' },
    });
    expect(parseCommandLine(['export', '--programme', 'hk-consumption-2026', '--out', 'p.json'])).toEqual({
      ok: true,
      command: { kind: 'export', dataDir: null, subject: { kind: 'programme', id: 'hk-consumption-2026' }, outFile: 'p.json' },
    });
  });
});
