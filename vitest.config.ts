import { defineConfig } from 'vitest/config';

// Tests start real containers as root. Each test file uses its own state
// root (test/helpers.ts), so files run in parallel without sharing state.
export default defineConfig({
  test: {
    include: ['runtime/**/*.test.ts', 'rootfs/**/*.test.ts', 'lima/**/*.test.ts', 'harness/**/*.test.ts', 'bench/**/*.test.ts', 'labs/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'labs/**/checks.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
