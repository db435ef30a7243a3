#!/usr/bin/env node
// The graft CLI (the built package; in the workspace, `pnpm graft` runs the TypeScript sources).
await import('../dist/cli/run.js');
