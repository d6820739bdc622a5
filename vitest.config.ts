import { defineConfig } from 'vitest/config';

// Tests run on Node 20; the AWS SDK's notice about its Node 22 plan would repeat in every worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

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
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120000,
          hookTimeout: 120000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          env: { TZ: 'Pacific/Chatham' },
          // Each file synthesizes the whole stack once (two esbuild bundles, cdk-nag, CloudFormation checks).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          // The invariant and command properties run 1,000 random schedules / command sequences
          // here (200 each in the integration suite).
          env: { TZ: 'Pacific/Chatham', OPTALLY_PROPERTY_RUNS: '1000', OPTALLY_COMMAND_RUNS: '1000' },
          // Outages of whole seconds and 1,000 schedules through real servers.
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
