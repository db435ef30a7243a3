/** The CLI's entry point: `graft <command> [options]` (bin/graft.mjs runs the built copy). */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
