/**
 * What the app provides to every component and store: the client that talks to the node, and how this page
 * runs (the browser console with every window as a route, or one Electron/standalone window).
 */
import { inject, type InjectionKey } from 'vue';
import type { WindowRole } from '../../preload/contract';
import type { CivichainClient } from '../api/client';
import { RendererError } from './errors';

export interface ShellContext {
  /** `console`: every window is a route of one page; `window`: this page is one window. */
  readonly mode: 'console' | 'window';
  /** The window this page was opened as (`window` mode), or null in the console. */
  readonly fixedRole: WindowRole | null;
}

export const CLIENT_KEY: InjectionKey<CivichainClient> = Symbol('civichain.client');
export const SHELL_KEY: InjectionKey<ShellContext> = Symbol('civichain.shell');

export function useClient(): CivichainClient {
  const client = inject(CLIENT_KEY, null);
  if (!client) throw new RendererError('NO_CLIENT', 'The window was started without a connection to the node.');
  return client;
}

export function useShell(): ShellContext {
  return inject(SHELL_KEY, { mode: 'console', fixedRole: null });
}
