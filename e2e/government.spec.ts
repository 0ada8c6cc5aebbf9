/**
 * The Government desk (issue 6, item 3), in Chromium on a real headless demo node, which holds the demo's
 * reviewer key, the reviewers' secrets and the authority key. Applicants are made as a Wallet makes them,
 * through the node's API (a resident identity, then an application sealed to the reviewers); everything the
 * staff do is done in the window: read the opened details, approve from the keyboard while the decision
 * becomes final, see a second application with the same HKID (under another key, written another way)
 * flagged before approval and its approval refused, deny with a required reason, watch the dashboard count,
 * register and suspend an operator, confirm a settlement claim, move through a long queue drawn a page at a time. A node that cannot review says so (its
 * answer rewritten on the way: every demo node holds the demo reviewer key). Each step is a screenshot in e2e/screenshots/government-*.png; axe checks light and dark.
 */
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { VoucherProgrammeSummary } from '../preload/contract';
import { expect, test as base } from './fixtures';
import { GovernmentDeskPage } from './pages/GovernmentDeskPage';
import { focusIndicator, tabTo } from './pages/ValidatorDeskPage';
import { startHeadlessNode } from './fixtures/headlessNode';
import { apply, freshHkid, PASSPHRASE, PROGRAMME, uniqueName } from './support/applicants';
import { expectNoSeriousViolations } from './support/axe';
import { connectNodeApi, type NodeApi } from './support/nodeApi';
import { signedApplications } from './support/signedNote';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

function shot(name: string): string {
  return `${SCREENSHOTS_DIR}government-${name}.png`;
}

const test = base.extend<{ api: NodeApi }>({
  api: async ({ node }, use) => {
    const api = await connectNodeApi(node.consoleUrl);
    try {
      await use(api);
    } finally {
      api.close();
    }
  },
});

/** axe-core on the screen as it is now, once nothing is loading. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await expectNoSeriousViolations(page, what);
}

/** A key fingerprint as the desk writes it: the first 16 hex digits in groups of four. */
function fingerprint(hex: string): string {
  return (hex.slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}

/** "HK$5,000.00" → 500000 */
function cents(text: string): number {
  const match = /HK\$([\d,]+)\.(\d{2})/.exec(text);
  expect(match, `an amount of money: "${text}"`).not.toBeNull();
  return Number(match![1]!.replaceAll(',', '')) * 100 + Number(match![2]);
}

/**
 * Holds the node's answers to one method, and its voucher.changed events, until released, so that the test
 * can see what the desk shows while a decision becomes final (on an idle demo node that can take less time
 * than an assertion). The page's WebSocket to the node goes through Playwright, which forwards every other
 * message as it comes.
 */
async function holdAnswers(page: Page, method: string): Promise<() => void> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    const held = new Set<unknown>();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message)) as { id?: unknown; method?: string };
      if (call.method === method) held.add(call.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { id?: unknown; params?: { event?: string } };
      const hold = (answer.id !== undefined && held.has(answer.id)) || answer.params?.event === 'voucher.changed';
      if (hold) void released.then(() => ws.send(message));
      else ws.send(message);
    });
  });
  return release;
}

/** The dashboard's approved count and money issued, as its charts say them. */
async function dashboardFigures(desk: GovernmentDeskPage): Promise<{ approved: number; issuedCents: number }> {
  await desk.showSection('dashboard');
  const approved = Number((await desk.chartValue('chart-applicants', 'approved').innerText()).replaceAll(',', ''));
  const issuedCents = cents(await desk.chartValue('chart-money', 'issued').innerText());
  return { approved, issuedCents };
}

