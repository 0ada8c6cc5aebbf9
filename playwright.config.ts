import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests. `chromium`: the browser console of a real headless node (started by e2e/fixtures), in
 * Debian's Chromium (never downloaded: no `playwright install`). `electron`: the desktop app (e2e/electron).
 */
const onCi = Boolean(process.env['CI']);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: onCi,
  retries: 0,
  ...(onCi ? { workers: 1 } : {}),
  reporter: [['list'], ['./e2e/support/skipReasonReporter.ts']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: 'electron/**',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
      testMatch: 'electron/**/*.spec.ts',
    },
  ],
});
