import type { Args } from './args.ts';

/** `graft explain`: the conv2dTranspose identities and the four-ways table, printed. */
export async function explainCommand(_args: Args): Promise<number> {
  const { convTransposeExample } = await import('../programs/conv-transpose.ts');
  const { fourWaysTable } = await import('../programs/four-ways.ts');
  const transpose = await convTransposeExample();
  const table = await fourWaysTable();
  console.log([...transpose.lines, '', ...table.lines].join('\n'));
  // The same tolerances as the demo: the two transpose ops are one kernel; the ways agree to rounding.
  const worstWays = Math.max(...table.results.flatMap((r) => [r.maxDxDiff, r.maxDwDiff]));
  return transpose.maxTransposeDiff === 0 && transpose.maxAdjointGap < 1e-12 && worstWays < 1e-12 ? 0 : 1;
}
