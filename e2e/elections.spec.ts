/**
 * Elections end to end (issue 5), in Chromium on a real headless demo node: an official checks a voter in at
 * the Election desk, the voter casts a ballot at the booth and keeps a receipt that turns final, and the
 * results show the vote. Then the refusals an official meets, the booth with the keyboard alone, the check
 * screens, the printable cards, and a new election taken from creation to its published result.
 * Each step is a screenshot in e2e/screenshots/elections-*.png (look at them); axe checks every screen.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { BoothPage } from './pages/BoothPage';
import { ElectionDeskPage } from './pages/ElectionDeskPage';
import { ExplorerPage } from './pages/ExplorerPage';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const DEMO_TITLE = 'Demo General Election 2026';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function shot(name: string): string {
  return `${SCREENSHOTS_DIR}elections-${name}.png`;
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

/**
 * Holds the node's answers to election.checkIn until released, so that a test can see what the desk shows
 * while the credential becomes final (on an idle demo node that can take less time than an assertion).
 * The page's WebSocket to the node goes through Playwright, which forwards every other message as it comes.
 */
async function holdCheckInAnswers(page: Page): Promise<() => void> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    const held = new Set<unknown>();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message)) as { id?: unknown; method?: string };
      if (call.method === 'election.checkIn') held.add(call.id);
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

/** Two pages on one node, as at a polling station: the official's desk and the voter's booth. */
async function pollingStation(page: Page): Promise<{ desk: ElectionDeskPage; booth: BoothPage }> {
  const boothPage = await page.context().newPage();
  return { desk: new ElectionDeskPage(page), booth: new BoothPage(boothPage) };
}

