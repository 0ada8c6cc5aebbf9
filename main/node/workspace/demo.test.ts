import { describe, expect, it } from 'vitest';
import { genesisHash } from '../../core/genesis';
import { createDemoGenesis, DEMO_IDENTITIES, demoPublicKey } from './demo';

describe('demo workspace', () => {
  it('the demo genesis is the same everywhere (known-answer, cross-checked with Python json + hashlib)', () => {
    const genesis = createDemoGenesis();
    expect(genesis.validators).toHaveLength(3);
    expect(genesis.quorum).toBe(3);
    expect(genesis.demo).toBe(true);
    // python3: hashlib.sha256(json.dumps(g, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()).hexdigest()
    expect(genesisHash(genesis)).toBe('a386fc5cb6c8cd9bd2d62dbe2980882882ce8291341170c4a6b1db4a8b75dfbe');
  });

  it('has the roles of DESIGN.md §10 with distinct keys', () => {
    const roles = DEMO_IDENTITIES.map((i) => i.role);
    for (const role of ['authority', 'validator', 'proposer', 'official', 'reviewer', 'operator', 'resident']) expect(roles).toContain(role);
    expect(DEMO_IDENTITIES.filter((i) => i.role === 'operator').map((i) => i.label)).toEqual(['Octopus', 'AlipayHK', 'PayMe']);
    expect(new Set(DEMO_IDENTITIES.map((i) => demoPublicKey(i.id))).size).toBe(DEMO_IDENTITIES.length);
  });
});
