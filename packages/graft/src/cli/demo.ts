import type { Args } from './args.ts';

/**
 * The main demo: conv2dTranspose = conv2dBackpropInput on a strided, padded conv; the
 * four ways to compute d_x and three ways to compute d_w; the float64 gradient check of
 * a small CNN to first and second order.
 */
export async function demo(args: Args): Promise<number> {
  const quiet = args.options.has('quiet');
  const say = (lines: readonly string[]) => {
    if (!quiet) console.log(lines.join('\n'));
  };
  const heading = (t: string) => say(['', t, '─'.repeat(t.length)]);

  const { convTransposeExample } = await import('../../../../examples/conv-transpose/main.ts');
  const { fourWaysTable } = await import('../../../../examples/conv-transpose-four-ways/main.ts');
  const { gradcheckCnn } = await import('../../../../examples/gradcheck-cnn/main.ts');

  heading('1. conv2dTranspose is conv2dBackpropInput');
  const t = await convTransposeExample();
  say(t.lines);

  heading('2. d_x four ways, d_w three ways');
  const f = await fourWaysTable();
  say(f.lines);

  heading('3. gradient check of a small CNN (float64)');
  const c = await gradcheckCnn();
  say(c.lines);

  const worstWays = Math.max(...f.results.map((r) => Math.max(r.maxDxDiff, r.maxDwDiff)));
  const ok = t.maxTransposeDiff === 0 && t.maxAdjointGap < 1e-12 && worstWays < 1e-12 && c.first.ok && c.second.ok;
  console.log(
    `\ndemo ${ok ? 'passed' : 'FAILED'}: conv2dTranspose vs backpropInput ${t.maxTransposeDiff.toExponential(1)}, ` +
      `four ways ${worstWays.toExponential(1)}, gradcheck ${c.first.ok ? 'ok' : 'FAILED'} (1st) / ${c.second.ok ? 'ok' : 'FAILED'} (2nd)`,
  );
  return ok ? 0 : 1;
}
