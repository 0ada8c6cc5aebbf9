/**
 * Prints why each skipped test was skipped. The list reporter shows only "skipped"; a skip must say why
 * (the Electron launch tests skip where the Electron binary is not installed).
 */
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasonReporter implements Reporter {
  private readonly reasons = new Map<string, string[]>();

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const reason = test.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
    const titles = this.reasons.get(reason) ?? [];
    titles.push(test.titlePath().slice(1).join(' › '));
    this.reasons.set(reason, titles);
  }

  onEnd(): void {
    for (const [reason, titles] of this.reasons) {
      process.stdout.write(`\n${titles.length} skipped because: ${reason}\n${titles.map((t) => `  - ${t}`).join('\n')}\n`);
    }
  }

  printsToStdio(): boolean {
    return true;
  }
}
