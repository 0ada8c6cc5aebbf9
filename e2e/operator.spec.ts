/**
 * The Operator desk end to end (issue 6, item 4), in Chromium on a real headless demo node: staff at Octopus
 * make a HK$120.50 payment request (a malformed amount is refused in the form), a resident pays it from
 * their wallet (driven through the node's API, as the Wallet would), the desk shows it paid and accepts it;
 * another payment is declined with a reason, one is refunded, the accepted ones are claimed for settlement,
 * a refund confirmed after that claim is refused, and the report is exported as CSV. Then the keyboard
 * alone, a suspended operator, and the dark theme. The node is shared by every spec of the worker: each test
 * makes its own residents and requests and checks those, never the totals of a fresh node.
 * Each step is a screenshot in e2e/screenshots/operator-*.png (look at them); axe checks every screen.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { VoucherRedemptionJSON, VoucherRedemptionStatus } from '../preload/contract';
import { expect, test } from './fixtures';
import { OperatorDeskPage } from './pages/OperatorDeskPage';
import { focusIndicator, tabTo } from './pages/ValidatorDeskPage';
import { connectNodeApi, type NodeApi } from './support/nodeApi';
import { approvedResident, DEMO_PROGRAMME, pay, spendableCents } from './support/voucherResidents';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CODE = /^cvr1:hk-consumption-2026:[0-9a-f]{64}:[A-Za-z0-9_-]{1,64}$/;

function shot(name: string): string {
  return `${SCREENSHOTS_DIR}operator-${name}.png`;
}

/** axe-core on the screen as it is now: no serious or critical violation of WCAG 2.2 A/AA. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} — ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `axe on ${what}`).toEqual([]);
}

/** HK$1,234.50, as the desk writes money. */
function money(cents: number): string {
  return `HK$${String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(cents % 100).padStart(2, '0')}`;
}

/** A key's fingerprint as the desk shows it: the first 16 hex digits in groups of four. */
function fingerprint(hex: string): string {
  return (hex.slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}

/**
 * Holds the node's answers to one method until released, so that a test can see what the desk shows while
 * the transaction becomes final (on an idle demo node that takes less time than an assertion). The page's
 * WebSocket goes through Playwright, which forwards every other message as it comes.
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
      const answer = JSON.parse(String(message)) as { id?: unknown };
      if (answer.id !== undefined && held.has(answer.id)) void released.then(() => ws.send(message));
      else ws.send(message);
    });
  });
  return release;
}

/** Octopus's payments as the node lists them (the desk must agree). */
async function octopusRedemptions(api: NodeApi): Promise<readonly VoucherRedemptionJSON[]> {
  return (await api.call('voucher.redemptions', { programme: DEMO_PROGRAMME, operator: 'operator-octopus' })).redemptions;
}

/** The transaction of a type that names a redemption, in the newest final blocks. */
async function findTransaction(api: NodeApi, type: string, redemption: string): Promise<Readonly<Record<string, unknown>> | null> {
  const { blocks } = await api.call('chain.blocks', { limit: 20 });
  for (const block of blocks) {
    const detail = await api.call('chain.block', { height: block.height });
    const found = detail.transactions.find((tx) => tx.type === type && tx.payload['redemption'] === redemption);
    if (found) return found.payload;
  }
  return null;
}

/**
 * A text cell as the export writes it: one a spreadsheet would run as a formula (=, +, -, @ first) gets a
 * leading apostrophe. Ids are random base64url, so one may well begin with "-".
 */
function spreadsheetText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: fields in quotes may hold commas, quotes (doubled) and line breaks; lines end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  return rows;
}

let api: NodeApi;

test.beforeAll(async ({ node }) => {
  api = await connectNodeApi(node.consoleUrl);
});

test.afterAll(() => {
  api.close();
});

