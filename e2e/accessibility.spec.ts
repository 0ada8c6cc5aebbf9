/**
 * Every window, light and dark, checked by axe-core against WCAG 2.2 A and AA (contrast, names, landmarks,
 * headings). A violation fails the test with the rule and the elements it found.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { OPENABLE_ROLES, WindowPage } from './pages/WindowPage';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const role of ['launcher', ...OPENABLE_ROLES] as const) {
      test(`${role} has no WCAG 2.2 AA violations`, async ({ page, node }) => {
        const window = new WindowPage(page);
        await window.openInConsole(node.consoleUrl, role);
        await window.statusBar.expectLive('Civichain Demo');
        // Wait for what the window loads after the status (identities), so axe sees the finished page.
        await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);

        const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
        expect(results.passes.length, 'axe ran its rules on the page').toBeGreaterThan(10);
        const violations = results.violations.map(
          (violation) =>
            `${violation.id} (${violation.impact ?? 'unknown'}): ${violation.help} — ${violation.nodes
              .map((found) => found.target.join(' '))
              .join(', ')}`,
        );
        expect(violations).toEqual([]);
      });
    }
  });
}
