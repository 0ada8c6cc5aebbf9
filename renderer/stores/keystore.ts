/**
 * The identities in this node's keystore (public parts only), fetched by role when a window needs them.
 * In the demo workspace these are the demo officials, validators, reviewers, operators and residents.
 */
import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import type { IdentityRole, IdentitySummary } from '../../preload/contract';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';

export type IdentitiesOfRole =
  | { readonly state: 'loading' }
  | { readonly state: 'loaded'; readonly identities: readonly IdentitySummary[] }
  | { readonly state: 'failed'; readonly error: ShownError };

export const useKeystoreStore = defineStore('keystore', () => {
  const client = useClient();
  const byRole = shallowReactive(new Map<IdentityRole, IdentitiesOfRole>());

  /** Fetches the identities of one role, unless they are loaded or loading already. */
  async function load(role: IdentityRole): Promise<void> {
    const current = byRole.get(role);
    if (current && current.state !== 'failed') return;
    byRole.set(role, { state: 'loading' });
    try {
      const { identities } = await client.call('keystore.list', { role });
      byRole.set(role, { state: 'loaded', identities });
    } catch (caught) {
      byRole.set(role, { state: 'failed', error: toShownError(caught) });
    }
  }

  function of(role: IdentityRole): IdentitiesOfRole {
    return byRole.get(role) ?? { state: 'loading' };
  }

  /** The keystore's name for a public key (e.g. "Validator 2"), if a loaded role holds it. */
  function labelOf(publicKey: string): string | null {
    for (const entry of byRole.values()) {
      if (entry.state !== 'loaded') continue;
      const found = entry.identities.find((identity) => identity.publicKey === publicKey);
      if (found) return found.label;
    }
    return null;
  }

  return { byRole, load, of, labelOf };
});
