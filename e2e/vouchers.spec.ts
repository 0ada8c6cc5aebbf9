/**
 * Vouchers end to end (issue 6, Acceptance), in Chromium, each step done in the window of the person who does
 * it, on two real nodes: the demo node (validators, reviewer, operators) and an observer peered with it.
 *
 *   a resident applies in the Wallet → staff approve at the Government desk → the Wallet shows HK$5,000 in two
 *   instalments → Octopus asks for HK$120.50 at the Operator desk → the resident pays in the Wallet → Octopus
 *   accepts at its desk → on the observer, the Wallet, the Operator desk and the Government desk's dashboard
 *   show the same balance, history and totals as on the demo node.
 *
 * The resident is the demo's Lee Ka Yan (`resident-lee`), whose key every demo node holds, so that the same
 * wallet can be opened on both nodes; no other spec uses that identity. A screenshot of each step:
 * e2e/screenshots/vouchers-*.png.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { VoucherProgrammeSummary } from '../preload/contract';
import { expect, test } from './fixtures';
import { startHeadlessNode } from './fixtures/headlessNode';
import { GovernmentDeskPage } from './pages/GovernmentDeskPage';
import { OperatorDeskPage } from './pages/OperatorDeskPage';
import { WalletPage } from './pages/WalletPage';
import { expectNoSeriousViolations } from './support/axe';
import { connectNodeApi, type NodeApi } from './support/nodeApi';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PROGRAMME = 'hk-consumption-2026';
const RESIDENT = 'Lee Ka Yan';
const DEMO_PASSPHRASE = 'civichain-demo';

function shot(name: string): string {
  return `${SCREENSHOTS_DIR}vouchers-${name}.png`;
}

/** An HKID with a right check digit, found by asking the node's own rules (voucher.checkDetails). */
async function validHkid(api: NodeApi, letter: string, digits: string): Promise<string> {
  for (const check of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A']) {
    const hkid = `${letter}${digits}(${check})`;
    const { problems } = await api.call('voucher.checkDetails', { programme: PROGRAMME, details: { hkid, name: RESIDENT, dateOfBirth: '1988-08-08', residency: 'permanent' } });
    if (problems.length === 0) return hkid;
  }
  throw new TypeError(`No check digit makes ${letter}${digits} valid`);
}

/** What the programme's dashboard counts, as a node answers it. */
async function dashboard(api: NodeApi): Promise<VoucherProgrammeSummary['counts']> {
  return (await api.call('voucher.programme', { programme: PROGRAMME })).counts;
}

async function newPage(page: Page): Promise<Page> {
  return page.context().newPage();
}

