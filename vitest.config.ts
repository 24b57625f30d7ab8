import { defineConfig } from 'vitest/config';

// Privileged tests create kernel objects (links, mounts, cgroups) and run as root; files run
// one at a time so their timing and teardown stay independent. The global setup ends the
// suite with a leak check of host objects.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/leak-check.global.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
