/**
 * The Explorer over a long chain: a real node started on a data folder holding 100,000 final blocks written
 * straight into its store (e2e/fixtures/longChain.ts). The window opens in under 2 s, keeps only the rows in
 * view in the page, scrolls to the first block, and search finds blocks by height and hash and a
 * transaction by its hash (a ballot's tracking code).
 */
import { fileURLToPath } from 'node:url';
import { expect, test as base } from './fixtures';
import { startHeadlessNode, type HeadlessNode } from './fixtures/headlessNode';
import { LONG_CHAIN_PASSPHRASE, longChain, type LongChainManifest } from './fixtures/longChain';
import { ExplorerPage } from './pages/ExplorerPage';
import { expectNoSeriousViolations } from './support/axe';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const BLOCKS = 100_000;
/** The list draws the rows in view and a few either side, never more. */
const MAX_ROWS_IN_PAGE = 40;

const test = base.extend<object, { chain: { node: HeadlessNode; manifest: LongChainManifest } }>({
  chain: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const seeded = await longChain(BLOCKS);
      const node = await startHeadlessNode({ prepare: seeded.prepare, env: { CIVICHAIN_NODE_PASSPHRASE: LONG_CHAIN_PASSPHRASE }, startTimeoutMs: 60_000 });
      try {
        await use({ node, manifest: seeded.manifest });
      } finally {
        await node.stop();
      }
    },
    // Writing the chain the first time takes about a minute on two cores; later runs copy it.
    { scope: 'worker', timeout: 5 * 60_000 },
  ],
});

test('opens over 100,000 blocks in under 2 s, renders only the rows in view, and scrolls to the first block', async ({ page, chain }) => {
  const explorer = new ExplorerPage(page);
  const started = Date.now();
  await explorer.openInConsole(chain.node.consoleUrl, 'explorer');
  await expect(explorer.row(BLOCKS)).toBeVisible();
  await expect(explorer.row(BLOCKS)).not.toContainText('Loading');
  const openedMs = Date.now() - started;
  expect(openedMs, `the Explorer showed the newest block ${openedMs} ms after navigation`).toBeLessThan(2_000);
  await explorer.statusBar.expectLive(chain.manifest.networkName);
  await expect(explorer.list).toHaveAccessibleName(/100,000 blocks/);
  expect(await explorer.rows.count()).toBeLessThanOrEqual(MAX_ROWS_IN_PAGE);
  await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-long-chain.png`);

  // The keyboard: the list takes focus, arrows move, End goes to the first block ever made.
  await explorer.list.focus();
  await page.keyboard.press('ArrowDown');
  await expect(explorer.list).toHaveAttribute('aria-activedescendant', `block-row-${BLOCKS - 1}`);
  await page.keyboard.press('End');
  await expect(explorer.row(1)).toBeVisible();
  await expect(explorer.row(1)).not.toContainText('Loading');
  await expect(explorer.list).toHaveAttribute('aria-activedescendant', 'block-row-1');
  expect(await explorer.rows.count()).toBeLessThanOrEqual(MAX_ROWS_IN_PAGE);
  await page.keyboard.press('Enter');
  await expect(explorer.detail.getByRole('heading', { name: 'Block 1', exact: true })).toBeVisible();
  await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-first-block.png`);

  // The mouse: drag back to the top, then through the middle, as a scrollbar would.
  await explorer.list.evaluate((element) => (element.scrollTop = 0));
  await expect(explorer.row(BLOCKS)).toBeVisible();
  await explorer.list.evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
  await expect(explorer.rows.filter({ hasNotText: 'Loading' }).first()).toBeVisible();
  const middle = Number(await explorer.rows.first().getAttribute('data-height'));
  expect(Math.abs(middle - BLOCKS / 2)).toBeLessThan(100);
  await explorer.list.evaluate((element) => (element.scrollTop = element.scrollHeight));
  await expect(explorer.row(1)).toBeVisible();
  expect(await explorer.rows.count()).toBeLessThanOrEqual(MAX_ROWS_IN_PAGE);
});

test('search finds a block by hash and by height, and a transaction by its tracking code', async ({ page, chain }) => {
  const explorer = new ExplorerPage(page);
  await explorer.open(chain.node.consoleUrl);
  await expect(explorer.row(BLOCKS)).toBeVisible();
  const { sampleBlock, sampleTransaction } = chain.manifest;

  await explorer.search(sampleBlock.hash);
  const blockHeading = explorer.detail.getByRole('heading', { name: `Block ${sampleBlock.height.toLocaleString('en-GB')}`, exact: true });
  await expect(blockHeading).toBeVisible();
  await expect(blockHeading).toBeFocused();
  await expect(explorer.detail.getByTestId('block-hash')).toHaveText(sampleBlock.hash);
  await expect(explorer.detail.getByTestId('certificate-approval')).toHaveCount(3);
  // The list moved to the block found, and marks it.
  await expect(explorer.row(sampleBlock.height)).toHaveAttribute('aria-selected', 'true');
  await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-block-detail.png`);
  if (process.env['UPDATE_DOCS_SCREENSHOTS'] === '1') await explorer.screenshot(fileURLToPath(new URL('../docs/screenshots/explorer.png', import.meta.url)));

  await explorer.search(sampleTransaction.hash.toUpperCase());
  await expect(explorer.detail.getByTestId('tx-status')).toHaveText(`Final in block ${sampleTransaction.height.toLocaleString('en-GB')}, position 0`);
  await expect(explorer.detail.getByTestId('tx-type')).toHaveText('Note (note)');
  await expect(explorer.detail.getByRole('heading', { level: 2 })).toHaveText(`Note: ${sampleTransaction.text}`);
  await expect(explorer.row(sampleTransaction.height)).toHaveAttribute('aria-selected', 'true');
  await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-transaction.png`);
  await explorer.detail.getByTestId('tx-open-block').click();
  await expect(explorer.detail.getByTestId('transaction-row')).toHaveCount(1);

  await explorer.search('12,345');
  await expect(explorer.detail.getByRole('heading', { name: 'Block 12,345', exact: true })).toBeVisible();

  await explorer.search('not a hash');
  await expect(explorer.searchMessage).toContainText('Enter a block height');
  await explorer.search('ab'.repeat(32));
  await expect(explorer.searchMessage).toContainText('Nothing on this node has the hash abababababab');
  await explorer.search(String(BLOCKS + 1));
  await expect(explorer.searchMessage).toContainText(`the chain goes from 1 to ${BLOCKS.toLocaleString('en-GB')}`);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core finds no serious or critical violation in the Explorer over the long chain (${colorScheme})`, async ({ page, chain }) => {
    await page.emulateMedia({ colorScheme });
    const explorer = new ExplorerPage(page);
    await explorer.open(chain.node.consoleUrl);
    await explorer.search(chain.manifest.sampleTransaction.hash);
    await expect(explorer.detail.getByTestId('tx-status')).toBeVisible();
    await explorer.detail.getByTestId('tx-open-block').click();
    await expect(explorer.detail.getByTestId('certificate')).toBeVisible();
    await expectNoSeriousViolations(page, `the Explorer with a block open (${colorScheme})`);
    // With the list focused and its active row drawn as focused.
    await explorer.list.focus();
    await page.keyboard.press('ArrowDown');
    await expectNoSeriousViolations(page, `the Explorer's list with keyboard focus (${colorScheme})`);
    await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-${colorScheme}.png`);
  });
}