test('a resident applies, staff approve, the wallet holds HK$5,000 in instalments, pays HK$120.50 at Octopus, Octopus accepts; balances, history and the dashboard agree on both nodes', async ({
  page,
  node,
}) => {
  // Two nodes, five windows, a dozen blocks to wait for: more than the default 30 s, though it sleeps nowhere.
  test.setTimeout(120_000);
  const api = await connectNodeApi(node.consoleUrl);
  const observer = await startHeadlessNode({ observer: true, peers: [node.p2pUrl] });
  const observerApi = await connectNodeApi(observer.consoleUrl);
  try {
    const hkid = await validHkid(api, 'K', '480216');

    // 1. The resident opens their wallet and applies.
    const wallet = new WalletPage(page);
    await wallet.open(node.consoleUrl);
    await wallet.openIdentity(RESIDENT, DEMO_PASSPHRASE);
    await expect(page.getByTestId('wallet-owner-name')).toHaveText(RESIDENT);
    await wallet.fillApplication({ hkid, name: RESIDENT, dateOfBirth: '1988-08-08', residency: 'Permanent resident' });
    await wallet.screenshot(shot('01-wallet-apply'));
    await wallet.submitApplication();
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'pending', { timeout: 20_000 });
    await wallet.screenshot(shot('02-wallet-pending'));

    // 2. Staff open the application at the Government desk, with its details, and approve it.
    const deskPage = await newPage(page);
    const desk = new GovernmentDeskPage(deskPage);
    await desk.open(node.consoleUrl);
    await desk.showApplication(hkid, RESIDENT);
    await expect(desk.detailValue('detail-hkid')).toHaveText(hkid);
    await expect(desk.detailValue('detail-residency')).toHaveText('Permanent resident');
    await desk.screenshot(shot('03-government-application'));
    await desk.approveButton.click();
    await expect(desk.decisionDone).toContainText(`${RESIDENT} is approved`, { timeout: 20_000 });
    await expectNoSeriousViolations(deskPage, 'the Government desk after approving');
    await desk.screenshot(shot('04-government-approved'));

    // 3. The wallet follows by itself: HK$5,000 in two instalments.
    await page.bringToFront();
    await expect(wallet.applicationStatus).toHaveAttribute('data-status', 'approved', { timeout: 20_000 });
    await expect(wallet.spendable).toHaveText('HK$5,000.00');
    await expect(wallet.voucherRows.getByTestId('voucher-amount')).toHaveText(['HK$2,000.00', 'HK$3,000.00']);
    await expect(page.getByTestId('balance-grant')).toContainText('HK$5,000.00 in 2 instalments: HK$2,000.00 + HK$3,000.00');
    await expectNoSeriousViolations(page, 'the wallet holding HK$5,000');
    await wallet.screenshot(shot('05-wallet-5000'));

    // 4. Octopus asks for HK$120.50 at its desk.
    const counterPage = await newPage(page);
    const counter = new OperatorDeskPage(counterPage);
    await counter.open(node.consoleUrl);
    await counter.actAs('Octopus');
    const code = await counter.createRequest('120.50', 'Wellcome #8812');
    const requestId = OperatorDeskPage.requestIdOf(code);
    await expectNoSeriousViolations(counterPage, 'the Operator desk with a payment request');
    await counter.screenshot(shot('06-operator-request'));

    // 5. The resident scans the code, sees what it is for, and pays.
    await page.bringToFront();
    await wallet.scan(code);
    await expect(wallet.preview.getByTestId('pay-preview-amount')).toHaveText('HK$120.50');
    await expect(wallet.preview.getByTestId('pay-preview-operator')).toHaveText('Octopus');
    await wallet.screenshot(shot('07-wallet-pay-preview'));
    await wallet.payButton.click();
    await expect(wallet.payResult).toContainText('Paid HK$120.50 to Octopus', { timeout: 20_000 });
    await expect(wallet.spendable).toHaveText('HK$3,000.00');
    await wallet.screenshot(shot('08-wallet-paid'));

    // 6. Octopus sees the payment at its counter and accepts it.
    await counterPage.bringToFront();
    await expect(counter.requestState.getByTestId('redemption-status')).toHaveText('Pending', { timeout: 20_000 });
    await counter.requestCard.getByRole('button', { name: 'Accept payment' }).click();
    await expect(counter.requestState.getByTestId('redemption-status')).toHaveText('Accepted', { timeout: 20_000 });
    await counter.screenshot(shot('09-operator-accepted'));

    // 7. The wallet on the demo node: the change is spendable, the payment accepted.
    await page.bringToFront();
    await expect(wallet.spendable).toHaveText('HK$4,879.50', { timeout: 20_000 });
    await expect(wallet.historyRows).toHaveCount(1);
    await expect(wallet.historyRows.getByTestId('history-amount')).toHaveText('HK$120.50');
    await expect(wallet.historyRows.getByTestId('history-operator')).toHaveText('Octopus');
    await expect(wallet.historyRows.getByTestId('history-status')).toHaveText('Accepted');
    await wallet.screenshot(shot('10-wallet-accepted'));

    // 8. The observer has the same chain: the same wallet, the same payment at Octopus, the same dashboard.
    const height = (await api.call('node.status', {})).finalHeight;
    await expect.poll(async () => (await observerApi.call('node.status', {})).finalHeight, { timeout: 30_000, message: 'the observer caught up' }).toBeGreaterThanOrEqual(height);
    const observerPage = await newPage(page);
    const observerWallet = new WalletPage(observerPage);
    await observerWallet.open(observer.consoleUrl);
    await observerWallet.openIdentity(RESIDENT, DEMO_PASSPHRASE);
    await expect(observerWallet.spendable).toHaveText('HK$4,879.50', { timeout: 20_000 });
    await expect(observerWallet.historyRows).toHaveCount(1);
    await expect(observerWallet.historyRows.getByTestId('history-amount')).toHaveText('HK$120.50');
    await expect(observerWallet.historyRows.getByTestId('history-status')).toHaveText('Accepted');
    await expect(observerWallet.voucherRows.getByTestId('voucher-amount')).toHaveText(await wallet.voucherRows.getByTestId('voucher-amount').allInnerTexts());
    await observerWallet.screenshot(shot('11-observer-wallet'));

    const observerCounter = new OperatorDeskPage(observerPage);
    await observerCounter.open(observer.consoleUrl);
    await observerCounter.actAs('Octopus');
    await observerCounter.showSection('Payments received');
    await expect(observerCounter.row(requestId).getByTestId('redemption-amount')).toHaveText('HK$120.50');
    await expect(observerCounter.row(requestId).getByTestId('redemption-status')).toHaveText('Accepted');
    await observerCounter.screenshot(shot('12-observer-operator'));

    const observerDesk = new GovernmentDeskPage(observerPage);
    await observerDesk.open(observer.consoleUrl);
    await observerDesk.showSection('dashboard');
    const [here, there] = await Promise.all([dashboard(api), dashboard(observerApi)]);
    expect(there).toEqual(here);
    expect(here.applicants.approved).toBeGreaterThanOrEqual(1);
    expect(here.redeemedCents).toBeGreaterThanOrEqual(12_050);
    await expect(observerDesk.chartValue('chart-applicants', 'approved')).toHaveText(here.applicants.approved.toLocaleString('en-GB'));
    await expect(observerDesk.chartValue('chart-money', 'redeemed')).toHaveText(`HK$${(here.redeemedCents / 100).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`);
    await expectNoSeriousViolations(observerPage, 'the observer’s dashboard');
    await observerDesk.screenshot(shot('13-observer-dashboard'));

    await desk.showSection('dashboard');
    await expect(desk.chartValue('chart-money', 'redeemed')).toHaveText(await observerDesk.chartValue('chart-money', 'redeemed').innerText());
    await expect(desk.chartValue('chart-applicants', 'approved')).toHaveText(await observerDesk.chartValue('chart-applicants', 'approved').innerText());
    await desk.screenshot(shot('14-government-dashboard'));

    // 9. The same voucher paid at the same moment at two operators through the two nodes: the validators
    // wait for a person while both payments reach the mempools, so the race is certain. One payment goes
    // through; the other wallet says which payment went first and that nothing was charged.
    const [atOctopus, atAlipay] = await Promise.all([
      api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-octopus', amountCents: 10_000, reference: 'race at Octopus' }),
      api.call('voucher.request', { programme: PROGRAMME, operator: 'operator-alipayhk', amountCents: 10_000, reference: 'race at AlipayHK' }),
    ]);
    await observerWallet.open(observer.consoleUrl);
    await observerWallet.openIdentity(RESIDENT, DEMO_PASSPHRASE);
    await expect(observerWallet.spendable).toHaveText('HK$4,879.50', { timeout: 20_000 });
    await page.bringToFront();
    await wallet.payAnother();
    await wallet.scan(atOctopus.code);
    await observerWallet.scan(atAlipay.code);
    await expect(wallet.payButton).toHaveText('Pay HK$100.00 to Octopus');
    await expect(observerWallet.payButton).toHaveText('Pay HK$100.00 to AlipayHK');
    await api.call('validator.setMode', { mode: 'manual' });
    try {
      await wallet.payButton.click();
      await observerWallet.payButton.click();
      await expect
        .poll(async () => (await observerApi.call('mempool.list', {})).transactions.filter((t) => t.type === 'voucher.redeem').length, { message: 'both payments wait in the mempool' })
        .toBe(2);
    } finally {
      await api.call('validator.setMode', { mode: 'auto' });
    }
    const outcome = async (w: WalletPage): Promise<'paid' | 'refused'> => {
      await expect(w.payResult.or(w.payRefusal)).toBeVisible({ timeout: 20_000 });
      return (await w.payResult.isVisible()) ? 'paid' : 'refused';
    };
    const outcomes = [await outcome(wallet), await outcome(observerWallet)];
    expect(outcomes.sort()).toEqual(['paid', 'refused']);
    const [loser, winnerName] = (await wallet.payRefusal.isVisible()) ? [wallet, 'AlipayHK'] : [observerWallet, 'Octopus'];
    await expect(loser.payRefusal).toHaveAttribute('data-code', 'VOUCHER_SPENT_ELSEWHERE');
    await expect(loser.payRefusal).toContainText('A voucher was used by another payment at the same moment');
    await expect(loser.payRefusal).toContainText(`HK$100.00 to ${winnerName}`);
    await expect(loser.payRefusal.getByTestId('nothing-charged')).toHaveText('Nothing was charged.');
    await loser.page.bringToFront();
    await expectNoSeriousViolations(loser.page, 'the wallet refusing the payment that lost the race');
    await loser.screenshot(shot('15-wallet-race-refused'));
    // Both nodes' wallets hold the one payment: HK$100.00 more in the history, the balance the same on both.
    for (const w of [wallet, observerWallet]) await expect(w.historyRows).toHaveCount(2, { timeout: 20_000 });
    await expect(observerWallet.spendable).toHaveText(await wallet.spendable.innerText());
  } finally {
    observerApi.close();
    api.close();
    await observer.stop();
  }
});
