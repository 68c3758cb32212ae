import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'shared') } },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'electron/**/*.test.ts',
            'shared/**/*.test.ts',
            'renderer/**/*.test.ts',
            'lint/*.test.ts',
            'integration/*.test.ts',
          ],
          exclude: ['**/*.docker.test.ts', '**/node_modules/**'],
        },
      },
      {
        // Tests against a real Docker engine: one private dockerd for the whole project, one file at a time.
        extends: true,
        test: {
          name: 'docker',
          include: ['electron/**/*.docker.test.ts'],
          globalSetup: ['electron/core/docker/testing/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
