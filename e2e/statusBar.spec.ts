/**
 * The status bar is live: it follows the node's `node.status` events, says plainly when the connection to
 * the node is lost, and fetches the node's state again when the connection comes back. The page talks to the
 * real node through Playwright's WebSocket routing, which lets the test add an event or cut the line.
 */
import { fileURLToPath } from 'node:url';
import type { WebSocketRoute } from '@playwright/test';
import type { NodeStatus } from '../preload/contract';
import { expect, test } from './fixtures';
import { WindowPage } from './pages/WindowPage';

const NETWORK_NAME = 'Civichain Demo';

interface RoutedApi {
  /** The page's side of the newest connection. */
  latest(): WebSocketRoute;
  /** The newest node.status the node itself sent (answer or event). */
  lastNodeStatus(): NodeStatus;
  /** While true, new connections are accepted and closed at once, as if the node were gone. */
  setUnreachable(unreachable: boolean): void;
}

async function routeApi(page: WindowPage['page']): Promise<RoutedApi> {
  const connections: WebSocketRoute[] = [];
  let unreachable = false;
  let nodeStatus: NodeStatus | null = null;
  await page.routeWebSocket(/\/api$/, (ws) => {
    if (unreachable) {
      void ws.close({ code: 1011, reason: 'test: node unreachable' });
      return;
    }
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const text = message.toString();
      const frame = JSON.parse(text) as { result?: unknown; params?: { event: string; payload: unknown } };
      const candidate = frame.params?.event === 'node.status' ? frame.params.payload : frame.result;
      if (typeof candidate === 'object' && candidate !== null && 'finalHeight' in candidate) {
        nodeStatus = candidate as NodeStatus;
      }
      ws.send(text);
    });
    connections.push(ws);
  });
  return {
    latest: () => {
      const last = connections.at(-1);
      expect(last, 'the page opened a connection to the API').toBeDefined();
      return last as WebSocketRoute;
    },
    lastNodeStatus: () => {
      expect(nodeStatus, 'the node sent its status').not.toBeNull();
      return nodeStatus as NodeStatus;
    },
    setUnreachable: (value) => {
      unreachable = value;
    },
  };
}

test('the status bar follows node.status events: height, sync progress, mining', async ({ page, node }) => {
  const api = await routeApi(page);
  const window = new WindowPage(page);
  await window.openInConsole(node.consoleUrl, 'explorer');
  await window.statusBar.expectLive(NETWORK_NAME);

  const current = api.lastNodeStatus();
  const next: NodeStatus = {
    ...current,
    height: current.height + 1205,
    finalHeight: current.height + 1203,
    peers: 2,
    state: 'syncing',
    syncBlocksLeft: 40,
    mining: { active: true, hashesPerSecond: 1530 },
  };
  api.latest().send(JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { event: 'node.status', payload: next } }));

  const bar = window.statusBar;
  await expect(bar.height).toHaveText((current.height + 1205).toLocaleString('en-GB'));
  await expect(bar.finalHeight).toHaveText((current.height + 1203).toLocaleString('en-GB'));
  await expect(bar.peers).toHaveText('2');
  await expect(bar.state).toHaveText('Syncing');
  await expect(bar.root.getByTestId('status-sync')).toContainText('40 blocks left');
  await expect(bar.root.getByRole('progressbar', { name: 'Sync progress' })).toBeVisible();
  await expect(bar.root.getByTestId('status-mining')).toHaveText('1.5 kH/s');
  await expect(page.getByTestId('explorer-height')).toHaveText((current.height + 1205).toLocaleString('en-GB'));
  await window.screenshot(fileURLToPath(new URL('./screenshots/status-syncing.png', import.meta.url)));
});

test('a lost connection is shown clearly, and the node is asked again after reconnecting', async ({
  page,
  node,
  pageProblems,
}) => {
  const api = await routeApi(page);
  const window = new WindowPage(page);
  await window.openInConsole(node.consoleUrl, 'network');
  await window.statusBar.expectLive(NETWORK_NAME);

  // A status only this test knows: after a reconnect the bar must show the node's own again.
  const real = api.lastNodeStatus();
  const invented: NodeStatus = { ...real, height: real.height + 777, finalHeight: real.finalHeight + 777 };
  api.latest().send(JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { event: 'node.status', payload: invented } }));
  await expect(window.statusBar.height).toHaveText(String(invented.height));

  api.setUnreachable(true);
  await api.latest().close({ code: 1006, reason: 'test: connection cut' });
  await expect(window.statusBar.state).toHaveText('Connection lost — reconnecting');
  await expect(page.getByTestId('connection-lost')).toBeVisible();
  await window.screenshot(fileURLToPath(new URL('./screenshots/connection-lost.png', import.meta.url)));

  api.setUnreachable(false);
  await expect(window.statusBar.height).toHaveText(String(real.height), { timeout: 15_000 });
  await expect(window.statusBar.state).toHaveText('Running');
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);

  // The browser reports the cut connection itself; that is expected here.
  const unexpected = pageProblems.filter((problem) => !/WebSocket/i.test(problem));
  pageProblems.splice(0, pageProblems.length, ...unexpected);
});