test.describe('a polling station', () => {
  test('an official checks in VOID001, the voter casts a ballot, the receipt turns final and the results show it', async ({
    page,
    node,
  }) => {
    // The whole journey of one voter, with ten axe checks and a dozen screenshots: ~25–32 s on 2 busy cores.
    test.setTimeout(90_000);
    const { desk, booth } = await pollingStation(page);
    const releaseCheckIn = await holdCheckInAnswers(desk.page);
    await desk.open(node.consoleUrl);
    await desk.statusBar.expectLive('Civichain Demo');
    await desk.selectElection(DEMO_TITLE);
    await expect(desk.page.getByTestId('selected-election').getByTestId('election-phase')).toHaveText('Open');

    // The roll: the official finds the voter and reads the card code from the voter's card (shown for the demo).
    const cardCode = await desk.cardCodeOf('VOID001');
    expect(cardCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await expect(desk.rollRow('VOID001')).toContainText('Ada Lam');
    await expect(desk.rollRow('VOID001').getByTestId('roll-checkin')).toHaveText('Not yet');
    await expectAccessible(desk.page, 'the voter roll');
    await desk.screenshot(shot('01-desk-roll'));

    await desk.showSection('Turnout and results');
    const before = Number(await desk.resultVotes('socialist').innerText());
    const ballotsBefore = await desk.turnout.getByTestId('turnout-ballots').innerText();

    // Check-in: the desk waits for the credential to be final, then shows the booth pass.
    await desk.submitCheckIn('VOID001', cardCode);
    await expect(desk.page.getByTestId('check-in-waiting')).toHaveText(/Waiting for the credential to become final/);
    await expect(desk.checkIn.getByRole('button', { name: 'Check in' })).toBeDisabled();
    await desk.screenshot(shot('02a-desk-check-in-waiting'));
    releaseCheckIn();
    await expect(desk.boothPass).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/, { timeout: 30_000 });
    const pass = (await desk.boothPass.innerText()).trim();
    await expect(desk.page.getByTestId('booth-pass-issued')).toContainText('VOID001 is checked in');
    await expectAccessible(desk.page, 'the booth pass');
    await desk.screenshot(shot('02-desk-booth-pass'));

    // The booth: pass → credential → ballot.
    await booth.open(node.consoleUrl);
    await expectAccessible(booth.page, 'the booth start');
    await booth.screenshot(shot('03-booth-start'));
    await booth.start.getByRole('button', { name: /Vote/ }).click();
    await booth.passInput.fill(pass);
    await booth.screenshot(shot('04-booth-pass'));
    await booth.page.getByRole('button', { name: 'Continue' }).click();
    await expect(booth.ballot.getByRole('group', { name: 'Choose 1 candidate' })).toBeVisible();
    await booth.candidate('Socialist party').check();
    await expect(booth.page.getByTestId('ballot-chosen')).toHaveText('Chosen: Socialist party.');
    await expectAccessible(booth.page, 'the ballot');
    await booth.screenshot(shot('05-booth-ballot'));

    await booth.ballot.getByRole('button', { name: 'Continue' }).click();
    await expect(booth.confirm.getByTestId('confirm-choices')).toHaveText('Socialist party');
    await expectAccessible(booth.page, 'the confirmation');
    await booth.screenshot(shot('06-booth-confirm'));

    await booth.confirm.getByRole('button', { name: 'Cast my ballot' }).click();
    await expect(booth.shortCode).toHaveText(/^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    const shortCode = (await booth.shortCode.innerText()).trim();
    const hash = (await booth.fullCode.innerText()).trim();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(shortCode.replaceAll('-', '').toLowerCase()).toBe(hash.slice(0, 16));
    await expect(booth.qrCode).toHaveAttribute('data-value', hash);
    await expect(booth.qrCode).toHaveAccessibleName(`QR code of the full tracking code, which starts ${shortCode}`);

    // The demo node's validators approve by themselves: the receipt follows the block to final.
    await expect(booth.receiptStatus).toHaveText(/^Final in block \d+$/, { timeout: 30_000 });
    await expectAccessible(booth.page, 'the receipt');
    await booth.screenshot(shot('07-booth-receipt-final'));

    // The results on the desk count the vote, live (the demo election shows results while open).
    await desk.showSection('Turnout and results');
    await expect(desk.resultVotes('socialist')).toHaveText(String(before + 1));
    await expect(desk.results.getByTestId('results-stage')).toHaveText('Live count');
    await expect(desk.turnout.getByTestId('turnout-ballots')).not.toHaveText(ballotsBefore);
    await expectAccessible(desk.page, 'the results');
    await desk.screenshot(shot('08-desk-results'));

    await desk.showSection('Voter roll');
    await desk.roll.getByLabel('Search by voter ID or name').fill('VOID001');
    await expect(desk.rollRow('VOID001').getByTestId('roll-checkin')).toHaveText('Checked in');

    // "Next voter" drops the voter's session: the booth is back at its start.
    await booth.page.getByRole('button', { name: 'Finish — next voter' }).click();
    await expect(booth.start).toBeVisible();
    await expect(booth.receipt).toHaveCount(0);

    // Check my ballot, with the short code from the receipt.
    await booth.start.getByRole('button', { name: /Check my ballot/ }).click();
    await booth.page.getByLabel('Tracking code').fill(shortCode);
    await booth.page.getByRole('button', { name: 'Check', exact: true }).click();
    const answer = booth.page.getByTestId('check-ballot-answer');
    await expect(answer.getByTestId('tracking-status-label')).toHaveText(/^Final in block \d+$/);
    await expect(answer).toContainText(hash);
    await expect(answer.getByTestId('result-socialist').getByTestId('result-votes')).toHaveText(String(before + 1));
    await expectAccessible(booth.page, 'check my ballot');
    await booth.screenshot(shot('09-booth-check-ballot'));

    // An auditor finds the ballot in the Explorer by the short code printed on the receipt.
    const explorer = new ExplorerPage(await page.context().newPage());
    await explorer.open(node.consoleUrl);
    await explorer.search(shortCode);
    await expect(explorer.detail.getByTestId('tx-hash')).toHaveText(hash);
    await expect(explorer.detail.getByTestId('tx-status')).toHaveText(/^Final in block \d+/);
    await explorer.page.screenshot({ path: shot('09a-explorer-ballot-by-tracking-code') });
  });

  test('check-in refuses a wrong card code, an unknown voter and a second check-in, and says so', async ({ page, node }) => {
    const desk = new ElectionDeskPage(page);
    await desk.open(node.consoleUrl);
    await desk.selectElection(DEMO_TITLE);
    const wrongCode = await desk.cardCodeOf('VOID003');

    await desk.submitCheckIn('VOID002', wrongCode);
    const error = desk.checkIn.getByTestId('error-notice');
    await expect(error).toHaveAttribute('data-code', 'CARD_CODE_WRONG');
    await expect(error).toContainText('The card code is wrong');
    await expect(error).toContainText('does not match');
    await expect(desk.cardCodeInput).toHaveAttribute('aria-invalid', 'true');
    await expectAccessible(desk.page, 'a wrong card code');
    await desk.screenshot(shot('10-desk-wrong-card-code'));

    await desk.voterIdInput.fill('VOID999');
    await desk.checkIn.getByRole('button', { name: 'Check in' }).click();
    await expect(error).toHaveAttribute('data-code', 'VOTER_UNKNOWN');
    await expect(error).toContainText('VOID999');

    const code = await desk.cardCodeOf('VOID002');
    await desk.checkInVoter('VOID002', code);
    await desk.page.getByRole('button', { name: 'Check in the next voter' }).click();
    await expect(desk.voterIdInput).toBeFocused();
    await desk.submitCheckIn('VOID002', code);
    await expect(error).toHaveAttribute('data-code', 'ALREADY_CHECKED_IN');
    await expect(error).toContainText('This voter has already been checked in');
    await desk.screenshot(shot('11-desk-already-checked-in'));
  });

  test('a voter uses the booth with the keyboard alone', async ({ page, node }) => {
    const { desk, booth } = await pollingStation(page);
    await desk.open(node.consoleUrl);
    await desk.selectElection(DEMO_TITLE);
    const pass = await desk.checkInVoter('VOID004', await desk.cardCodeOf('VOID004'));

    await booth.open(node.consoleUrl);
    const keyboard = booth.page.keyboard;
    // The first option has the focus on arrival: Enter chooses "Vote".
    await expect(booth.start.getByRole('button', { name: /Vote/ })).toBeFocused();
    await keyboard.press('Enter');
    await expect(booth.passInput).toBeFocused();
    // A wrong pass first: the error is said, the focus stays in the field.
    await keyboard.type('ZZZZ-ZZZZ-ZZ');
    await keyboard.press('Enter');
    await expect(booth.page.getByTestId('error-notice')).toHaveAttribute('data-code', 'PASS_INVALID');
    await expect(booth.passInput).toBeFocused();
    await expectAccessible(booth.page, 'a wrong booth pass');
    await booth.screenshot(shot('12-booth-wrong-pass'));
    // Typed as a person might: lower case, no dashes.
    await booth.passInput.press('ControlOrMeta+a');
    await keyboard.type(pass.toLowerCase().replaceAll('-', ''));
    await keyboard.press('Enter');

    // Number keys choose; the arrow keys move between candidates.
    await expect(booth.ballot).toBeVisible();
    await expect(booth.candidate('Democratic Party')).toBeFocused();
    await keyboard.press('2');
    await expect(booth.candidate('Republican Party')).toBeChecked();
    await expect(booth.candidate('Republican Party')).toBeFocused();
    await keyboard.press('ArrowDown');
    await expect(booth.candidate('Socialist party')).toBeChecked();
    await keyboard.press('ArrowUp');
    await expect(booth.candidate('Republican Party')).toBeChecked();
    await expect(booth.candidate('Republican Party')).toBeFocused();
    await booth.screenshot(shot('13-booth-keyboard-focus'));
    await keyboard.press('Enter');

    // Escape goes back to change; Enter casts.
    await expect(booth.confirm.getByRole('button', { name: 'Cast my ballot' })).toBeFocused();
    await keyboard.press('Escape');
    await expect(booth.ballot).toBeVisible();
    await expect(booth.candidate('Republican Party')).toBeFocused();
    await keyboard.press('Enter');
    await expect(booth.confirm.getByTestId('confirm-choices')).toHaveText('Republican Party');
    await keyboard.press('Enter');

    await expect(booth.receipt.getByRole('heading', { name: 'Your ballot was cast' })).toBeFocused();
    await expect(booth.receiptStatus).toHaveText(/^Final in block \d+$/, { timeout: 30_000 });
    await keyboard.press('Tab');
    await expect(booth.page.getByRole('button', { name: 'Finish — next voter' })).toBeFocused();
    await keyboard.press('Enter');
    await expect(booth.start.getByRole('button', { name: /Vote/ })).toBeFocused();
  });

  test('"Check my card" tells a voter whether their card was used', async ({ page, node }) => {
    const { desk, booth } = await pollingStation(page);
    await desk.open(node.consoleUrl);
    await desk.selectElection(DEMO_TITLE);
    const used = await desk.cardCodeOf('VOID005');
    await desk.checkInVoter('VOID005', used);
    const unused = await desk.cardCodeOf('VOID006');

    await booth.open(node.consoleUrl);
    await booth.page.keyboard.press('3');
    const screen = booth.page.getByTestId('check-card');
    await expect(screen.getByLabel('Voter ID')).toBeFocused();
    await screen.getByLabel('Voter ID').fill('VOID006');
    await screen.getByLabel('Card code').fill(unused);
    await screen.getByLabel('Card code').press('Enter');
    await expect(screen.getByTestId('check-card-answer')).toContainText('Your card has not been used');

    await screen.getByLabel('Voter ID').fill('VOID005');
    await screen.getByLabel('Card code').fill(used);
    await screen.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(screen.getByTestId('check-card-answer')).toContainText('Your card has been used');
    await expectAccessible(booth.page, 'check my card');
    await booth.screenshot(shot('14-booth-check-card'));

    // A mistyped code names another (unused) roll entry: the booth cannot know it is wrong, and says so.
    await screen.getByLabel('Card code').fill(unused);
    await screen.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(screen.getByTestId('check-card-answer')).toContainText('Your card has not been used');
    await expect(screen.getByTestId('check-card-answer')).toContainText('typed exactly as printed');
    await booth.screenshot(shot('15-booth-check-card-not-used'));
  });

  test('the desk prints one voter card per voter', async ({ page, node }) => {
    const desk = new ElectionDeskPage(page);
    await desk.open(node.consoleUrl);
    await desk.selectElection(DEMO_TITLE);
    await desk.showSection('Voter roll');
    await expect(desk.roll.getByTestId('roll-row')).toHaveCount(10);
    await desk.roll.getByRole('button', { name: 'Next page' }).click();
    await expect(desk.roll.getByTestId('roll-row')).toHaveCount(5);
    await desk.roll.getByRole('button', { name: 'Print voter cards' }).click();
    const cards = desk.page.getByTestId('voter-card');
    await expect(cards).toHaveCount(15);
    await expect(cards.first()).toContainText('VOID001');
    await expect(cards.first()).toContainText('Ada Lam');
    await expectAccessible(desk.page, 'the voter cards');
    await desk.page.emulateMedia({ media: 'print' });
    await desk.screenshot(shot('16-desk-voter-cards-print'));
    await desk.page.emulateMedia({ media: 'screen' });
    await desk.page.getByRole('button', { name: 'Back to the desk' }).click();
    await expect(desk.roll.getByRole('button', { name: 'Print voter cards' })).toBeFocused();
  });
});

test.describe('a new election', () => {
  const ROLL = 'voter ID,name\nR001,Wing Chan\nR002,Mei Wong\nR003,Kai Lee\n';

  test('a roll CSV with a duplicate voter ID is refused, naming the line', async ({ page, node }) => {
    const desk = new ElectionDeskPage(page);
    await desk.open(node.consoleUrl);
    await desk.page.getByRole('button', { name: 'New election' }).click();
    const form = desk.createForm;
    await form.getByLabel('Title').fill('Bad roll');
    await form.getByLabel('Candidates', { exact: true }).fill('Yes\nNo');
    await form.getByLabel('Voter roll (CSV file)').setInputFiles({
      name: 'roll.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('voter ID,name\nR001,Wing Chan\nR001,Mei Wong\n'),
    });
    await form.getByRole('button', { name: 'Create election' }).click();
    await expect(form.getByTestId('error-notice')).toContainText('line 3');
    await expect(form.getByTestId('error-notice')).toContainText('appears again');
    await expectAccessible(desk.page, 'the new election form');
    await desk.screenshot(shot('17-desk-create-bad-roll'));
  });

  test('is created from a CSV, closed after confirmation, its result published and its record exported', async ({
    page,
    node,
  }) => {
    const { desk, booth } = await pollingStation(page);
    await desk.open(node.consoleUrl);
    await desk.page.getByRole('button', { name: 'New election' }).click();
    const form = desk.createForm;
    await form.getByLabel('Title').fill('Harbour Referendum');
    await form.getByLabel('Candidates', { exact: true }).fill('Harbour bridge\nFerry pier\nCycle path');
    await form.getByLabel('Candidates each ballot may choose').fill('2');
    await form.getByLabel('Voter roll (CSV file)').setInputFiles({ name: 'roll.csv', mimeType: 'text/csv', buffer: Buffer.from(ROLL) });
    await form.getByRole('button', { name: 'Create election' }).click();
    await expect(form.getByTestId('create-done')).toContainText('3 voters on its roll (3 card codes generated)');
    await form.getByRole('button', { name: 'Go to the election' }).click();
    await desk.selectElection('Harbour Referendum');
    await expect(desk.page.getByTestId('selected-election').getByTestId('election-phase')).toHaveText('Open');

    // One vote, so that there is something to count.
    const pass = await desk.checkInVoter('R002', await desk.cardCodeOf('R002'));
    await booth.open(node.consoleUrl);
    await booth.start.getByRole('button', { name: /Vote/ }).click();
    // Two elections are open now: the booth asks which one the pass is for.
    await booth.page.getByLabel('Election').selectOption({ label: 'Harbour Referendum' });
    await booth.passInput.fill(pass);
    await booth.page.getByRole('button', { name: 'Continue' }).click();
    await expect(booth.ballot.getByRole('heading', { name: 'Harbour Referendum' })).toBeVisible();
    // Choose 2 of 3, with the number keys: a third choice is refused, not swapped in behind the voter's back.
    await expect(booth.ballot.getByRole('group', { name: 'Choose up to 2 candidates' })).toBeVisible();
    await expect(booth.candidate('Harbour bridge')).toBeFocused();
    await booth.page.keyboard.press('1');
    await booth.page.keyboard.press('3');
    await booth.page.keyboard.press('2');
    await expect(booth.ballot.getByRole('alert')).toHaveText('You have already chosen 2. Un-choose one first to choose another.');
    await expect(booth.candidate('Ferry pier')).not.toBeChecked();
    await expect(booth.page.getByTestId('ballot-chosen')).toHaveText('Chosen: Harbour bridge, Cycle path.');
    await booth.page.keyboard.press('ArrowUp');
    await expect(booth.candidate('Harbour bridge')).toBeFocused();
    await expectAccessible(booth.page, 'a choose-2 ballot');
    await booth.screenshot(shot('17a-booth-choose-two'));
    await booth.page.keyboard.press('Enter');
    await expect(booth.confirm.getByTestId('confirm-choices').getByRole('listitem')).toHaveText(['Harbour bridge', 'Cycle path']);
    await booth.confirm.getByRole('button', { name: 'Cast my ballot' }).click();
    await expect(booth.receiptStatus).toHaveText(/^Final in block \d+$/, { timeout: 30_000 });

    // Results are hidden while it is open (live results were left off).
    await desk.showSection('Turnout and results');
    await expect(desk.results.getByTestId('results-hidden')).toBeVisible();
    await expect(desk.turnout.getByTestId('turnout-ballots')).toHaveText('1 of 1 credentials');
    await expect(desk.turnout.getByTestId('turnout-credentials')).toHaveText('1 of 3 on the roll');

    await desk.showSection('Close, publish, export');
    await expect(desk.record.getByTestId('roll-size')).toHaveText('3 voters');
    await expect(desk.record.getByTestId('roll-root')).toHaveText(/^[0-9a-f]{64}$/);
    await desk.record.getByRole('button', { name: 'Close the election…' }).click();
    const dialog = desk.page.getByRole('dialog', { name: 'Close this election now?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Keep it open' })).toBeFocused();
    await expectAccessible(desk.page, 'the close dialog');
    await desk.screenshot(shot('18-desk-close-confirm'));
    await dialog.getByRole('button', { name: 'Close the election' }).click();
    await expect(dialog).toBeHidden();
    await expect(desk.page.getByTestId('selected-election').getByTestId('election-phase')).toHaveText('Closed', {
      timeout: 30_000,
    });

    await desk.record.getByRole('button', { name: 'Publish the result' }).click();
    await expect(desk.record.getByTestId('result-tx')).toHaveText(/^[0-9a-f]{64}$/, { timeout: 30_000 });

    const download = desk.page.waitForEvent('download');
    await desk.record.getByRole('button', { name: 'Export the election record (JSON)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/-record\.json$/);
    const record = JSON.parse(await readFile(await file.path(), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(record)).toContain('Harbour Referendum');
    await desk.screenshot(shot('19-desk-record-published'));

    await desk.showSection('Turnout and results');
    await expect(desk.results.getByTestId('results-stage')).toHaveText('Published');
    await expect(desk.resultVotes(await candidateId(desk.page, 'Harbour bridge'))).toHaveText('1');
    await expect(desk.resultVotes(await candidateId(desk.page, 'Ferry pier'))).toHaveText('0');
    await expect(desk.resultVotes(await candidateId(desk.page, 'Cycle path'))).toHaveText('1');
    await expectAccessible(desk.page, 'the published result');
    await desk.screenshot(shot('20-desk-results-published'));
  });
});

/** The candidate id the node gave a candidate name (ids are made by the node from the names). */
async function candidateId(page: Page, name: string): Promise<string> {
  const row = page.getByTestId('election-results').getByRole('row', { name: new RegExp(`^${name}\\b`) });
  const testId = await row.getAttribute('data-testid');
  return (testId ?? '').replace(/^result-/, '');
}

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('the desk results and the booth receipt read well in the dark theme', async ({ page, node }) => {
    const { desk, booth } = await pollingStation(page);
    await desk.open(node.consoleUrl);
    await desk.selectElection(DEMO_TITLE);
    const pass = await desk.checkInVoter('VOID007', await desk.cardCodeOf('VOID007'));
    await expectAccessible(desk.page, 'the booth pass, dark');
    await desk.screenshot(shot('21-dark-desk-booth-pass'));

    await booth.open(node.consoleUrl);
    await booth.start.getByRole('button', { name: /Vote/ }).click();
    await booth.passInput.fill(pass);
    await booth.page.getByRole('button', { name: 'Continue' }).click();
    await booth.candidate('Democratic Party').check();
    await expectAccessible(booth.page, 'the ballot, dark');
    await booth.screenshot(shot('22-dark-booth-ballot'));
    await booth.ballot.getByRole('button', { name: 'Continue' }).click();
    await booth.confirm.getByRole('button', { name: 'Cast my ballot' }).click();
    await expect(booth.receiptStatus).toHaveText(/^Final in block \d+$/, { timeout: 30_000 });
    await expectAccessible(booth.page, 'the receipt, dark');
    await booth.screenshot(shot('23-dark-booth-receipt'));

    await desk.showSection('Turnout and results');
    await expect(desk.resultVotes('democratic')).not.toHaveText('0');
    await expectAccessible(desk.page, 'the results, dark');
    await desk.screenshot(shot('24-dark-desk-results'));
  });
});