test('a reviewer reads the opened details, approves from the keyboard while it becomes final, and the dashboard counts it', async ({ page, node, api }) => {
  test.setTimeout(60_000);
  const hkid = freshHkid('Z');
  const name = uniqueName('Chan Tai Man');
  const chan = await apply(api, { name, hkid: hkid.printed, dateOfBirth: '1980-01-01' });

  const release = await holdAnswers(page, 'voucher.decide');
  const desk = new GovernmentDeskPage(page);
  await desk.open(node.consoleUrl);
  await desk.statusBar.expectLive('Civichain Demo');
  const before = await dashboardFigures(desk);
  await desk.showSection('applications');
  await expect(desk.shortcuts).toContainText('approve');
  await expect(desk.shortcuts).toContainText('deny with a reason');

  // The queue shows what the node opened: name, HKID, when, and the applicant's key.
  await desk.showApplication(name, name);
  const row = desk.row(name);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(hkid.printed);
  await expect(row).toContainText('Pending');
  await expect(row).toContainText(fingerprint(chan.identity.publicKey));
  await expect(row.getByTestId('duplicate-flag')).toHaveCount(0);
  await expect(desk.detailValue('detail-name')).toHaveText(name);
  await expect(desk.detailValue('detail-hkid')).toHaveText(hkid.printed);
  await expect(desk.detailValue('detail-dob')).toHaveText('1 Jan 1980');
  await expect(desk.detailValue('detail-age')).toHaveText(`${new Date().getUTCFullYear() - 1980} years`);
  await expect(desk.detailValue('detail-residency')).toHaveText('Permanent resident');
  await expect(desk.detailValue('detail-applicant')).toContainText(chan.identity.publicKey);
  await expect(desk.detail.getByTestId('eligibility')).toContainText('Aged 18 or over: yes');
  await expect(desk.detail.getByTestId('eligibility')).toContainText('Permanent resident or new arrival: yes');

  // Search finds it by the HKID written another way, and by the key's fingerprint.
  await desk.search.fill(`${hkid.prefix.toLowerCase()} ${hkid.digits} ${hkid.check}`);
  await expect(desk.rows).toHaveCount(1);
  await desk.search.fill(fingerprint(chan.identity.publicKey));
  await expect(desk.rows).toHaveCount(1);
  await expect(desk.detailHeading).toHaveText(name);
  await expectAccessible(page, 'the queue with an application shown');
  await desk.screenshot(shot('01-queue'));

  // a approves the shown application; the desk says it waits, in seconds, until the node answers.
  await desk.row(name).focus();
  await desk.press('a');
  await expect(desk.waiting).toContainText(`Approving ${name}: waiting for the decision to become final`);
  await expect(desk.waiting.getByTestId('waiting-seconds'), 'the seconds count up while it waits').toHaveText(/^[1-9]\d* s$/);
  await expect(desk.approveButton).toBeDisabled();
  await desk.screenshot(shot('02-approving'));
  release();
  await expect(desk.decisionDone).toContainText(`${name} is approved: vouchers issued. Final in block`);
  await expect(desk.rows, 'it has left the pending applications').toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Applications', level: 2 }), 'focus did not fall to the page').toBeFocused();
  await desk.filter('approved');
  await expect(desk.row(name)).toContainText('Approved');
  await expect(desk.detail).toContainText('Approved: the vouchers were issued');
  await desk.screenshot(shot('03-approved'));

  // The dashboard counts one more approved applicant and HK$5,000 more issued.
  await expect.poll(async () => dashboardFigures(desk)).toEqual({ approved: before.approved + 1, issuedCents: before.issuedCents + 500_000 });
  await expect(desk.dashboard.getByTestId('instalment')).toHaveCount(2);
  await expect(desk.dashboard.getByTestId('instalments')).toContainText('HK$2,000.00');
  await expect(desk.dashboard.getByTestId('instalments')).toContainText('1 Jul 2030');
  await expect(desk.dashboard.getByTestId('instalments')).toContainText('HK$3,000.00');
  await expect(desk.dashboard.getByTestId('instalments')).toContainText('1 Jan 2031');
  await expectAccessible(page, 'the dashboard');
  await desk.screenshot(shot('04-dashboard'));
});

