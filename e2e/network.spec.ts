/**
 * The Network window over real nodes: the demo node of the worker fixture, and observer nodes (`--observer`:
 * they sign nothing, so two demo nodes never sign with the same keys) that join it. A second node connecting
 * and its height rising; a fresh node catching up (the catch-up panel is shown with a progress event fed
 * through Playwright's WebSocket routing, since a real catch-up of a few blocks is over in milliseconds, and
 * the real catch-up then ends with both nodes at the same height); add, remove, ban and unban with their
 * errors; axe-core light and dark. Screenshots of every state are saved in e2e/screenshots.
 */
import { fileURLToPath } from 'node:url';
import type { WebSocketRoute } from '@playwright/test';
import type { EventPayloads, NodeIdentity } from '../preload/contract';
import { expect, test } from './fixtures';
import { startHeadlessNode, type HeadlessNode } from './fixtures/headlessNode';
import { NetworkPage } from './pages/NetworkPage';
import { expectNoSeriousViolations } from './support/axe';
import { connectNodeApi, type NodeApi } from './support/nodeApi';

const shot = (name: string) => fileURLToPath(new URL(`./screenshots/${name}.png`, import.meta.url));

/** Runs `body` with an observer node that is stopped (and its data folder removed) whatever happens. */
async function withObserver<T>(options: { peers?: string[] }, body: (observer: HeadlessNode, api: NodeApi) => Promise<T>): Promise<T> {
  const observer = await startHeadlessNode({ observer: true, peers: options.peers });
  const api = await connectNodeApi(observer.consoleUrl);
  try {
    return await body(observer, api);
  } finally {
    api.close();
    await observer.stop();
  }
}

/** Asks the demo node for a block and waits until it is final: the chain grows by one. */
async function mineOne(api: NodeApi): Promise<number> {
  const before = (await api.call('node.status', {})).height;
  await api.call('miner.mine', {});
  await expect.poll(async () => (await api.call('node.status', {})).height, { message: 'the demo node made a block' }).toBeGreaterThan(before);
  return (await api.call('node.status', {})).height;
}

/** Routes the page's API connection through the test, which can add events and hold back the node's own sync.progress. */
async function routeApi(page: NetworkPage['page']): Promise<{ latest(): WebSocketRoute; holdSync(hold: boolean): void }> {
  const connections: WebSocketRoute[] = [];
  let hold = false;
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const text = message.toString();
      if (hold && text.includes('"sync.progress"')) return;
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
    holdSync: (value) => {
      hold = value;
    },
  };
}

function sendEvent<E extends keyof EventPayloads>(ws: WebSocketRoute, event: E, payload: EventPayloads[E]): void {
  ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { event, payload } }));
}

test('a second node connecting shows in the peers table, and its height rises', async ({ page, node }) => {
  test.setTimeout(60_000);
  const demo = await connectNodeApi(node.consoleUrl);
  try {
    const network = new NetworkPage(page);
    await network.open(node.consoleUrl);
    await network.statusBar.expectLive('Civichain Demo');
    const startHeight = (await demo.call('node.status', {})).height;

    await withObserver({ peers: [node.p2pUrl] }, async (_observer, observerApi) => {
      const { nodePublicKey } = (await observerApi.call('node.identity', {})) as NodeIdentity;
      const row = network.peerByKey(nodePublicKey);
      await expect(row, 'the observer shows up as it connects').toBeVisible();
      await expect(row).toContainText('Inbound');
      await expect(row.getByTestId('peer-height')).toHaveText(startHeight.toLocaleString('en-GB'));
      await expect(network.log.getByTestId('log-entry').filter({ hasText: 'peer connected' }).first()).toBeVisible();

      const height = await mineOne(demo);
      const next = await mineOne(demo);
      expect(next).toBeGreaterThan(height);
      // At least `next`: the demo node may have made another block meanwhile.
      const shownHeight = async () => Number((await row.getByTestId('peer-height').textContent())?.replace(/,/g, ''));
      await expect.poll(shownHeight, { message: 'the observer’s height rises as it takes the new blocks' }).toBeGreaterThanOrEqual(next);
      await network.screenshot(shot('network-peer-connected'));
    });
    await expect(network.peerRows, 'the stopped observer leaves the table').toHaveCount(0);
  } finally {
    demo.close();
  }
});

