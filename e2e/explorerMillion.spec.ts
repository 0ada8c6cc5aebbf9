/**
 * The Explorer's list at 1,000,000 blocks. Writing a million real blocks takes ~10 minutes, so here the
 * node's answers to `chain.blocks` are replaced (through Playwright's WebSocket routing) by summaries of a
 * million-block chain; every other call goes to the real demo node. What is checked is the window's side:
 * it opens fast, the page holds only the rows in view, every part of the chain is reachable, it asks for
 * pages (never the chain), and frames keep coming while it scrolls.
 */
import { fileURLToPath } from 'node:url';
import type { BlockSummary } from '../preload/contract';
import { expect, test } from './fixtures';
import { ExplorerPage } from './pages/ExplorerPage';

const HEAD = 1_000_000;
const MAX_ROWS_IN_PAGE = 40;
const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

function summary(height: number): BlockSummary {
  return { height, hash: height.toString(16).padStart(64, 'a'), timeMs: 1_700_000_000_000 + height * 1000, txCount: height % 7, proposer: 'b'.repeat(64), round: 0, approvals: 3 };
}

test('the list of 1,000,000 blocks opens fast, keeps only the rows in view and reaches every block', async ({ page, node }) => {
  const pagesAsked: { before: number | undefined; limit: number }[] = [];
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const request = JSON.parse(message.toString()) as { id: number; method: string; params: { before?: number; limit?: number } };
      if (request.method !== 'chain.blocks') return server.send(message);
      const limit = request.params.limit ?? 50;
      pagesAsked.push({ before: request.params.before, limit });
      const top = Math.min(request.params.before ?? HEAD, HEAD);
      const blocks = Array.from({ length: Math.max(0, Math.min(limit, top)) }, (_, i) => summary(top - i));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { blocks, height: HEAD } }));
    });
    server.onMessage((message) => ws.send(message));
  });

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
