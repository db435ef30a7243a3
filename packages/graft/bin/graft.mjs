#!/usr/bin/env node
// The graft CLI. The workspace runs TypeScript sources directly; tsx registers the loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