test('the same HKID under another key, written another way, is flagged before approval, its approval refused, and it is denied with a reason', async ({ page, node, api }) => {
  test.setTimeout(60_000);
  const hkid = freshHkid('Y');
  const firstName = uniqueName('Wong Siu Ming');
  const secondName = uniqueName('Wong Siu-ming');
  await apply(api, { name: firstName, hkid: hkid.printed });
  const second = await apply(api, { name: secondName, hkid: `${hkid.prefix.toLowerCase()} ${hkid.digits} (${hkid.check.toLowerCase()})` });

  const desk = new GovernmentDeskPage(page);
  await desk.open(node.consoleUrl);
  await expect(desk.queue).toBeVisible();
  await desk.press('/');
  await expect(desk.search, '/ goes to the search').toBeFocused();
  await desk.search.fill(hkid.digits);
  await expect(desk.rows).toHaveCount(2);
  // Flagged before anyone approves: each is the other's likely duplicate.
  await expect(desk.row(firstName).getByTestId('duplicate-flag')).toHaveText(/Possible duplicate: same HKID as 1 pending/);
  await expect(desk.row(secondName).getByTestId('duplicate-flag')).toHaveText(/Possible duplicate: same HKID as 1 pending/);
  // From the keyboard alone: Tab from the search to the first application, then j and k.
  await tabTo(page, desk.row(firstName));
  expect((await focusIndicator(desk.row(firstName))).outline, 'the focused row shows a focus ring').toMatch(/^solid [1-9]/);
  await desk.press('j');
  await expect(desk.detailHeading).toHaveText(secondName);
  await expect(desk.row(secondName)).toHaveAttribute('aria-current', 'true');
  await expect(desk.row(secondName), 'the focus follows the shown application').toBeFocused();
  await desk.press('k');
  await expect(desk.detailHeading).toHaveText(firstName);
  await expect(desk.row(firstName)).toBeFocused();
  await expect(desk.detail.getByTestId('duplicate-warning')).toContainText('Approve one of them only');
  await desk.screenshot(shot('05-duplicates-pending'));

  await desk.approveButton.click();
  await expect(desk.decisionDone).toContainText(`${firstName} is approved`);
  await expect(desk.rows).toHaveCount(1);
  await expect(desk.detailHeading).toHaveText(secondName);
  await expect(desk.detailHeading, 'the next application took the focus').toBeFocused();
  await expect(desk.row(secondName).getByTestId('duplicate-flag')).toHaveText(/same HKID as 1 approved/);
  const warning = desk.detail.getByTestId('duplicate-warning');
  await expect(warning).toContainText('This person is already approved');
  await expect(desk.denyButton, 'deny is the suggested decision').not.toHaveClass(/button--secondary/);
  await expect(desk.approveButton).toHaveClass(/button--secondary/);
  await expect(warning.getByTestId('show-duplicate')).toHaveText(/Show approved application/);
  await desk.screenshot(shot('06-duplicate-flagged'));

  // The node refuses a second approval for the same person, and the desk says so plainly.
  await desk.press('a');
  const refusal = desk.detail.getByTestId('error-notice');
  await expect(refusal).toHaveAttribute('data-code', 'VOUCHER_IDENTITY_APPROVED');
  await expect(refusal).toContainText('Refused: this person is already approved');
  await expect(refusal).toContainText('already approved');
  await expect(refusal).toContainText('Deny this application');
  await expect(desk.row(secondName)).toContainText('Pending');
  await expectAccessible(page, 'a refused approval with its duplicate flagged');
  await desk.screenshot(shot('07-duplicate-refused'));

  // d opens the denial; a reason is required.
  await desk.press('d');
  await expect(desk.denyDialog).toBeVisible();
  await expect(desk.denyReason).toBeFocused();
  await desk.denyConfirm.click();
  await expect(desk.denyProblem).toHaveText('Give a reason: the resident will read it.');
  await expect(desk.denyReason).toHaveAttribute('aria-invalid', 'true');
  await expect(desk.denyDialog).toBeVisible();
  const reason = 'This HKID was already approved under another application: one grant per person.';
  await desk.denyReason.fill(reason);
  await expectAccessible(page, 'the deny dialog');
  await page.screenshot({ path: shot('08-deny-dialog') });
  await desk.denyConfirm.click();
  await expect(desk.denyDialog).toBeHidden();
  await expect(desk.decisionDone).toContainText(`${secondName} is denied`);
  await expect(desk.rows).toHaveCount(0);

  await desk.filter('denied');
  await expect(desk.row(secondName)).toContainText('Denied');
  await expect(desk.detail.getByTestId('denial-reason')).toHaveText(`Denied: “${reason}”`);
  await expect(desk.detail.getByTestId('duplicate-warning'), 'no advice once decided').not.toContainText('deny this application');
  // The resident reads the reason (the Wallet asks the same method).
  await expect(api.call('voucher.application', { programme: PROGRAMME, resident: second.identity.id })).resolves.toMatchObject({ status: 'denied', reason });
  await desk.screenshot(shot('09-denied'));
});