test('a fresh node shows catch-up progress, then catches up to the same height', async ({ page, node }) => {
  test.setTimeout(60_000);
  const demo = await connectNodeApi(node.consoleUrl);
  try {
    // Some blocks for the fresh node to fetch.
    await mineOne(demo);
    await mineOne(demo);
    const target = (await demo.call('node.status', {})).height;

    await withObserver({}, async (fresh, freshApi) => {
      expect((await freshApi.call('node.status', {})).height).toBe(0);
      const api = await routeApi(page);
      const network = new NetworkPage(page);
      await network.open(fresh.consoleUrl);
      await network.statusBar.expectLive('Civichain Demo');
      await expect(network.syncPanel, 'no panel while not behind').toHaveCount(0);

      // Behind, as a slow catch-up would say: then stalled, with the node's own reason.
      api.holdSync(true);
      sendEvent(api.latest(), 'sync.progress', { height: 0, target, blocksLeft: target, blocksPerSecond: 0, etaSeconds: null, stalled: null });
      await expect(network.syncPanel).toBeVisible();
      await expect(network.syncPanel.getByTestId('sync-blocks-left')).toHaveText(target.toLocaleString('en-GB'));
      await expect(network.syncPanel.getByTestId('sync-eta')).toHaveText('Estimating…');
      sendEvent(api.latest(), 'sync.progress', { height: 1, target, blocksLeft: target - 1, blocksPerSecond: 0.5, etaSeconds: (target - 1) * 2, stalled: null });
      await expect(network.syncPanel.getByTestId('sync-blocks-left')).toHaveText((target - 1).toLocaleString('en-GB'));
      await expect(network.syncPanel.getByTestId('sync-rate')).toHaveText('0.5 blocks/s');
      await expect(network.syncPanel.getByRole('progressbar', { name: 'Catch-up progress' })).toHaveAttribute('aria-valuetext', `Block 1 of ${target}`);
      await network.screenshot(shot('network-syncing'));
      const stalled = 'no blocks from peer 3f2a91bc0d4e… for 5 s; asking it again';
      sendEvent(api.latest(), 'sync.progress', { height: 1, target, blocksLeft: target - 1, blocksPerSecond: 0.5, etaSeconds: null, stalled });
      await expect(network.syncPanel.getByTestId('sync-stalled')).toContainText(stalled);
      await network.screenshot(shot('network-sync-stalled'));

      // The real catch-up: the person adds the demo node; the fresh node fetches every block and the panel goes.
      api.holdSync(false);
      await network.addPeer(node.p2pUrl);
      await expect(network.actionDone).toHaveText(`Connected to ${node.p2pUrl}.`);
      // Both at one height, at least the target (the demo node may have made another block meanwhile).
      const heights = async () => {
        const [ours, theirs] = await Promise.all([freshApi.call('node.status', {}), demo.call('node.status', {})]);
        return { fresh: ours.height, demo: theirs.height };
      };
      await expect.poll(async () => {
        const now = await heights();
        return now.fresh === now.demo && now.fresh >= target ? 'same height' : `fresh ${now.fresh}, demo ${now.demo}`;
      }, { message: 'the fresh node caught up with the demo node' }).toBe('same height');
      const { fresh: caughtUp } = await heights();
      await expect(network.syncPanel, 'the panel leaves once caught up').toHaveCount(0);
      await expect(network.heightFigure).toContainText(caughtUp.toLocaleString('en-GB'));
      await expect(network.statusBar.height).toHaveText(caughtUp.toLocaleString('en-GB'));
      await network.screenshot(shot('network-caught-up'));
      // The page leaves before its node stops. Its API socket runs through Playwright's route, whose page side
      // stays open a moment after the node closes the real socket: a status request sent in that moment makes
      // Chromium log "already in CLOSING or CLOSED state" (a real socket is checked by the client first).
      await page.goto('about:blank');
    });
  } finally {
    demo.close();
  }
});

