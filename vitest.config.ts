import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Date logic runs under a non-UTC zone to flush out time-zone bugs.
    env: { TZ: 'Pacific/Chatham' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env: { TZ: 'Pacific/Chatham' } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          env: { TZ: 'Pacific/Chatham' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
