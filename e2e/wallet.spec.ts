/**
 * The Wallet (issue 6, item 2) in Chromium on a real headless demo node: a resident creates an identity,
 * applies (a malformed HKID is refused beside its field and nothing is sent), is approved by a reviewer (through
 * the API, as the Government desk would), sees HK$5,000 in two instalments, pays HK$120.50 at Octopus with a
 * code typed by a barcode scanner (code + Enter), and sees the balance and history follow the operator's
 * acceptance. Then what a resident must be told plainly: a code already paid, too little balance, an operator
 * suspended between looking and paying, a wrong passphrase, a denial with its reason. Light and dark, axe on
 * every screen, a screenshot of each step in e2e/screenshots/wallet-*.png.
 *
 * The node is shared by every spec of the worker: each test makes its own identity and HKID, and never
 * assumes a fresh state.
 */
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test as base } from './fixtures';
import { WalletPage, type ApplicantDetails } from './pages/WalletPage';
import { connectNodeApi, type NodeApi } from './support/nodeApi';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PROGRAMME = 'hk-consumption-2026';
const PASSPHRASE = 'harbour lights 2026';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

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

function shot(name: string): string {
  return `${SCREENSHOTS_DIR}wallet-${name}.png`;
}

/** axe-core on the screen as it is now: no violation of WCAG 2.2 A/AA at all, whatever its impact. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  expect(results.passes.length, 'axe ran its rules on the page').toBeGreaterThan(10);
  const violations = results.violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(violations, `axe-core: ${what}`).toEqual([]);
}

/** A name no other test on this node uses. */
function uniqueName(first: string): string {
  return `${first} ${Math.random().toString(36).slice(2, 7).toUpperCase()}`;
}

/**
 * An HKID nobody on this node has used, with a right check digit: the check digit is found by asking the
 * node's own rules (voucher.checkDetails), so the test holds no copy of them either.
 */
async function freshHkid(api: NodeApi): Promise<string> {
  const letter = String.fromCharCode(65 + Math.floor(Math.random() * 26));
  const digits = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
  for (const check of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A']) {
    const hkid = `${letter}${digits}(${check})`;
    const { problems } = await api.call('voucher.checkDetails', { programme: PROGRAMME, details: { hkid, name: 'x', dateOfBirth: '1980-01-01', residency: 'permanent' } });
    if (problems.length === 0) return hkid;
  }
  throw new TypeError(`No check digit makes ${letter}${digits} valid`);
}

/** The same HKID with a wrong check digit. */
function wrongCheckDigit(hkid: string): string {
  return hkid.replace(/\((.)\)$/, (_, digit: string) => `(${digit === '1' ? '2' : '1'})`);
}

async function publicKeyOf(api: NodeApi, label: string): Promise<string> {
  const { identities } = await api.call('keystore.list', { role: 'resident' });
  const found = identities.find((identity) => identity.label === label);
  if (!found) throw new TypeError(`No resident identity "${label}"`);
  return found.publicKey;
}

/** A reviewer's decision, as the Government desk makes it. */
async function decide(api: NodeApi, applicant: string, decision: 'approve' | 'deny', reason?: string): Promise<void> {
  const { applications } = await api.call('voucher.queue', { programme: PROGRAMME, status: 'pending' });
  const application = applications.find((item) => item.applicant === applicant);
  if (!application) throw new TypeError(`No pending application from ${applicant}`);
  await api.call('voucher.decide', { programme: PROGRAMME, application: application.application, decision, ...(reason ? { reason } : {}) });
}

/**
 * Holds the node's answers to the given methods until released, so that a test can see what the wallet shows
 * while a transaction becomes final (on an idle demo node that can take less time than an assertion). The
 * page's WebSocket to the node goes through Playwright, which forwards every other message as it comes.
 */
