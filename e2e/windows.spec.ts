/**
 * Every window, opened in Chromium as a person would from the browser console of a real headless demo node:
 * the launcher, each window's route, each window's own page (as Electron loads it), light and dark.
 * Screenshots go to e2e/screenshots/ (look at them). With UPDATE_DOCS_SCREENSHOTS=1 the launcher's also goes to
 * docs/screenshots/ for the README (a plain test run leaves the working tree clean).
 */
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { LauncherPage } from './pages/LauncherPage';
import { OPENABLE_ROLES, WINDOW_TITLES, WindowPage, type WindowRole } from './pages/WindowPage';

const NETWORK_NAME = 'Civichain Demo';
const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const README_SCREENSHOTS_DIR = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

/** What each window shows beyond its title and status bar, checked before its screenshot. */
async function expectWindowContent(page: Page, role: Exclude<WindowRole, 'launcher'>): Promise<void> {
  switch (role) {
    case 'network': {
      const identity = page.getByTestId('network-identity');
      await expect(identity.getByTestId('network-node-key')).toHaveText(/^[0-9a-f]{64}$/);
      await expect(identity.getByTestId('network-genesis-hash')).toHaveText(/^[0-9a-f]{64}$/);
      await expect(identity.getByTestId('network-chain-id')).toHaveText('civichain-demo-1');
      await expect(identity.getByTestId('network-data-dir')).not.toBeEmpty();
      return;
    }
    case 'explorer': {
      await expect(page.getByTestId('explorer-height')).toHaveText(/^\d[\d,]*$/);
      await expect(page.getByTestId('explorer-final-height')).toHaveText(/^\d[\d,]*$/);
      await expect(page.getByRole('searchbox', { name: /Block height, block hash/ })).toBeVisible();
      await expect(page.getByTestId('mempool')).toContainText('waiting');
      return;
    }
    case 'government': {
      // Built (e2e/government.spec.ts): the demo node reviews, so the desk opens on its application queue.
      await expect(page.getByTestId('section-applications')).toHaveAttribute('aria-current', 'page');
      await expect(page.getByTestId('application-queue')).toBeVisible();
      await expect(page.getByTestId('keyboard-shortcuts')).toBeVisible();
      return;
    }
    case 'operator': {
      // The Operator desk is built: the operators this node holds, and the form for a payment request.
      await expect(page.getByRole('group', { name: 'Acting as' }).getByRole('radio', { name: /^Octopus\b/ })).toBeChecked();
      await expect(page.getByTestId('request-form')).toBeVisible();
      return;
    }
    case 'wallet': {
      // The Wallet is built: it opens on choosing an identity or creating one.
      await expect(page.getByTestId('open-wallet').getByLabel('Resident identity')).toBeVisible();
      await expect(page.getByTestId('create-identity')).toBeVisible();
      return;
    }
    case 'validator': {
      await expect(page.getByTestId('identity-row').first()).toBeVisible();
      // The Validator desk is built: its approval switch and (on a fresh node) its empty queue.
      if (role === 'validator') await expect(page.getByRole('switch', { name: 'Wait for me to approve each block' })).toBeEnabled();
      await expect(page.getByTestId(role === 'validator' ? 'queue-empty' : 'empty-state')).toBeVisible();
      return;
    }
    case 'election': {
      await expect(page.getByTestId('election-list')).toContainText('Demo General Election 2026');
      await expect(page.getByTestId('check-in')).toBeVisible();
      return;
    }
    case 'booth': {
      await expect(page.getByTestId('booth-start').getByRole('button', { name: /Vote/ })).toBeEnabled();
      return;
    }
  }
}

