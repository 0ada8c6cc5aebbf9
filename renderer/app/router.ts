/**
 * Routes: `/` is the launcher and `/<role>` each window. The browser console uses hash history, so that
 * every window is a link (`/#/booth`) on the node's one console page; a single window page uses a memory
 * history fixed on its own route, so that it renders the same view component without any navigation.
 */
import {
  createMemoryHistory,
  createRouter,
  createWebHashHistory,
  type RouteComponent,
  type RouteRecordRaw,
  type Router,
} from 'vue-router';
import { nextTick } from 'vue';
import type { WindowRole } from '../../preload/contract';
import { WINDOWS } from './windows';

/** The id of each window's main heading: focus moves there after a route change, as after a page load. */
export const MAIN_HEADING_ID = 'window-title';

declare module 'vue-router' {
  interface RouteMeta {
    role?: WindowRole;
  }
}

const views: Readonly<Record<WindowRole, () => Promise<RouteComponent>>> = {
  launcher: () => import('../windows/launcher/LauncherView.vue'),
  booth: () => import('../windows/booth/BoothView.vue'),
  election: () => import('../windows/election/ElectionDeskView.vue'),
  validator: () => import('../windows/validator/ValidatorDeskView.vue'),
  government: () => import('../windows/government/GovernmentDeskView.vue'),
  wallet: () => import('../windows/wallet/WalletView.vue'),
  operator: () => import('../windows/operator/OperatorDeskView.vue'),
  explorer: () => import('../windows/explorer/ExplorerView.vue'),
  network: () => import('../windows/network/NetworkView.vue'),
};

function routes(): RouteRecordRaw[] {
  const records: RouteRecordRaw[] = Object.values(WINDOWS).map((info) => ({
    path: info.path,
    name: info.role,
    component: views[info.role],
    meta: { role: info.role },
  }));
  records.push({ path: '/launcher', redirect: '/' });
  records.push({ path: '/:unknown(.*)*', redirect: '/' });
  return records;
}

export function createAppRouter(options: { fixedRole: WindowRole | null }): Router {
  const history = options.fixedRole ? createMemoryHistory() : createWebHashHistory();
  // Set before the router starts, so that its first navigation goes to this window and nowhere else.
  if (options.fixedRole) history.replace(WINDOWS[options.fixedRole].path);
  const router = createRouter({ history, routes: routes() });
  router.afterEach((to, from) => {
    const role = to.meta.role;
    const title = role ? WINDOWS[role].title : WINDOWS.launcher.title;
    document.title = role && role !== 'launcher' ? `${title} — Civichain` : 'Civichain';
    // A screen reader user hears where they are now; the first load needs no help.
    if (from.matched.length > 0) void nextTick(() => document.getElementById(MAIN_HEADING_ID)?.focus());
  });
  return router;
}
