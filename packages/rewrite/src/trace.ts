import type { TraceEntry } from './rewrite.ts';

/** Options of `formatTrace`. */
export interface FormatTraceOptions {
  /** Append each rule's identity after `;` (default true). */
  readonly identities?: boolean;
}

/**
 * One line per firing: index, rule, the matched node (`op#id` in the source graph, or
 * `op (from N)` for a node firing N built), and the replacement in the returned graph.
 *
 *     0  lower.conv2dTranspose      conv2dTranspose#5 → conv2d#12  ; conv2dTranspose(v, w; …) → …
 *     1  lower.conv2dBackpropInput  conv2dBackpropInput (from 0) → conv2d#12  ; …
 */
export function formatTrace(trace: readonly TraceEntry[], options: FormatTraceOptions = {}): string {
  const identities = options.identities ?? true;
  const indexWidth = String(Math.max(trace.length - 1, 0)).length;
  const ruleWidth = Math.max(0, ...trace.map((t) => t.rule.length));
  return trace
    .map((t, i) => {
      const matched = t.madeBy === undefined ? String(t.matched) : `${t.matched.op} (from ${t.madeBy})`;
      const replacement = t.replacement === undefined ? '(removed by a later firing)' : String(t.replacement);
      const line = `${String(i).padStart(indexWidth)}  ${t.rule.padEnd(ruleWidth)}  ${matched} → ${replacement}`;
      return identities ? `${line}  ; ${t.identity}` : line;
    })
    .join('\n');
}
