import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_API_PORT, profileDirFor, resolveAppOptions, type AppOptionSources } from './options';

const base: AppOptionSources = { argv: [], env: {}, cwd: '/home/ana', userDataDir: '/home/ana/.config/Civichain' };

describe('resolveAppOptions', () => {
  it('defaults to <userData>/workspace and the CLI’s API port', () => {
    expect(resolveAppOptions(base)).toEqual({
      dataDir: join('/home/ana/.config/Civichain', 'workspace'),
      customDataDir: false,
      apiPort: DEFAULT_API_PORT,
      customApiPort: false,
      profileDir: null,
    });
  });

  it('a custom data folder gets its own Chromium profile, unless CIVICHAIN_PROFILE_DIR names one', () => {
    const custom = resolveAppOptions({ ...base, argv: ['--data', '/srv/a'] });
    expect(custom.profileDir).toBe(profileDirFor(base.userDataDir, resolve('/srv/a')));
    const chosen = resolveAppOptions({ ...base, argv: ['--data', '/srv/a'], env: { CIVICHAIN_PROFILE_DIR: 'p' } });
    expect(chosen.profileDir).toBe(resolve('/home/ana', 'p'));
  });

  it('--data wins over CIVICHAIN_DATA_DIR, and is resolved against the working folder', () => {
    const options = resolveAppOptions({
      ...base,
      argv: ['/usr/bin/electron', '.', '--no-sandbox', '--data', 'nodes/a'],
      env: { CIVICHAIN_DATA_DIR: '/srv/other' },
    });
    expect(options.dataDir).toBe(resolve('/home/ana', 'nodes/a'));
    expect(options.customDataDir).toBe(true);
  });

  it('accepts --data=DIR and CIVICHAIN_DATA_DIR', () => {
    expect(resolveAppOptions({ ...base, argv: ['--data=/srv/a'] }).dataDir).toBe(resolve('/srv/a'));
    expect(resolveAppOptions({ ...base, env: { CIVICHAIN_DATA_DIR: '/srv/b' } }).dataDir).toBe(resolve('/srv/b'));
    expect(resolveAppOptions({ ...base, env: { CIVICHAIN_DATA_DIR: '' } }).customDataDir).toBe(false);
  });

  it('INVALID_OPTION for --data without a folder', () => {
    expect(() => resolveAppOptions({ ...base, argv: ['--data'] })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => resolveAppOptions({ ...base, argv: ['--data='] })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('reads the API port from --api-port or CIVICHAIN_API_PORT', () => {
    expect(resolveAppOptions({ ...base, argv: ['--api-port', '0'] })).toMatchObject({ apiPort: 0, customApiPort: true });
    expect(resolveAppOptions({ ...base, env: { CIVICHAIN_API_PORT: '9000' } })).toMatchObject({
      apiPort: 9000,
      customApiPort: true,
    });
  });

  it.each(['-1', '65536', '12ab', '', '1e3', ' 80'])('INVALID_OPTION for the port %j', (port) => {
    expect(() => resolveAppOptions({ ...base, argv: [`--api-port=${port}`] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('profileDirFor', () => {
  it('gives each data folder its own profile folder, the same one every time', () => {
    const a = profileDirFor('/u', '/srv/a');
    expect(a).toBe(profileDirFor('/u', '/srv/a'));
    expect(a).not.toBe(profileDirFor('/u', '/srv/b'));
    expect(a.startsWith(join('/u', 'instances'))).toBe(true);
  });
});
