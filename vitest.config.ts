import { configDefaults, defineConfig } from 'vitest/config';

// headless-gl needs an X server and cannot share a process with Dawn's GL backend (webgpu),
// so its file runs in a vitest invocation of its own under xvfb-run (`pnpm test:headlessgl`,
// which sets GRAFT_TEST_HEADLESSGL=1); the main run leaves it out.
const headlessgl = 'tests/gpujs-headlessgl.test.ts';
const onlyHeadlessgl = process.env.GRAFT_TEST_HEADLESSGL === '1';

export default defineConfig({
  test: {
    include: onlyHeadlessgl ? [headlessgl] : ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: onlyHeadlessgl ? configDefaults.exclude : [...configDefaults.exclude, headlessgl],
    pool: 'forks',
    testTimeout: 120_000,
  },
});
