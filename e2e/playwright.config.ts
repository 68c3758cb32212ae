import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download cannot work on our machines.
const executablePath = process.env.HOMEPORT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  // The e2e tsconfig carries the @shared path alias that code under test imports.
  tsconfig: '../tsconfig.e2e.json',
  testMatch: '**/*.spec.ts',
  // A real Docker engine for the Swarm specs, started once.
  globalSetup: './env/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  outputDir: '../test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
});