test('the authority registers a new payment operator by its key and name, and suspends it after a confirmation', async ({ page, node, api }) => {
  test.setTimeout(60_000);
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const key = Buffer.from(jwk.x ?? '', 'base64url').toString('hex');
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  const name = uniqueName('Tap & Go');

  const desk = new GovernmentDeskPage(page);
  await desk.open(node.consoleUrl);
  await desk.showSection('operators');
  await expect(desk.operatorRow('Octopus')).toContainText('Active');

  const keyField = desk.operators.getByLabel('Public key (64 hexadecimal digits)');
  const nameField = desk.operators.getByLabel('Name', { exact: true });
  const registerButton = desk.operators.getByRole('button', { name: 'Register operator' });
  await keyField.fill('0x1234');
  await nameField.fill(name);
  await registerButton.click();
  await expect(desk.operators.locator('#operator-key-problem')).toHaveText(/64 hexadecimal digits/);
  await expect(keyField).toHaveAttribute('aria-invalid', 'true');
  await expect(keyField).toBeFocused();

  await keyField.fill(key.toUpperCase());
  await registerButton.click();
  await expect(desk.operators.getByTestId('operator-done')).toContainText(`${name} is registered`);
  const row = desk.operatorRow(name);
  await expect(row).toContainText('Active');
  await expect(row).toContainText(fingerprint(key));
  await expect(keyField).toHaveValue('');
  await expectAccessible(page, 'the operators');
  await desk.screenshot(shot('10-operator-registered'));

  await row.getByRole('button', { name: `Suspend… ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Suspend ${name}?` });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'the suspend dialog');
  await page.screenshot({ path: shot('11-suspend-dialog') });
  await dialog.getByRole('button', { name: 'Suspend operator' }).click();
  await expect(dialog).toBeHidden();
  await expect(desk.operators.getByTestId('operator-done')).toContainText(`${name} is suspended`);
  await expect(row).toContainText('Suspended');
  await expect(row.getByRole('button', { name: `Reinstate… ${name}` })).toBeVisible();
  const onLedger = (await api.call('voucher.programme', { programme: PROGRAMME })).operators.find((o) => o.publicKey === key);
  expect(onLedger).toMatchObject({ name, status: 'suspended' });
  await desk.screenshot(shot('12-operator-suspended'));
});

