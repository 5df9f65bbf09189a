import { defineConfig } from '@playwright/test';

// Browser specs of the licensing portal. Each spec file starts its own portal server (see
// tests/support/portal.ts), so there is no global webServer and no fixed baseURL here.
// Debian's Chromium is used: Playwright never downloads a browser on this machine.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /nojs\.spec/,
      use: { javaScriptEnabled: true },
    },
    {
      name: 'no-js',
      testMatch: /nojs\.spec/,
      use: { javaScriptEnabled: false },
    },
  ],
});