test.describe('launcher', () => {
  test('shows a card per window, the node it runs on and a live status bar', async ({ page, node }) => {
    const launcher = new LauncherPage(page);
    await launcher.open(node.consoleUrl);

    await launcher.statusBar.expectLive(NETWORK_NAME);
    await expect(launcher.statusBar.demoBadge).toBeVisible();
    await expect(launcher.demoNotice).toBeVisible();
    await expect(launcher.nodeSummary.getByTestId('node-network')).toHaveText(NETWORK_NAME);
    await expect(launcher.nodeSummary.getByTestId('node-chain-id')).toHaveText('civichain-demo-1');
    await expect(launcher.nodeSummary.getByTestId('node-data-dir')).toHaveText(node.dataDir);
    await expect(launcher.nodeSummary.getByTestId('node-fingerprint')).toHaveText(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    for (const role of OPENABLE_ROLES) await expect(launcher.openButton(WINDOW_TITLES[role])).toBeVisible();

    await launcher.screenshot(`${SCREENSHOTS_DIR}launcher.png`);
    if (process.env['UPDATE_DOCS_SCREENSHOTS'] === '1') await launcher.screenshot(`${README_SCREENSHOTS_DIR}launcher.png`);
  });

  for (const role of OPENABLE_ROLES) {
    test(`opens the ${WINDOW_TITLES[role]} with Tab and Enter`, async ({ page, node }) => {
      const launcher = new LauncherPage(page);
      await launcher.open(node.consoleUrl);

      await launcher.openWithKeyboard(WINDOW_TITLES[role]);

      await expect(page).toHaveURL(new RegExp(`#/${role}$`));
      await expect(launcher.heading).toHaveText(WINDOW_TITLES[role]);
      // Focus follows the route change to the new window's title, as after a page load.
      await expect(launcher.heading).toBeFocused();
      await launcher.backToLauncher.click();
      await expect(launcher.heading).toHaveText('Choose a window');
    });
  }

  test('opens a window with a click anywhere on its card', async ({ page, node }) => {
    const launcher = new LauncherPage(page);
    await launcher.open(node.consoleUrl);
    // The centre of the card is its text, not the button: the whole card is the target.
    await launcher.roleCard('explorer').click();
    await expect(page).toHaveURL(/#\/explorer$/);
  });
});

test.describe('every window in the browser console', () => {
  for (const role of OPENABLE_ROLES) {
    test(`${WINDOW_TITLES[role]} shows what it is for and a live status bar`, async ({ page, node }) => {
      const window = new WindowPage(page);
      await window.openInConsole(node.consoleUrl, role);

      await expect(window.heading).toHaveText(WINDOW_TITLES[role]);
      await expect(page).toHaveTitle(`${WINDOW_TITLES[role]} — Civichain`);
      await window.statusBar.expectLive(NETWORK_NAME);
      await expectWindowContent(page, role);
      await expect(window.backToLauncher).toBeVisible();

      await window.screenshot(`${SCREENSHOTS_DIR}${role}.png`);
    });
  }
});

test.describe('every window as its own page (as Electron opens it)', () => {
  for (const role of ['launcher', ...OPENABLE_ROLES] as const) {
    test(`windows/${role}.html shows the same view, without navigation`, async ({ page, node }) => {
      const window = new WindowPage(page);
      await window.openAsWindow(node.consoleUrl, role);

      await expect(window.heading).toHaveText(role === 'launcher' ? 'Choose a window' : WINDOW_TITLES[role]);
      await window.statusBar.expectLive(NETWORK_NAME);
      await expect(window.backToLauncher).toHaveCount(0);
    });
  }
});

test('a window page opened in a browser opens other windows as their own pages', async ({ page, node }) => {
  const launcher = new LauncherPage(page);
  await launcher.openAsWindow(node.consoleUrl, 'launcher');
  await expect(launcher.heading).toHaveText('Choose a window');

  await launcher.openButton('Wallet').click();

  await expect(page).toHaveURL(/\/windows\/wallet\.html$/);
  await expect(launcher.heading).toHaveText('Wallet');
  // The API token came along in this tab's session, so the new page is connected too.
  await launcher.statusBar.expectLive(NETWORK_NAME);
});

test('data-theme on <html> overrides the system theme both ways', async ({ page, node }) => {
  const window = new WindowPage(page);
  const pageBackground = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  await window.openInConsole(node.consoleUrl, 'launcher');
  await expect.poll(pageBackground).toBe('rgb(14, 19, 24)');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
  await expect.poll(pageBackground).toBe('rgb(243, 242, 241)');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await expect.poll(pageBackground).toBe('rgb(14, 19, 24)');
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });

  for (const role of ['launcher', 'network', 'wallet', 'booth'] as const) {
    test(`${role} follows the system's dark theme`, async ({ page, node }) => {
      const window = new WindowPage(page);
      await window.openInConsole(node.consoleUrl, role);
      await window.statusBar.expectLive(NETWORK_NAME);
      if (role !== 'launcher') await expectWindowContent(page, role);
      const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      expect(background).toBe('rgb(14, 19, 24)');
      await window.screenshot(`${SCREENSHOTS_DIR}${role}-dark.png`);
    });
  }
});