test('a settlement claim from Octopus waits for confirmation, the authority confirms it, and the dashboard shows the operator', async ({ page, node, api }) => {
  test.setTimeout(90_000);
  // A resident approved (the desk's approval is tested above), who pays HK$87.30 at Octopus, which accepts and claims.
  const resident = await apply(api, { name: uniqueName('Lee Ka Yan'), hkid: freshHkid('X').printed });
  await api.call('voucher.decide', { programme: PROGRAMME, application: resident.application, decision: 'approve' });
  const request = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-octopus', amountCents: 8_730, reference: 'e2e settlement' });
  const paid = await api.call('voucher.pay', { programme: PROGRAMME, resident: resident.identity.id, passphrase: PASSPHRASE, code: request.code });
  await api.call('voucher.accept', { programme: PROGRAMME, redemption: paid.redemption });
  const claim = await api.call('voucher.settle', { programme: PROGRAMME, operator: 'operator-octopus', redemptions: [paid.redemption] });

  const desk = new GovernmentDeskPage(page);
  await desk.open(node.consoleUrl);
  await expect(page.getByTestId('section-settlement')).toContainText('to confirm');
  await desk.showSection('settlement');
  const row = desk.settlement.getByTestId('claim-row').filter({ hasText: claim.txHash.slice(0, 8) });
  await expect(row).toContainText('Octopus');
  await expect(row.getByTestId('claim-total')).toHaveText('HK$87.30');
  await expectAccessible(page, 'the settlement claims');
  await desk.screenshot(shot('13-settlement'));

  await row.getByRole('button', { name: /^Confirm…/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm the claim of Octopus?' });
  await expect(dialog).toContainText('HK$87.30 for 1 payment');
  await dialog.getByRole('button', { name: 'Confirm claim' }).click();
  await expect(desk.settlement.getByTestId('settlement-done')).toContainText('The claim of Octopus is confirmed');
  await expect(row).toHaveCount(0);
  // The sum the node counted from the confirmed claims, this one among them.
  const { settled: counted } = await api.call('voucher.claims', { programme: PROGRAMME });
  expect(counted.totalCents).toBeGreaterThanOrEqual(8_730);
  await expect(desk.settlement.getByTestId('settled-total')).toContainText(
    `Settled so far: ${counted.redemptions} payment${counted.redemptions === 1 ? '' : 's'} in ${counted.claims} claim${counted.claims === 1 ? '' : 's'}, HK$${(counted.totalCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}.`,
  );
  const [settled] = (await api.call('voucher.redemptions', { programme: PROGRAMME, operator: 'operator-octopus' })).redemptions.filter((r) => r.id === paid.redemption);
  expect(settled).toMatchObject({ status: 'settled', claim: claim.txHash });

  await desk.showSection('dashboard');
  const octopus = desk.dashboard.getByTestId('dashboard-operator').filter({ hasText: 'Octopus' });
  await expect(octopus.getByTestId('operator-redemptions')).not.toHaveText('0');
  expect(cents(await octopus.getByTestId('operator-redeemed').innerText())).toBeGreaterThanOrEqual(8_730);
  await desk.screenshot(shot('14-dashboard-operators'));
});

/**
 * Rewrites the node's answers to one method as they reach the page: every demo node holds the demo reviewer
 * key and the reviewers' secrets, so a node that cannot review is shown by answering as one would.
 */
async function alterAnswers(page: Page, method: string, alter: (result: Record<string, unknown>) => unknown): Promise<void> {
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    const calls = new Set<unknown>();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message)) as { id?: unknown; method?: string };
      if (call.method === method) calls.add(call.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { id?: unknown; result?: Record<string, unknown> };
      if (answer.id !== undefined && calls.has(answer.id) && answer.result) ws.send(JSON.stringify({ ...answer, result: alter(answer.result) }));
      else ws.send(message);
    });
  });
}

