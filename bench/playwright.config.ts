import { defineConfig } from '@playwright/test';
import base from '../e2e/playwright.config';

/** `npm run bench`: the live-view benchmarks, in web mode with Debian Chromium. */
export default defineConfig({
  ...base,
  // The benchmarks need no Docker engine (the e2e global setup starts one for the Swarm specs).
  globalSetup: undefined,
  testDir: '.',
  testMatch: '**/*.bench.ts',
  timeout: 180_000,
  outputDir: '../test-results/bench',
});