test.describe('the Operator desk at Octopus', () => {
  // Each test waits for several transactions to be final and runs axe a few times, on a machine shared by others.
  test.setTimeout(60_000);

  test('a HK$120.50 request (a malformed amount refused first), paid by a resident, shown paid on the desk and accepted', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Chan Tai Man');
    const desk = new OperatorDeskPage(page);
    const releaseRequest = await holdAnswers(page, 'voucher.request');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await desk.open(node.consoleUrl);
    await desk.statusBar.expectLive('Civichain Demo');

    // The operators this node holds, with name and status; the desk starts as the programme's first.
    await expect(desk.operatorRadio('Octopus')).toBeChecked();
    await expect(desk.operatorRadio('AlipayHK')).not.toBeChecked();
    await expect(desk.operatorRadio('PayMe')).toBeVisible();
    await expect(desk.picker.getByTestId('operator-option').filter({ hasText: 'Octopus' })).toContainText('Active');
    await expect(desk.suspendedNotice).toHaveCount(0);
    await expectAccessible(page, 'the desk');
    await desk.screenshot(shot('01-desk'));

    // Amounts the form refuses before asking the node, each with what to type instead.
    await desk.submitRequest('12.345', 'Wellcome #8812');
    await expect(desk.amountProblem).toHaveText('“12.345” is not an amount in Hong Kong dollars: use digits and at most two decimals, like 120.50.');
    await expect(desk.amountInput).toHaveAttribute('aria-invalid', 'true');
    await expect(desk.amountInput).toBeFocused();
    await expect(desk.requestCard).toHaveCount(0);
    await expectAccessible(page, 'a malformed amount');
    await desk.screenshot(shot('02-amount-refused'));
    await desk.amountInput.fill('0');
    await expect(desk.amountProblem).toHaveText('The amount must be more than HK$0.00.');
    await desk.amountInput.fill('5000.01');
    await expect(desk.amountProblem).toHaveText('A payment can be at most HK$5,000.00, all that one person receives in this programme.');
    await desk.amountInput.fill('120.50');
    await expect(desk.amountProblem).toHaveCount(0);
    await expect(desk.amountInput).toHaveAttribute('aria-invalid', 'false');
    await expect(desk.expirySelect).toHaveValue(String(15 * 60_000));

    // The desk waits for the request to be final, and says so.
    await desk.createButton.click();
    await expect(desk.requestWaiting).toHaveText(/Waiting for the request to become final on the ledger/);
    await expect(desk.createButton).toBeDisabled();
    await desk.screenshot(shot('03-request-waiting'));
    releaseRequest();

    // The request to show the customer: amount, reference, code, QR, a live countdown.
    await expect(desk.requestCard.getByTestId('request-card-amount')).toHaveText('HK$120.50');
    await expect(desk.requestCard.getByTestId('request-card-reference')).toHaveText('Wellcome #8812');
    const code = (await desk.requestCode.innerText()).trim();
    expect(code).toMatch(CODE);
    const requestId = OperatorDeskPage.requestIdOf(code);
    await expect(desk.requestCard.getByTestId('request-card-id')).toHaveText(requestId);
    await expect(desk.requestCard.getByTestId('qr-code')).toHaveAttribute('data-value', code);
    await expect(desk.requestCard.getByRole('img', { name: 'QR code of the payment request for HK$120.50' })).toBeVisible();
    const countdown = desk.requestCard.getByTestId('request-countdown');
    await expect(countdown).toHaveText(/^\(in 1[45]:\d\d\)$/);
    const shownFirst = await countdown.innerText();
    await expect(countdown).not.toHaveText(shownFirst);
    await expect(desk.requestState).toHaveText('Waiting for the customer to pay…');
    await desk.requestCard.getByRole('button', { name: 'Copy payment code' }).click();
    await expect(desk.requestCard.getByRole('button', { name: 'Copy payment code' })).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await expectAccessible(page, 'the payment request');
    await desk.screenshot(shot('04-request-code'));

    // The resident pays from their wallet; the desk shows the payment once its block is final.
    const redemption = await pay(api, resident, code);
    await expect(desk.requestState).toContainText(`Paid by ${fingerprint(resident.publicKey)}`);
    await expect(desk.requestState.getByTestId('redemption-status')).toHaveText('Pending');
    await expect(desk.requestCard.getByTestId('request-countdown')).toHaveCount(0);
    await expect(desk.pendingCount).toBeVisible();
    await expectAccessible(page, 'the request, paid');
    await desk.screenshot(shot('05-request-paid'));

    await desk.requestCard.getByRole('button', { name: 'Accept payment' }).click();
    await expect(desk.requestState.getByTestId('redemption-status')).toHaveText('Accepted');
    await expect(desk.requestCard.getByRole('button', { name: 'Accept payment' })).toHaveCount(0);
    await desk.screenshot(shot('06-request-accepted'));

    // Payments received: the payment, newest first, with everything the desk knows about it.
    await desk.showSection('Payments received');
    const row = desk.row(requestId);
    await expect(desk.rows.first()).toHaveAttribute('data-request-id', requestId);
    await expect(row).toHaveAttribute('data-redemption-id', redemption);
    await expect(row.getByTestId('redemption-amount')).toHaveText('HK$120.50');
    await expect(row.getByTestId('redemption-reference')).toHaveText('Wellcome #8812');
    await expect(row.getByTestId('redemption-payer')).toHaveText(fingerprint(resident.publicKey));
    await expect(row.getByTestId('redemption-status')).toHaveText('Accepted');
    await expect(row.getByRole('button', { name: /^Refund/ })).toBeVisible();
    // The change of the HK$2,000 voucher is the resident's to spend once Octopus accepted.
    await expect.poll(() => spendableCents(api, resident)).toBe(500_000 - 12_050);
    await expectAccessible(page, 'payments received');
    await desk.screenshot(shot('07-received'));
  });

  test('declines a payment with a reason and refunds an accepted one: the resident has their vouchers back', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Wong Siu Ming');
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);

    const declined = OperatorDeskPage.requestIdOf(await desk.createRequest('45.00', 'Table 4'));
    const declinedRedemption = await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await expect(desk.requestState).toContainText('Paid');
    const refunded = OperatorDeskPage.requestIdOf(await desk.createRequest('80.20', 'Table 9'));
    await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await expect(desk.requestState).toContainText('Paid');

    await desk.showSection('Payments received');
    await expect(desk.row(declined).getByTestId('redemption-status')).toHaveText('Pending');
    await expect(desk.row(refunded).getByTestId('redemption-status')).toHaveText('Pending');
    await desk.screenshot(shot('08-received-pending'));

    // Decline, with a reason for the record.
    await desk.row(declined).getByRole('button', { name: 'Decline… HK$45.00, request Table 4' }).click();
    await expect(desk.declineDialog).toContainText('HK$45.00');
    await expect(desk.declineDialog).toContainText('Table 4');
    const reason = desk.declineDialog.getByLabel('Reason (optional)');
    await expect(reason).toBeFocused();
    await reason.fill('The customer paid by card instead');
    await expectAccessible(page, 'the decline dialog');
    await desk.screenshot(shot('09-decline-dialog'));
    await desk.declineDialog.getByRole('button', { name: 'Decline payment' }).click();
    await expect(desk.declineDialog).toBeHidden();
    await expect(desk.row(declined).getByTestId('redemption-status')).toHaveText('Declined');
    await expect(desk.row(declined).getByRole('button')).toHaveCount(0);
    expect(await findTransaction(api, 'voucher.decline', declinedRedemption)).toMatchObject({ reason: 'The customer paid by card instead' });

    // Accept, then refund.
    await desk.row(refunded).getByRole('button', { name: /^Accept/ }).click();
    await expect(desk.row(refunded).getByTestId('redemption-status')).toHaveText('Accepted');
    await desk.row(refunded).getByRole('button', { name: /^Refund/ }).click();
    await expect(desk.refundDialog).toHaveAccessibleName('Refund HK$80.20?');
    await expect(desk.refundDialog).toContainText('Table 9');
    await expect(desk.refundDialog.getByRole('button', { name: 'Keep the payment' })).toBeFocused();
    await expectAccessible(page, 'the refund dialog');
    await desk.screenshot(shot('10-refund-dialog'));
    await desk.refundDialog.getByRole('button', { name: 'Refund HK$80.20' }).click();
    await expect(desk.row(refunded).getByTestId('redemption-status')).toHaveText('Refunded');
    await expect(desk.errorNotice).toHaveCount(0);

    // Declined: the vouchers came back; refunded: a voucher of HK$80.20 came back. Nothing charged.
    await expect.poll(() => spendableCents(api, resident)).toBe(500_000);
    await expectAccessible(page, 'declined and refunded');
    await desk.screenshot(shot('11-declined-refunded'));
  });

  test('claims settlement of the accepted payments; a refund confirmed after the claim is refused; settled once the government confirms', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Lee Ka Yan');
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);
    const first = OperatorDeskPage.requestIdOf(await desk.createRequest('30.00', 'Order 1'));
    await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await desk.requestCard.getByRole('button', { name: 'Accept payment' }).click();
    await expect(desk.requestState.getByTestId('redemption-status')).toHaveText('Accepted');
    const second = OperatorDeskPage.requestIdOf(await desk.createRequest('12.75', 'Order 2'));
    await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await desk.requestCard.getByRole('button', { name: 'Accept payment' }).click();
    await expect(desk.requestState.getByTestId('redemption-status')).toHaveText('Accepted');

    // What a claim holds now: every accepted, unclaimed payment to Octopus (earlier tests may have left some).
    const claimable = (await octopusRedemptions(api)).filter((r) => r.status === 'accepted' && r.claim === null);
    expect(claimable.map((r) => r.requestId)).toEqual(expect.arrayContaining([first, second]));
    const claimableCents = claimable.reduce((total, r) => total + r.amountCents, 0);

    // One member of staff starts refunding Order 2…
    await desk.showSection('Payments received');
    await desk.row(second).getByRole('button', { name: /^Refund/ }).click();
    await expect(desk.refundDialog).toHaveAccessibleName('Refund HK$12.75?');

    // …while a colleague at another desk claims settlement, after checking the count and total.
    const colleague = new OperatorDeskPage(await page.context().newPage());
    await colleague.open(node.consoleUrl);
    await colleague.showSection('Settlement');
    await expect(colleague.settlement.getByTestId('settle-summary')).toHaveText(
      `${claimable.length} accepted payments, totalling ${money(claimableCents)}, are not claimed yet.`,
    );
    await expectAccessible(colleague.page, 'settlement');
    await colleague.screenshot(shot('12-settlement'));
    await colleague.settlement.getByRole('button', { name: 'Claim settlement…' }).click();
    await expect(colleague.settleDialog).toHaveAccessibleName(`Claim settlement of ${claimable.length} payments?`);
    await expect(colleague.settleDialog.getByTestId('settle-list').getByRole('listitem')).toHaveCount(claimable.length);
    await expect(colleague.settleDialog.getByTestId('settle-list')).toContainText('HK$12.75 — Order 2');
    await expectAccessible(colleague.page, 'the settlement dialog');
    await colleague.screenshot(shot('13-settle-dialog'));
    await colleague.settleDialog.getByRole('button', { name: `Claim ${money(claimableCents)}` }).click();
    const done = colleague.settlement.getByTestId('settle-done');
    await expect(done).toContainText(`${claimable.length} payments, ${money(claimableCents)}, in claim`);
    const claimId = await done.locator('code').getAttribute('title');
    expect(claimId).toMatch(/^[0-9a-f]{64}$/);
    const claimRow = colleague.claims.locator(`[data-claim-id="${claimId}"]`);
    await expect(claimRow.getByTestId('redemption-status')).toHaveText('Claimed');
    await expect(claimRow.getByTestId('claim-amount')).toHaveText(money(claimableCents));
    await expect(colleague.settlement.getByTestId('settle-summary')).toHaveText('Nothing to claim: every accepted payment is in a claim already.');
    await colleague.screenshot(shot('14-claimed'));

    // The first desk confirms its refund now: the ledger refuses it, and the desk says why.
    await desk.refundDialog.getByRole('button', { name: 'Refund HK$12.75' }).click();
    const refusal = desk.errorNotice;
    await expect(refusal).toHaveAttribute('data-code', 'TX_VOUCHER_REFUND_AFTER_SETTLEMENT');
    await expect(refusal).toContainText('No refund: this payment is already claimed for settlement (HK$12.75, request Order 2)');
    await expect(refusal).toContainText('can no longer be refunded on the ledger');
    await expect(desk.row(second).getByTestId('redemption-status')).toHaveText('Claimed');
    await expect(desk.row(second)).toContainText('In a settlement claim');
    await expect(desk.row(second).getByRole('button')).toHaveCount(0);
    await expectAccessible(page, 'the refused refund');
    await desk.screenshot(shot('15-refund-refused'));

    // The government (the demo node holds the authority key) confirms the claim: settled on both desks.
    await api.call('voucher.confirm', { programme: DEMO_PROGRAMME, claim: claimId ?? '' });
    await expect(claimRow.getByTestId('redemption-status')).toHaveText('Settled');
    await expect(desk.row(first).getByTestId('redemption-status')).toHaveText('Settled');
    await colleague.screenshot(shot('16-settled'));
  });

  test('the report: every payment with totals by status, exported as CSV; today and between dates; dates the wrong way round refused', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Ho Wing');
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);
    // A payment with a reference a spreadsheet would run as a formula, left pending.
    const pending = OperatorDeskPage.requestIdOf(await desk.createRequest('7.05', '=1+2, "quoted"'));
    await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await expect(desk.requestState).toContainText('Paid');

    const all = await octopusRedemptions(api);
    expect(all.map((r) => r.requestId)).toContain(pending);
    const sum = (list: readonly VoucherRedemptionJSON[]) => list.reduce((total, r) => total + r.amountCents, 0);
    const ofStatus = (status: VoucherRedemptionStatus) => all.filter((r) => r.status === status);

    await desk.showSection('Reports');
    await desk.report.getByRole('radio', { name: 'All' }).check();
    await expect(desk.report.getByTestId('report-title')).toHaveText(`Octopus · All redemptions ${all.length} payments`);
    for (const status of ['pending', 'accepted', 'claimed', 'settled', 'refunded', 'declined'] as const) {
      const total = desk.report.getByTestId(`report-total-${status}`);
      await expect(total.getByRole('cell').nth(0)).toHaveText(String(ofStatus(status).length));
      await expect(total.getByRole('cell').nth(1)).toHaveText(money(sum(ofStatus(status))));
    }
    const redeemed = all.filter((r) => ['accepted', 'claimed', 'settled'].includes(r.status));
    await expect(desk.report.getByTestId('report-total-redeemed')).toContainText(money(sum(redeemed)));
    await expect(desk.report.getByTestId('report-total-all')).toContainText(money(sum(all)));
    await expectAccessible(page, 'the report');
    await desk.screenshot(shot('17-report'));

    // Export CSV: the browser's own download, named for the operator and the period.
    const [download] = await Promise.all([page.waitForEvent('download'), desk.report.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^civichain-octopus-redemptions-all-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCsv(await readFile(await download.path(), 'utf8'));
    expect(rows[0]).toEqual(['Date and time', 'Redemption id', 'Request id', 'Reference', 'Payer key', 'Amount (HK$)', 'Amount (cents)', 'Status', 'Claim id']);
    const data = rows.slice(1, rows.findIndex((row) => row.length === 1 && row[0] === ''));
    expect(data).toHaveLength(all.length);
    for (const r of all) {
      const row = data.find((d) => d[1] === spreadsheetText(r.id));
      expect(row, `a CSV row for redemption ${r.id}`).toBeDefined();
      expect(row?.slice(2)).toEqual([spreadsheetText(r.requestId), spreadsheetText(r.reference), r.payer, (r.amountCents / 100).toFixed(2), String(r.amountCents), r.status, r.claim === null ? '' : spreadsheetText(r.claim)]);
      expect(row?.[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    }
    expect(data.find((d) => d[2] === spreadsheetText(pending))?.[3]).toBe(`'=1+2, "quoted"`);
    // Oldest first, as a ledger reads.
    const times = data.map((d) => Date.parse(d[0] ?? ''));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const totals = rows.slice(data.length + 2);
    expect(totals[0]).toEqual(['Status', 'Redemptions', 'Amount (HK$)', 'Amount (cents)']);
    const totalOf = (label: string) => totals.find((row) => row[0] === label);
    for (const [label, status] of [['Pending', 'pending'], ['Accepted', 'accepted'], ['Claimed', 'claimed'], ['Settled', 'settled'], ['Refunded', 'refunded'], ['Declined', 'declined']] as const) {
      const list = ofStatus(status);
      expect(totalOf(label)).toEqual([label, String(list.length), (sum(list) / 100).toFixed(2), String(sum(list))]);
      // The totals are the sums of the rows above them.
      expect(data.filter((d) => d[7] === status).reduce((total, d) => total + Number(d[6]), 0)).toBe(sum(list));
    }
    expect(totalOf('Redeemed (accepted, claimed, settled)')).toEqual(['Redeemed (accepted, claimed, settled)', String(redeemed.length), (sum(redeemed) / 100).toFixed(2), String(sum(redeemed))]);
    expect(totalOf('All redemptions')).toEqual(['All redemptions', String(all.length), (sum(all) / 100).toFixed(2), String(sum(all))]);

    // Today holds this payment; between today and today holds the same, named by its dates.
    await desk.report.getByRole('radio', { name: 'Today' }).check();
    await expect(desk.report.getByTestId('report-title')).toContainText('Today');
    const todayCount = await desk.report.getByTestId('report-total-all').getByRole('cell').nth(0).innerText();
    await expect(page.getByTestId('redemptions-table').locator(`[data-request-id="${pending}"]`)).toBeVisible();
    const today = await page.evaluate(() => {
      const now = new Date();
      return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    });
    await desk.report.getByRole('radio', { name: 'Between dates' }).check();
    await desk.report.getByLabel('From').fill(today);
    await desk.report.getByLabel('To (included)').fill(today);
    await expect(desk.report.getByTestId('report-total-all').getByRole('cell').nth(0)).toHaveText(todayCount);
    const [ranged] = await Promise.all([page.waitForEvent('download'), desk.report.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(ranged.suggestedFilename()).toBe(`civichain-octopus-redemptions-${today}-to-${today}.csv`);

    await desk.report.getByLabel('From').fill('2030-01-02');
    await desk.report.getByLabel('To (included)').fill('2030-01-01');
    await expect(desk.report.getByTestId('report-problem')).toHaveText('The “from” date is after the “to” date: swap them.');
    await expect(desk.report.getByLabel('From')).toHaveAttribute('aria-invalid', 'true');
    await expect(desk.report.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
    await expectAccessible(page, 'the report with dates the wrong way round');
    await desk.screenshot(shot('18-report-dates-refused'));

    // Leave nothing pending for the specs after this one.
    await desk.showSection('Payments received');
    await desk.row(pending).getByRole('button', { name: /^Decline/ }).click();
    await desk.declineDialog.getByRole('button', { name: 'Decline payment' }).click();
    await expect(desk.row(pending).getByTestId('redemption-status')).toHaveText('Declined');
  });

  test('with the keyboard alone: choose AlipayHK, make a request, accept its payment', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Keyboard');
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);
    await tabTo(page, desk.operatorRadio('Octopus'));
    await page.keyboard.press('ArrowRight');
    await expect(desk.operatorRadio('AlipayHK')).toBeChecked();
    await expect(desk.operatorRadio('AlipayHK')).toBeFocused();
    await tabTo(page, desk.amountInput);
    await page.keyboard.type('8.80');
    await page.keyboard.press('Tab');
    await expect(desk.referenceInput).toBeFocused();
    await page.keyboard.type('Keyboard');
    await page.keyboard.press('Enter');
    await expect(desk.requestCard.getByTestId('request-card-amount')).toHaveText('HK$8.80');
    const code = (await desk.requestCode.innerText()).trim();
    const alipay = (await api.call('keystore.list', { role: 'operator' })).identities.find((i) => i.id === 'operator-alipayhk');
    expect(code.split(':')[2]).toBe(alipay?.publicKey);

    await pay(api, resident, code);
    const accept = desk.requestCard.getByRole('button', { name: 'Accept payment' });
    await tabTo(page, accept);
    const ring = await focusIndicator(accept);
    expect(ring.boxShadow, 'the focused button draws a ring').not.toBe('none');
    await desk.screenshot(shot('19-keyboard-accept-focused'));
    await page.keyboard.press('Enter');
    await expect(desk.requestState.getByTestId('redemption-status')).toHaveText('Accepted');
    // The accept button left with the pending status: focus went to the next step, not to the page's body.
    await expect(desk.requestCard.getByRole('button', { name: 'New payment request' })).toBeFocused();

    // The sections are buttons in the tab order: Payments received shows the payment at AlipayHK.
    const tab = page.getByRole('navigation', { name: 'Operator desk sections' }).getByRole('button', { name: 'Payments received' });
    await tabTo(page, tab);
    await page.keyboard.press('Enter');
    await expect(desk.received.getByRole('heading', { name: 'Payments received by AlipayHK' })).toBeVisible();
    await expect(desk.rows.first().getByTestId('redemption-amount')).toHaveText('HK$8.80');
  });

  test('an unpaid request counts down to its expiry, then says it expired', async ({ page, node }) => {
    // The page's clock is the test's: five minutes pass in a moment, and no test waits for them.
    await page.clock.install();
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);
    await desk.expirySelect.selectOption({ label: '5 minutes' });
    await desk.createRequest('3.00', 'Expiring');
    const countdown = desk.requestCard.getByTestId('request-countdown');
    await expect(countdown).toHaveText(/^\(in [45]:\d\d\)$/);
    await expect(desk.requestState).toHaveText('Waiting for the customer to pay…');
    await page.clock.fastForward('05:00');
    await expect(desk.requestState).toHaveText('Expired without payment. Make a new request if the customer still wants to pay.');
    await expect(countdown).toHaveCount(0);
    await expectAccessible(page, 'an expired request');
    await desk.screenshot(shot('20-request-expired'));
  });

  test('a suspended operator is shown suspended: no new request, no accept, but a payment waiting can be declined', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Suspended');
    const payme = (await api.call('keystore.list', { role: 'operator' })).identities.find((i) => i.id === 'operator-payme');
    expect(payme).toBeDefined();
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);
    await desk.actAs('PayMe');
    const requestId = OperatorDeskPage.requestIdOf(await desk.createRequest('15.00', 'Before suspension'));
    await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await expect(desk.requestState).toContainText('Paid');

    await api.call('voucher.operator', { programme: DEMO_PROGRAMME, action: 'suspend', operator: payme?.publicKey ?? '' });
    try {
      await expect(desk.picker.getByTestId('operator-option').filter({ hasText: 'PayMe' })).toContainText('Suspended');
      await expect(desk.suspendedNotice).toContainText('PayMe is suspended in this programme');
      await expect(desk.requestCard.getByRole('button', { name: 'Accept payment' })).toHaveCount(0);
      await desk.requestCard.getByRole('button', { name: 'New payment request' }).click();
      await expect(page.getByTestId('request-unavailable')).toContainText('A suspended operator cannot create payment requests.');
      await expect(desk.requestForm).toHaveCount(0);
      await expectAccessible(page, 'a suspended operator');
      await desk.screenshot(shot('21-suspended'));

      await desk.showSection('Payments received');
      await expect(desk.row(requestId).getByRole('button', { name: /^Accept/ })).toHaveCount(0);
      await desk.row(requestId).getByRole('button', { name: /^Decline/ }).click();
      await desk.declineDialog.getByLabel('Reason (optional)').fill('PayMe is suspended');
      await desk.declineDialog.getByRole('button', { name: 'Decline payment' }).click();
      await expect(desk.row(requestId).getByTestId('redemption-status')).toHaveText('Declined');
      await expect.poll(() => spendableCents(api, resident)).toBe(500_000);
    } finally {
      // Reinstated, so that the specs after this one find PayMe as a fresh demo node has it.
      await api.call('voucher.operator', { programme: DEMO_PROGRAMME, action: 'register', operator: payme?.publicKey ?? '', name: 'PayMe' });
    }
    await expect(desk.suspendedNotice).toHaveCount(0);
  });
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });
  test.setTimeout(60_000);

  test('every section of the desk reads well in the dark theme', async ({ page, node }) => {
    const resident = await approvedResident(api, 'Operator e2e: Dark');
    const desk = new OperatorDeskPage(page);
    await desk.open(node.consoleUrl);
    await expectAccessible(page, 'the desk, dark');
    await desk.submitRequest('1.234', '');
    await expect(desk.amountProblem).toBeVisible();
    await expectAccessible(page, 'a malformed amount, dark');
    await desk.screenshot(shot('22-dark-amount-refused'));

    const requestId = OperatorDeskPage.requestIdOf(await desk.createRequest('64.30', 'Dark'));
    await pay(api, resident, (await desk.requestCode.innerText()).trim());
    await expect(desk.requestState).toContainText('Paid');
    await expectAccessible(page, 'the paid request, dark');
    await desk.screenshot(shot('23-dark-request-paid'));

    await desk.showSection('Payments received');
    await expect(desk.row(requestId).getByTestId('redemption-status')).toHaveText('Pending');
    await expectAccessible(page, 'payments received, dark');
    await desk.screenshot(shot('24-dark-received'));
    await desk.row(requestId).getByRole('button', { name: /^Accept/ }).click();
    await expect(desk.row(requestId).getByTestId('redemption-status')).toHaveText('Accepted');

    await desk.showSection('Settlement');
    await expectAccessible(page, 'settlement, dark');
    await desk.screenshot(shot('25-dark-settlement'));
    await desk.showSection('Reports');
    await expectAccessible(page, 'the report, dark');
    await desk.screenshot(shot('26-dark-report'));
  });
});