async function holdAnswers(page: Page, methods: readonly string[]): Promise<(method: string) => void> {
  const releases = new Map<string, () => void>();
  const released = new Map(methods.map((method) => [method, new Promise<void>((resolve) => releases.set(method, resolve))]));
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    const held = new Map<unknown, Promise<void>>();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message)) as { id?: unknown; method?: string };
      const until = call.method ? released.get(call.method) : undefined;
      if (until) held.set(call.id, until);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { id?: unknown };
      const until = answer.id !== undefined ? held.get(answer.id) : undefined;
      if (until) void until.then(() => ws.send(message));
      else ws.send(message);
    });
  });
  return (method) => releases.get(method)?.();
}

test.describe('a resident’s wallet', () => {
  test('creates an identity, applies, is approved, sees HK$5,000 in two instalments, pays HK$120.50 at Octopus by scanning, and sees balance and history follow', async ({
    page,
    node,
    api,
  }) => {
    test.setTimeout(120_000);
    const wallet = new WalletPage(page);
    await wallet.open(node.consoleUrl);
    await wallet.statusBar.expectLive('Civichain Demo');
    await expect(page.getByTestId('demo-notice')).toBeVisible();
    await expect(page.getByTestId('demo-passphrase')).toContainText('civichain-demo');
    await expectAccessible(page, 'the closed wallet');
    await wallet.screenshot(shot('01-open-or-create'));

    // A new identity: the passphrase typed twice, and a mismatch said beside the field.
    const name = uniqueName('Ho Wing');
    await wallet.fillNewIdentity(name, PASSPHRASE, 'harbour lights 2025');
    await expect(wallet.createForm.getByText('The two passphrases are not the same')).toBeVisible();
    await expect(wallet.createForm.getByLabel('Passphrase again')).toBeFocused();
    await expect(wallet.createForm.getByLabel('Passphrase again')).toHaveAttribute('aria-invalid', 'true');
    await wallet.screenshot(shot('02-create-mismatch'));
    await wallet.createIdentity(name, PASSPHRASE);
    await expect(page.getByTestId('wallet-owner-name')).toBeFocused();
    await expect(wallet.applicationStatus.getByTestId('application-status-label')).toHaveText('Not applied yet');
    await expect(page.getByTestId('apply-privacy')).toContainText('never readable details');
    const publicKey = await publicKeyOf(api, name);

    // A malformed HKID (a wrong check digit): said beside the field in the node's words; nothing is sent.
    const hkid = await freshHkid(api);
    await wallet.fillApplication({ hkid: wrongCheckDigit(hkid), name, dateOfBirth: '1985-03-14', residency: 'Permanent resident' });
    await wallet.submitApplication();
    await expect(wallet.fieldError('hkid')).toContainText('The check digit of HKID');
    await expect(wallet.applyForm.getByLabel('HKID number')).toHaveAttribute('aria-invalid', 'true');
    await expect(wallet.applyForm.getByLabel('HKID number')).toBeFocused();
    await expect(wallet.fieldError('dateOfBirth')).toHaveCount(0);
    expect((await api.call('voucher.application', { programme: PROGRAMME, resident: publicKey })).status).toBe('none');
    await expectAccessible(page, 'the application with a bad HKID');
    await wallet.screenshot(shot('03-apply-bad-hkid'));

    // Every field wrong at once: each said beside its own field.
    await wallet.applyForm.getByLabel('HKID number').fill('not an hkid');
    await wallet.applyForm.getByLabel('Date of birth').fill(`${new Date().getFullYear() - 10}-01-01`);
    await wallet.applyForm.getByRole('radio', { name: /^Visitor/ }).check();
    await wallet.submitApplication();
    await expect(wallet.fieldError('hkid')).toContainText('is not an HKID number');
    await expect(wallet.fieldError('dateOfBirth')).toContainText('18 or over');
    await expect(wallet.fieldError('residency')).toContainText('not eligible');
    expect((await api.call('voucher.application', { programme: PROGRAMME, resident: publicKey })).status).toBe('none');
    await wallet.screenshot(shot('04-apply-every-field-wrong'));

    // Put right: sealed, sent, and final.
    await wallet.fillApplication({ hkid, name, dateOfBirth: '1985-03-14', residency: 'Permanent resident' });
    await wallet.submitApplication();
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'pending', { timeout: 20_000 });
    await expect(wallet.applicationStatus.getByTestId('application-status-label')).toHaveText('Waiting for review');
    await expect(wallet.applyForm).toHaveCount(0);
    await expectAccessible(page, 'the pending application');
    await wallet.screenshot(shot('05-pending'));

    // The reviewer approves (the Government desk's work, through the API): the wallet follows by itself.
    await decide(api, publicKey, 'approve');
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'approved', { timeout: 20_000 });
    await expect(wallet.spendable).toHaveText('HK$5,000.00');
    await expect(page.getByTestId('balance-grant')).toContainText('HK$5,000.00 in 2 instalments: HK$2,000.00 + HK$3,000.00');
    await expect(wallet.voucherRows.getByTestId('voucher-amount')).toHaveText(['HK$2,000.00', 'HK$3,000.00']);
    await expect(wallet.voucherRows.getByTestId('voucher-state')).toHaveText(['Spendable', 'Spendable']);
    await expect(page.getByTestId('history-empty')).toBeVisible();
    await expectAccessible(page, 'the approved wallet');
    await wallet.screenshot(shot('06-approved-5000'));

    // Octopus asks for HK$120.50; the scanner types the code and Enter; the wallet shows what will be paid.
    const request = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-octopus', amountCents: 12_050, reference: 'Wellcome #8812' });
    await wallet.scan(request.code);
    await expect(wallet.preview.getByTestId('pay-preview-amount')).toHaveText('HK$120.50');
    await expect(wallet.preview.getByTestId('pay-preview-operator')).toHaveText('Octopus');
    await expect(wallet.preview.getByTestId('pay-preview-reference')).toHaveText('Wellcome #8812');
    await expect(wallet.preview.getByTestId('pay-preview-expiry')).not.toBeEmpty();
    await expect(wallet.preview.getByRole('heading', { name: 'Check before you pay' })).toBeFocused();
    await expect(wallet.spendable).toHaveText('HK$5,000.00');
    await expectAccessible(page, 'the payment preview');
    await wallet.screenshot(shot('07-pay-preview'));

    // Confirmed from the keyboard: Tab to "Pay HK$120.50 to Octopus", Enter.
    await page.keyboard.press('Tab');
    await expect(wallet.payButton).toBeFocused();
    await expect(wallet.payButton).toHaveText('Pay HK$120.50 to Octopus');
    await page.keyboard.press('Enter');
    await expect(wallet.payResult).toContainText('Paid HK$120.50 to Octopus', { timeout: 20_000 });
    await expect(wallet.payResult).toHaveAttribute('data-already-paid', 'false');
    // The HK$2,000 voucher (earliest expiry) paid it; its change waits for Octopus.
    await expect(wallet.spendable).toHaveText('HK$3,000.00');
    await expect(page.getByTestId('balance-waiting')).toContainText('HK$1,879.50');
    await expect(wallet.historyRows).toHaveCount(1);
    await expect(wallet.historyRows.getByTestId('history-operator')).toHaveText('Octopus');
    await expect(wallet.historyRows.getByTestId('history-amount')).toHaveText('HK$120.50');
    await expect(wallet.historyRows.getByTestId('history-status')).toHaveText('Pending');
    await expect(wallet.vouchers.locator('[data-state="pending"]')).toHaveCount(2);
    await expectAccessible(page, 'the payment made');
    await wallet.screenshot(shot('08-paid-pending'));

    // Octopus accepts (its desk, through the API): the change becomes spendable, the history says Accepted.
    await api.call('voucher.accept', { programme: PROGRAMME, redemption: (await api.call('voucher.wallet', { programme: PROGRAMME, resident: publicKey })).history[0]!.id });
    await expect(wallet.spendable).toHaveText('HK$4,879.50', { timeout: 20_000 });
    await expect(wallet.historyRows.getByTestId('history-status')).toHaveText('Accepted');
    await expect(page.getByTestId('balance-waiting')).toHaveCount(0);
    await expectAccessible(page, 'the payment accepted');
    await wallet.screenshot(shot('09-accepted'));

    // The same code again: already paid, by this resident, charged once — and no Pay button.
    await wallet.payAnother();
    await wallet.scan(request.code);
    await expect(wallet.preview.getByTestId('already-paid')).toContainText('You have already paid this request');
    await expect(wallet.preview.getByTestId('already-paid')).toContainText('nothing more will be charged');
    await expect(wallet.payButton).toHaveCount(0);
    await expect(wallet.spendable).toHaveText('HK$4,879.50');
    await expectAccessible(page, 'a code already paid');
    await wallet.screenshot(shot('10-already-paid'));

    // More than the balance: said before paying, with what can be spent; nothing charged.
    const tooMuch = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-alipayhk', amountCents: 490_000, reference: 'Fridge' });
    await wallet.payAnother();
    await wallet.scan(tooMuch.code);
    const insufficient = wallet.preview.getByTestId('insufficient');
    await expect(insufficient).toContainText('Not enough spendable vouchers');
    await expect(insufficient).toContainText('You can spend HK$4,879.50 now, less than the HK$4,900.00 requested');
    await expect(insufficient).toContainText('nothing was charged');
    await expect(wallet.payButton).toHaveCount(0);
    await expectAccessible(page, 'too little balance');
    await wallet.screenshot(shot('11-insufficient'));

    // Not a code at all: said beside the field.
    await wallet.payAnother();
    await wallet.scan('hello');
    await expect(wallet.pay.getByTestId('pay-code-error')).toContainText('This is not a payment code');
    await expect(wallet.codeInput).toHaveAttribute('aria-invalid', 'true');
    await expect(wallet.preview).toHaveCount(0);
    await wallet.screenshot(shot('12-not-a-code'));
  });

  test('a payment the ledger refuses after the preview (the operator suspended meanwhile) says what happened and that nothing was charged', async ({
    page,
    node,
    api,
  }) => {
    test.setTimeout(90_000);
    const release = await holdAnswers(page, ['voucher.apply', 'voucher.pay']);
    const wallet = new WalletPage(page);
    await wallet.open(node.consoleUrl);
    const name = uniqueName('Lam Mei');
    await wallet.createIdentity(name, PASSPHRASE);
    await wallet.fillApplication({ hkid: await freshHkid(api), name, dateOfBirth: '1988-08-08', residency: 'New arrival' });
    await wallet.submitApplication();
    // The application waits until it is final: the window says so and takes no second submission.
    await expect(page.getByTestId('apply-waiting')).toContainText('waiting for it to become final');
    await expect(wallet.applyForm.getByRole('button', { name: 'Apply' })).toBeDisabled();
    await wallet.screenshot(shot('16-apply-waiting-for-finality'));
    release('voucher.apply');
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'pending', { timeout: 20_000 });
    await decide(api, await publicKeyOf(api, name), 'approve');
    await expect(wallet.spendable).toHaveText('HK$5,000.00', { timeout: 20_000 });

    const payme = (await api.call('voucher.programme', { programme: PROGRAMME })).operators.find((o) => o.name === 'PayMe');
    if (!payme) throw new TypeError('The demo programme lists PayMe');
    const request = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-payme', amountCents: 5_000, reference: 'Lunch' });
    await wallet.scan(request.code);
    await expect(wallet.payButton).toHaveText('Pay HK$50.00 to PayMe');

    await api.call('voucher.operator', { programme: PROGRAMME, action: 'suspend', operator: payme.publicKey });
    try {
      await wallet.payButton.click();
      await expect(page.getByTestId('pay-waiting')).toContainText('waiting for the payment to become final');
      await expect(wallet.payButton).toBeDisabled();
      await wallet.screenshot(shot('17-pay-waiting-for-finality'));
      release('voucher.pay');
      await expect(wallet.payRefusal).toHaveAttribute('data-code', 'TX_VOUCHER_OPERATOR_SUSPENDED', { timeout: 20_000 });
      await expect(wallet.payRefusal).toContainText('This operator is suspended');
      await expect(wallet.payRefusal.getByTestId('nothing-charged')).toHaveText('Nothing was charged.');
      // Paying again could not work: the window offers another code instead.
      await expect(wallet.payButton).toHaveCount(0);
      await expect(wallet.preview.getByRole('button', { name: 'Enter another code' })).toBeVisible();
      await expect(wallet.spendable).toHaveText('HK$5,000.00');
      await expect(page.getByTestId('history-empty')).toBeVisible();
      await expectAccessible(page, 'a refused payment');
      await wallet.screenshot(shot('13-refused-operator-suspended'));
    } finally {
      await api.call('voucher.operator', { programme: PROGRAMME, action: 'register', operator: payme.publicKey, name: 'PayMe' });
    }
  });

  test('the same voucher paid at two operators at the same moment, from two windows: one payment is charged, the other says why and that nothing was charged', async ({
    page,
    node,
    api,
  }) => {
    test.setTimeout(90_000);
    const first = new WalletPage(page);
    await first.open(node.consoleUrl);
    const name = uniqueName('Tang Siu');
    await first.createIdentity(name, PASSPHRASE);
    await first.fillApplication({ hkid: await freshHkid(api), name, dateOfBirth: '1979-02-02', residency: 'Permanent resident' });
    await first.submitApplication();
    await expect(first.applicationStatus).toHaveAttribute('data-status', 'pending', { timeout: 20_000 });
    await decide(api, await publicKeyOf(api, name), 'approve');
    await expect(first.spendable).toHaveText('HK$5,000.00', { timeout: 20_000 });

    // The same wallet in a second window (another device, say).
    const second = new WalletPage(await page.context().newPage());
    await second.open(node.consoleUrl);
    await second.openIdentity(name, PASSPHRASE);
    await expect(second.spendable).toHaveText('HK$5,000.00', { timeout: 20_000 });

    // HK$2,500 at Octopus and HK$2,800 at AlipayHK: each needs the HK$3,000 voucher, and after either one the
    // rest (HK$2,000 spendable) covers neither — so exactly one can be charged, whichever comes first.
    const octopus = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-octopus', amountCents: 250_000, reference: 'Television' });
    const alipay = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-alipayhk', amountCents: 280_000, reference: 'Washing machine' });
    await first.scan(octopus.code);
    await second.scan(alipay.code);
    await expect(first.payButton).toBeEnabled();
    await expect(second.payButton).toBeEnabled();
    await Promise.all([first.payButton.click(), second.payButton.click()]);

    const outcome = async (wallet: WalletPage) => {
      await expect(wallet.payResult.or(wallet.payRefusal)).toBeVisible({ timeout: 30_000 });
      return (await wallet.payResult.isVisible()) ? 'paid' : 'refused';
    };
    const outcomes = [await outcome(first), await outcome(second)];
    expect(outcomes.sort()).toEqual(['paid', 'refused']);
    const refused = (await first.payRefusal.isVisible()) ? first : second;
    const code = await refused.payRefusal.getAttribute('data-code');
    // Lost the race in the mempool or the block (VOUCHER_SPENT_ELSEWHERE, which names the payment that went
    // first; TX_DROPPED or TX_VOUCHER_SPENT if that payment cannot be found), or came after it was final.
    expect(['VOUCHER_SPENT_ELSEWHERE', 'TX_DROPPED', 'TX_VOUCHER_SPENT', 'VOUCHER_INSUFFICIENT']).toContain(code);
    await expect(refused.payRefusal.getByTestId('nothing-charged')).toHaveText('Nothing was charged.');
    for (const wallet of [first, second]) {
      await expect(wallet.historyRows).toHaveCount(1, { timeout: 20_000 });
      await expect(wallet.spendable).toHaveText('HK$2,000.00');
    }
    await expectAccessible(refused.page, 'the payment that lost the race');
    await refused.screenshot(shot('18-same-voucher-two-operators-refused'));
  });

  test('a denial shows its reason and the form to apply again; Close wallet forgets the passphrase, and a wrong one is said beside its field', async ({
    page,
    node,
    api,
  }) => {
    test.setTimeout(90_000);
    const wallet = new WalletPage(page);
    await wallet.open(node.consoleUrl);
    const name = uniqueName('Cheung Po');
    await wallet.createIdentity(name, PASSPHRASE);
    const details: ApplicantDetails = { hkid: await freshHkid(api), name, dateOfBirth: '1990-12-01', residency: 'New arrival' };
    await wallet.fillApplication(details);
    await wallet.submitApplication();
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'pending', { timeout: 20_000 });

    const reason = 'The name does not match the identity card; apply again with the name as printed on it.';
    await decide(api, await publicKeyOf(api, name), 'deny', reason);
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'denied', { timeout: 20_000 });
    await expect(wallet.applicationStatus.getByTestId('application-reason')).toHaveText(reason);
    await expect(wallet.applyForm.getByRole('heading', { name: 'Apply again' })).toBeVisible();
    await expectAccessible(page, 'a denied application');
    await wallet.screenshot(shot('14-denied'));

    await page.getByTestId('close-wallet').click();
    await expect(wallet.openForm.getByRole('heading', { name: 'Open your wallet' })).toBeFocused();
    await expect(wallet.owner).toHaveCount(0);
    // The identity just closed is offered again.
    await expect(wallet.openForm.getByLabel('Resident identity').locator('option:checked')).toContainText(name);
    await wallet.openIdentity(name, 'not my passphrase');
    await expect(wallet.openForm.getByTestId('open-error')).toContainText('The passphrase does not open the key');
    await expect(wallet.openForm.getByLabel('Passphrase')).toHaveAttribute('aria-invalid', 'true');
    await expect(wallet.openForm.getByLabel('Passphrase')).toBeFocused();
    await expectAccessible(page, 'a wrong passphrase');
    await wallet.screenshot(shot('15-wrong-passphrase'));

    await wallet.openForm.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('wallet-owner-name')).toHaveText(name);
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'denied');
  });
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('every screen of the wallet reads well in the dark theme', async ({ page, node, api }) => {
    test.setTimeout(120_000);
    const wallet = new WalletPage(page);
    await wallet.open(node.consoleUrl);
    await expectAccessible(page, 'the closed wallet, dark');
    await wallet.screenshot(shot('21-dark-open-or-create'));

    const name = uniqueName('Yip Ka');
    await wallet.createIdentity(name, PASSPHRASE);
    await wallet.fillApplication({ hkid: 'B123456(0)', name, dateOfBirth: '1975-07-01', residency: 'Non-permanent resident' });
    await wallet.submitApplication();
    await expect(wallet.fieldError('residency')).toContainText('not eligible');
    await expectAccessible(page, 'the application with errors, dark');
    await wallet.screenshot(shot('22-dark-apply-errors'));

    await wallet.fillApplication({ hkid: await freshHkid(api), name, dateOfBirth: '1975-07-01', residency: 'Permanent resident' });
    await wallet.submitApplication();
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'pending', { timeout: 20_000 });
    await expectAccessible(page, 'the pending application, dark');
    await decide(api, await publicKeyOf(api, name), 'approve');
    await expect(wallet.spendable).toHaveText('HK$5,000.00', { timeout: 20_000 });

    const request = await api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-octopus', amountCents: 12_050, reference: 'Wellcome #9001' });
    await wallet.scan(request.code);
    await expect(wallet.payButton).toBeVisible();
    await expectAccessible(page, 'the payment preview, dark');
    await wallet.screenshot(shot('23-dark-pay-preview'));
    await wallet.payButton.click();
    await expect(wallet.payResult).toContainText('Paid HK$120.50 to Octopus', { timeout: 20_000 });
    await expect(wallet.historyRows).toHaveCount(1);
    await expectAccessible(page, 'the payment made, dark');
    await wallet.screenshot(shot('24-dark-paid'));

    await wallet.payAnother();
    await wallet.scan(request.code);
    await expect(wallet.preview.getByTestId('already-paid')).toBeVisible();
    await expectAccessible(page, 'a code already paid, dark');
    await wallet.screenshot(shot('25-dark-already-paid'));
  });
});
