import { configDefaults, defineConfig } from 'vitest/config';

// headless-gl needs an X server and cannot share a process with Dawn's GL backend (webgpu),
// so its file runs in a vitest invocation of its own under xvfb-run (`pnpm test:headlessgl`,
// which sets GRAFT_TEST_HEADLESSGL=1); the main run leaves it out.
const headlessgl = 'tests/gpujs-headlessgl.test.ts';
const onlyHeadlessgl = process.env.GRAFT_TEST_HEADLESSGL === '1';

// Workspace packages resolve to their TypeScript sources through the `source` export condition
// (the built `dist/` is what users install); no build step is needed to test.
const conditions = ['source'];

export default defineConfig({
  resolve: { conditions: [...conditions, 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: [...conditions, 'module', 'node', 'import', 'default'], externalConditions: conditions } },
  test: {
    include: onlyHeadlessgl ? [headlessgl] : ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: onlyHeadlessgl ? configDefaults.exclude : [...configDefaults.exclude, headlessgl],
    globalSetup: ['vitest.setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
  },
});
