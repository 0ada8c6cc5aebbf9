/**
 * The Explorer's list at 1,000,000 blocks. Writing a million real blocks takes ~10 minutes, so here the
 * node's answers to `chain.blocks` are replaced (through Playwright's WebSocket routing) by summaries of a
 * million-block chain; every other call goes to the real demo node. What is checked is the window's side:
 * it opens fast, the page holds only the rows in view, every part of the chain is reachable, it asks for
 * pages (never the chain), and frames keep coming while it scrolls.
 */
import { fileURLToPath } from 'node:url';
import type { Page, WebSocketRoute } from '@playwright/test';
import type { BlockSummary } from '../preload/contract';
import { expect, test } from './fixtures';
import { ExplorerPage } from './pages/ExplorerPage';

const HEAD = 1_000_000;
const MAX_ROWS_IN_PAGE = 40;
const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

function summary(height: number): BlockSummary {
  return { height, hash: height.toString(16).padStart(64, 'a'), timeMs: 1_700_000_000_000 + height * 1000, txCount: height % 7, proposer: 'b'.repeat(64), round: 0, approvals: 3 };
}

/** Answers `chain.blocks` for a chain of `head()` blocks; the rest goes to the real node. */
async function routeMillionChain(page: Page, head: () => number) {
  const pagesAsked: { before: number | undefined; limit: number }[] = [];
  const routes: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    routes.push(ws);
    ws.onMessage((message) => {
      const request = JSON.parse(message.toString()) as { id: number; method: string; params: { before?: number; limit?: number } };
      if (request.method !== 'chain.blocks') return server.send(message);
      const limit = request.params.limit ?? 50;
      pagesAsked.push({ before: request.params.before, limit });
      const top = Math.min(request.params.before ?? head(), head());
      const blocks = Array.from({ length: Math.max(0, Math.min(limit, top)) }, (_, i) => summary(top - i));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { blocks, height: head() } }));
    });
    server.onMessage((message) => ws.send(message));
  });
  return {
    pagesAsked,
    /** Plays the node's block.final event for a new head into the page. */
    final(height: number) {
      routes.at(-1)?.send(JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { event: 'block.final', payload: { height, round: 0, blockHash: summary(height).hash, txCount: 0 } } }));
    },
  };
}

test('the list of 1,000,000 blocks opens fast, keeps only the rows in view and reaches every block', async ({ page, node }) => {
  const { pagesAsked } = await routeMillionChain(page, () => HEAD);

  const explorer = new ExplorerPage(page);
  const started = Date.now();
  await explorer.openInConsole(node.consoleUrl, 'explorer');
  await expect(explorer.row(HEAD)).not.toContainText('Loading');
  expect(Date.now() - started).toBeLessThan(2_000);
  await expect(explorer.list).toHaveAccessibleName(/1,000,000 blocks/);
  // The scroll area stays under the browser's element-height limit (about 33.5 million px).
  expect(await explorer.list.evaluate((element) => element.scrollHeight)).toBeLessThanOrEqual(8_000_000);

  // Frames keep coming while the wheel scrolls through the chain.
  await page.evaluate(() => {
    const gaps: number[] = [];
    let last = performance.now();
    const tick = (now: number) => {
      gaps.push(now - last);
      last = now;
      if (gaps.length < 10_000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    Object.assign(window, { frameGaps: gaps });
  });
  await explorer.list.hover();
  for (let step = 0; step < 30; step += 1) await page.mouse.wheel(0, 1_200);
  await expect(explorer.rows.filter({ hasNotText: 'Loading' }).first()).toBeVisible();
  const gaps = await page.evaluate(() => (window as unknown as { frameGaps: number[] }).frameGaps.slice(1));
  const longest = Math.max(...gaps);
  test.info().annotations.push({ type: 'frames while scrolling', description: `${gaps.length} frames, longest gap ${Math.round(longest)} ms` });
  expect(longest, 'no frame took half a second while scrolling').toBeLessThan(500);
  expect(await explorer.rows.count()).toBeLessThanOrEqual(MAX_ROWS_IN_PAGE);

  // The middle, by dragging the scrollbar.
  await explorer.list.evaluate((element) => (element.scrollTop = (element.scrollHeight - element.clientHeight) / 2));
  await expect(explorer.rows.filter({ hasNotText: 'Loading' }).first()).toBeVisible();
  const middle = Number(await explorer.rows.first().getAttribute('data-height'));
  expect(Math.abs(middle - HEAD / 2)).toBeLessThan(50);

  // The far end, from the keyboard.
  await explorer.list.focus();
  await page.keyboard.press('End');
  await expect(explorer.row(1)).not.toContainText('Loading');
  await expect(explorer.list).toHaveAttribute('aria-activedescendant', 'block-row-1');
  expect(await explorer.rows.count()).toBeLessThanOrEqual(MAX_ROWS_IN_PAGE);
  await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-million-end.png`);

  // Pages of at most 100, never the chain: a few dozen requests for a trip through a million blocks.
  expect(pagesAsked.every((asked) => asked.limit <= 100)).toBe(true);
  expect(pagesAsked.length).toBeLessThan(60);
});

test('new final blocks join the top of the list; a reader further down is not moved', async ({ page, node }) => {
  let head = HEAD;
  const chain = await routeMillionChain(page, () => head);
  const explorer = new ExplorerPage(page);
  await explorer.openInConsole(node.consoleUrl, 'explorer');
  await expect(explorer.row(HEAD)).not.toContainText('Loading');

  // At the top: the new block appears first.
  head = HEAD + 1;
  chain.final(head);
  await expect(explorer.rows.first()).toHaveAttribute('data-height', String(HEAD + 1));
  await expect(explorer.row(HEAD + 1)).not.toContainText('Loading');
  await expect(explorer.list).toHaveAccessibleName(/1,000,001 blocks/);

  // Further down: the rows in view stay where they are while blocks keep coming.
  await explorer.list.evaluate((element) => (element.scrollTop = 4_000));
  await expect(explorer.rows.filter({ hasNotText: 'Loading' }).first()).toBeVisible();
  const visibleHeight = async () => {
    const box = await explorer.list.boundingBox();
    const heights = await explorer.rows.evaluateAll(
      (rows, top) => rows.filter((row) => row.getBoundingClientRect().top >= top).map((row) => Number(row.getAttribute('data-height'))),
      box?.y ?? 0,
    );
    return heights[0];
  };
  const before = await visibleHeight();
  for (let n = 0; n < 5; n++) {
    head += 1;
    chain.final(head);
  }
  await expect(explorer.list).toHaveAccessibleName(new RegExp(`${head.toLocaleString('en-GB')} blocks`));
  await expect.poll(visibleHeight).toBe(before);
});
