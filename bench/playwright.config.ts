import { defineConfig } from '@playwright/test';
import base from '../e2e/playwright.config';

/** `npm run bench`: the live-view benchmarks, in web mode with Debian Chromium. */
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '**/*.bench.ts',
  timeout: 180_000,
  outputDir: '../test-results/bench',
});