test('add a peer (with errors), remove it, ban it (with errors) and lift the ban', async ({ page, node }) => {
  test.setTimeout(60_000);
  const network = new NetworkPage(page);
  await network.open(node.consoleUrl);
  await network.statusBar.expectLive('Civichain Demo');

  // Mistakes caught in the window, before the node is asked.
  await network.addPeer('');
  await expect(network.addProblem).toHaveText(/Type the peer’s address/);
  await expect(network.addressField).toBeFocused();
  await expect(network.addressField).toHaveAttribute('aria-invalid', 'true');
  await network.addPeer('http://127.0.0.1:7546');
  await expect(network.addProblem).toHaveText(/starts with ws:\/\//);
  await network.addPeer('ws://127.0.0.1:99999');
  await expect(network.addProblem).toHaveText(/Port 99999 does not exist/);
  await network.screenshot(shot('network-add-invalid'));

  // A mistake only the node can catch: its own address.
  await network.addPeer(node.p2pUrl);
  await expect(network.addProblem).toHaveCount(0);
  await expect(network.actionError).toContainText('PEER_SELF');
  await expect(network.actionError).toContainText('is this node itself');
  await network.screenshot(shot('network-add-refused'));

  await withObserver({}, async (observer, observerApi) => {
    const { nodePublicKey } = await observerApi.call('node.identity', {});
    await network.addPeer(observer.p2pUrl);
    await expect(network.actionDone).toHaveText(`Connected to ${observer.p2pUrl}.`);
    await expect(network.actionError).toHaveCount(0);
    const row = network.peer(observer.p2pUrl);
    await expect(row).toContainText('Outbound');
    await expect(row).toContainText(nodePublicKey.slice(0, 8));
    await expect(network.peerCount).toHaveText('1');
    await expect(network.addressField, 'the form is emptied for the next peer').toHaveValue('');

    // From the keyboard: the Remove button, then focus stays in the window as the row leaves.
    await row.getByRole('button', { name: `Remove peer ${observer.p2pUrl}` }).focus();
    await page.keyboard.press('Enter');
    await expect(network.actionDone).toHaveText(`Disconnected ${observer.p2pUrl} and forgot its address.`);
    await expect(network.peerRows).toHaveCount(0);
    await expect(page.getByRole('heading', { name: /^Peers/ }), 'focus moves to the peers heading, not the page body').toBeFocused();

    // Ban: the dialog checks minutes and reason, Escape cancels, then a real ban.
    await network.addPeer(observer.p2pUrl);
    await expect(row).toBeVisible();
    const banButton = row.getByRole('button', { name: `Ban peer ${observer.p2pUrl}` });
    await banButton.click();
    await expect(network.banDialog).toBeVisible();
    await expect(network.banDialog.getByRole('textbox', { name: 'For how many minutes' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(network.banDialog).toBeHidden();
    await expect(banButton, 'focus goes back to the Ban button').toBeFocused();

    await network.ban(row, '0', 'x');
    await expect(network.banDialog.getByTestId('ban-minutes-problem')).toHaveText(/whole number of minutes from 1 to 10,080/);
    await network.banDialog.getByRole('textbox', { name: 'For how many minutes' }).fill('30');
    await network.banDialog.getByRole('button', { name: 'Ban peer' }).click();
    await expect(network.banDialog.getByTestId('ban-reason-problem')).toHaveText(/at least 3 characters/);
    await expect(network.banDialog.getByRole('textbox', { name: 'Reason (required)' })).toBeFocused();
    await network.screenshot(shot('network-ban-dialog'));
    await network.banDialog.getByRole('textbox', { name: 'Reason (required)' }).fill('sends stale blocks');
    await network.banDialog.getByRole('button', { name: 'Ban peer' }).click();
    await expect(network.banDialog).toBeHidden();
    await expect(network.actionDone).toHaveText(`Banned ${observer.p2pUrl} for 30 minutes.`);
    await expect(network.peerRows).toHaveCount(0);
    await expect(page.getByRole('heading', { name: /^Peers/ })).toBeFocused();
    await expect(network.bans.getByTestId('ban-row')).toContainText('sends stale blocks');
    await expect(network.log.getByTestId('log-entry').filter({ hasText: 'banned a peer' }).first()).toBeVisible();

    // A banned peer cannot be added again.
    await network.addPeer(observer.p2pUrl);
    await expect(network.actionError).toContainText('PEER_BANNED');
    await network.screenshot(shot('network-banned'));

    // Lifting a ban by hand needs a key or an address.
    await network.bans.getByRole('textbox', { name: 'Lift a ban by node key or address' }).fill('not a key');
    await network.bans.getByRole('button', { name: 'Lift ban', exact: true }).click();
    await expect(network.bans.getByTestId('unban-problem')).toHaveText(/neither a node key/);

    await network.bans.getByRole('button', { name: `Lift the ban on ${observer.p2pUrl}` }).click();
    await expect(network.actionDone).toHaveText(`Lifted the ban on ${observer.p2pUrl}.`);
    await expect(network.bans.getByTestId('ban-row')).toHaveCount(0);
    await network.addPeer(observer.p2pUrl);
    await expect(network.peer(observer.p2pUrl), 'the peer is welcome again').toBeVisible();
    await row.getByRole('button', { name: `Remove peer ${observer.p2pUrl}` }).click();
    await expect(network.peerRows).toHaveCount(0);
  });
});

test('the log filters by level, newest first; identity values copy to the clipboard', async ({ page, node, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const network = new NetworkPage(page);
  await network.open(node.consoleUrl);
  await network.statusBar.expectLive('Civichain Demo');

  const entries = network.log.getByTestId('log-entry');
  await expect(entries.filter({ hasText: 'node started' })).toHaveCount(1);
  const times = await entries.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
  expect(times, 'newest first').toEqual([...times].sort((a, b) => b - a));

  await network.logLevel.selectOption('warn');
  await expect(entries.filter({ hasText: 'node started' })).toHaveCount(0);
  for (const level of await entries.evaluateAll((items) => items.map((item) => item.getAttribute('data-level')))) {
    expect(['warn', 'error']).toContain(level);
  }
  await network.logLevel.selectOption('debug');
  await expect(entries.filter({ hasText: 'node started' })).toHaveCount(1);

  const key = await network.identity.getByTestId('network-node-key').textContent();
  await network.identity.getByRole('button', { name: 'Copy node key' }).click();
  await expect(network.identity.getByRole('button', { name: 'Copy node key' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await network.screenshot(shot('network-identity-log'));
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`${colorScheme}: the Network window with a peer, catch-up and the ban dialog has no serious axe violation`, async ({ page, node }) => {
    test.setTimeout(60_000);
    await page.emulateMedia({ colorScheme });
    const api = await routeApi(page);
    const network = new NetworkPage(page);
    await network.open(node.consoleUrl);
    await network.statusBar.expectLive('Civichain Demo');
    await withObserver({ peers: [node.p2pUrl] }, async (_observer, observerApi) => {
      const { nodePublicKey } = await observerApi.call('node.identity', {});
      await expect(network.peerByKey(nodePublicKey)).toBeVisible();
      api.holdSync(true);
      const height = (await observerApi.call('node.status', {})).height;
      sendEvent(api.latest(), 'sync.progress', { height, target: height + 500, blocksLeft: 500, blocksPerSecond: 120, etaSeconds: 5, stalled: 'no blocks from peer 3f2a91bc0d4e… for 5 s; asking it again' });
      await expect(network.syncPanel).toBeVisible();
      await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
      await expectNoSeriousViolations(page, `Network window, ${colorScheme}`);
      await network.screenshot(shot(`network-${colorScheme}`));

      await network.peerByKey(nodePublicKey).getByRole('button', { name: /^Ban peer/ }).click();
      await expect(network.banDialog).toBeVisible();
      await expectNoSeriousViolations(page, `ban dialog, ${colorScheme}`);
      await page.keyboard.press('Escape');
    });
  });
}