test('a long queue is drawn a page at a time: the next page by its button, or by j past the last one drawn', async ({ page }) => {
  test.setTimeout(60_000);
  // A node of its own: the worker's node keeps the short queue the other tests read.
  const own = await startHeadlessNode();
  const ownApi = await connectNodeApi(own.consoleUrl);
  try {
    const made = 65;
    const PAGE = 50; // QUEUE_PAGE (renderer/stores/governmentDesk.ts)
    // Residents' applications, signed and sealed beside the test (no keystore), handed in at once.
    const applications = await signedApplications('civichain-demo-1', made, 'Queue Applicant', 'Q');
    await Promise.all(applications.map((tx) => ownApi.call('tx.submit', { transaction: { ...tx } })));
    const queued = async () => (await ownApi.call('voucher.queue', { programme: PROGRAMME, status: 'pending' })).applications.length;
    await expect.poll(queued, { message: 'the applications are final and in the queue', timeout: 30_000 }).toBe(made);
    const desk = new GovernmentDeskPage(page);
    await desk.open(own.consoleUrl);
    const pending = Number((await desk.queue.getByTestId('filter-pending').innerText()).replace(/\D/g, ''));
    expect(pending).toBeGreaterThanOrEqual(made);
    await expect(desk.rows).toHaveCount(PAGE);
    const more = page.getByTestId('queue-more');
    const listed = page.getByTestId('queue-more-count');
    await expect(listed).toHaveText(`${PAGE} of ${pending} listed`);
    await expect(more).toHaveText(`Show ${Math.min(PAGE, pending - PAGE)} more`);
    await desk.screenshot(shot('26-long-queue'));
    await more.click();
    await expect(desk.rows).toHaveCount(Math.min(2 * PAGE, pending));
    await expect(desk.rows.nth(PAGE)).toBeVisible();

    // Another filter starts from the top; j from the first application to one past the last drawn draws the next page.
    await desk.filter('all');
    await expect(desk.rows).toHaveCount(PAGE);
    await desk.rows.first().click();
    for (let i = 0; i < PAGE; i++) await desk.press('j');
    await expect(desk.rows).toHaveCount(Math.min(2 * PAGE, pending));
    await expect(desk.rows.nth(PAGE)).toHaveAttribute('aria-current', 'true');
    await expect(desk.rows.nth(PAGE)).toBeInViewport();
    await expectAccessible(page, 'a long queue, drawn a page at a time');
  } finally {
    // The window leaves first: on a stopped node it would try to reconnect and log the refusal.
    await page.goto('about:blank');
    ownApi.close();
    await own.stop();
  }
});

test('a node that cannot review says so plainly and shows the dashboard only', async ({ page, node }) => {
  await alterAnswers(page, 'voucher.programmes', (result) => ({
    programmes: (result['programmes'] as VoucherProgrammeSummary[]).map((p) => ({ ...p, office: { canReview: false, canAuthorise: false, operators: [] } })),
  }));
  const desk = new GovernmentDeskPage(page);
  await desk.open(node.consoleUrl);
  await expect(desk.cannotReview).toContainText('This node cannot review applications');
  await expect(desk.cannotReview).toContainText('Review applications on a government node');
  await expect(desk.dashboard).toBeVisible();
  await expect(desk.dashboard.getByTestId('instalment')).toHaveCount(2);
  await expect(desk.queue).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Government desk sections' })).toHaveCount(0);
  await expectAccessible(page, 'the desk of a node that cannot review');
  await desk.screenshot(shot('15-cannot-review'));
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('the queue with a flagged duplicate, the dashboard, the operators and settlement read well in the dark theme', async ({ page, node, api }) => {
    test.setTimeout(60_000);
    const hkid = freshHkid('W');
    const name = uniqueName('Ho Ka Wai');
    await apply(api, { name, hkid: hkid.printed, residency: 'new-arrival' });
    await apply(api, { name: uniqueName('Ho Ka-wai'), hkid: `${hkid.prefix}${hkid.digits}${hkid.check}` });

    const desk = new GovernmentDeskPage(page);
    await desk.open(node.consoleUrl);
    await desk.showApplication(hkid.digits, name);
    await expect(desk.detail.getByTestId('duplicate-warning')).toBeVisible();
    await expect(desk.detailValue('detail-residency')).toHaveText('New arrival');
    await expectAccessible(page, 'the queue, dark');
    await desk.screenshot(shot('21-dark-queue'));
    await desk.press('d');
    await expect(desk.denyDialog).toBeVisible();
    await desk.denyConfirm.click();
    await expect(desk.denyProblem).toBeVisible();
    await expectAccessible(page, 'the deny dialog, dark');
    await page.screenshot({ path: shot('22-dark-deny-dialog') });
    await page.keyboard.press('Escape');
    await expect(desk.denyDialog).toBeHidden();

    for (const section of ['dashboard', 'operators', 'settlement'] as const) {
      await desk.showSection(section);
      await expectAccessible(page, `the ${section}, dark`);
      await desk.screenshot(shot(`2${['dashboard', 'operators', 'settlement'].indexOf(section) + 3}-dark-${section}`));
    }
  });
});
