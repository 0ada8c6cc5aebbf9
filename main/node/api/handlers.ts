/** The node's implementation of each contract method. Inputs arrive already validated by the dispatcher. */
import type { NodeIdentity, NodeStatus } from '../../../preload/contract';
import type { Keystore } from '../keystore/keystore';
import type { Handlers } from './dispatcher';

export interface HandlerDependencies {
  readonly status: () => NodeStatus;
  readonly identity: () => NodeIdentity;
  readonly keystore: Keystore;
}

export function createHandlers(deps: HandlerDependencies): Handlers {
  return {
    'node.status': () => deps.status(),
    'node.identity': () => deps.identity(),
    'keystore.list': ({ role }) => ({ identities: deps.keystore.list(role) }),
  };
}
