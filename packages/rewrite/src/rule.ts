import type { Graph, Node, OpName } from '@graft/ir';
import type { Captures, Pattern } from './pattern.ts';

/**
 * A rewrite rule: a pattern and a replacement, as data. `rewrite` builds the replacement
 * in `g` (the graph being rewritten, which holds the captured nodes) and returns it, or
 * returns `undefined` to decline, which changes nothing. The replacement must have the
 * matched node's shape and dtype.
 */
export interface Rule<C extends string = string, K extends OpName = OpName> {
  /** Dotted name shown in traces and errors, e.g. `lower.conv2dBackpropInput`. */
  readonly name: string;
  /** The identity the rule applies, on one line, e.g. `reverse(reverse(x, a), a) → x`. */
  readonly identity: string;
  readonly pattern: Pattern<C, K>;
  rewrite(captures: Captures<C>, node: Node<K>, g: Graph): Node | undefined;
}

/** Rules tried in order at every node; the first that matches and does not decline fires. */
export type RuleSet = readonly Rule[];

/**
 * Declares a rule with captures and node typed from its pattern:
 *
 * ```ts
 * const reverseReverse = rule({
 *   name: 'reverse.reverse',
 *   identity: 'reverse(reverse(x, a), a) → x',
 *   pattern: op('reverse', [op('reverse', [any('x')], { as: 'inner' })]),
 *   rewrite: ({ x, inner }, outer) => (sameAxes(inner, outer) ? x : undefined),
 * });
 * ```
 */
export function rule<C extends string, K extends OpName>(r: Rule<C, K>): Rule {
  return Object.freeze({ ...r }) as unknown as Rule;
}
