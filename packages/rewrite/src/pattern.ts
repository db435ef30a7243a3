import type { AttrsOf, Node, OpName } from '@graft/ir';

declare const phantom: unique symbol;

/** Attrs of each op of a union, as a union (`AttrsOf` of a union is not distributive). */
export type AttrsOfEach<K extends OpName> = K extends OpName ? AttrsOf<K> : never;

interface Typed<C extends string, K extends OpName> {
  /** Types only: the capture names the pattern binds and the ops its root can match. */
  readonly [phantom]?: { readonly captures: C; readonly op: K };
}

/** Matches any node; binds it to `as` when given. */
export interface AnyPattern {
  readonly kind: 'any';
  readonly as: string | undefined;
  readonly where: ((node: Node) => boolean) | undefined;
}

/** Matches a node of one of `ops` whose inputs match `inputs` (any inputs when undefined). */
export interface OpPattern {
  readonly kind: 'op';
  readonly ops: readonly OpName[];
  readonly inputs: readonly Pattern[] | undefined;
  readonly as: string | undefined;
  readonly where: ((attrs: never, node: never) => boolean) | undefined;
}

/** Matches a constant node, all of whose values equal `value` when given. */
export interface ConstantPattern {
  readonly kind: 'constant';
  readonly value: number | undefined;
  readonly as: string | undefined;
}

/**
 * A pattern over nodes. `C` is the union of the capture names it binds, `K` the ops its
 * root can match; both are inferred by `any`, `op` and `constant` so that a rule's
 * rewrite sees typed captures and a typed node.
 */
export type Pattern<C extends string = string, K extends OpName = OpName> = Typed<C, K> &
  (AnyPattern | OpPattern | ConstantPattern);

/** The capture names of a tuple of patterns. */
export type CapturesOfAll<Ps extends readonly Pattern[]> = {
  [I in keyof Ps]: Ps[I] extends Pattern<infer C, OpName> ? C : never;
}[number];

/** Nodes bound by a match, by capture name. */
export type Captures<C extends string = string> = { readonly [N in C]: Node };

/**
 * Matches any node. `any('x')` binds it as `x`; `where` restricts it
 * (`any('x', (n) => n.rank === 4)`).
 */
export function any<N extends string = never>(as?: N, where?: (node: Node) => boolean): Pattern<NoInfer<N>, OpName> {
  return Object.freeze({ kind: 'any', as, where });
}

/** Options of an `op` pattern. */
export interface OpPatternOptions<K extends OpName, A extends string> {
  /** Binds the matched node itself under this name. */
  readonly as?: A;
  /** Further condition on the node's attrs (and the node: shape, dtype, inputs). */
  readonly where?: (attrs: AttrsOfEach<K>, node: Node<K>) => boolean;
}

/**
 * Matches a node of op `name` (or of any op of a list) whose inputs match `inputs`
 * one by one; with `inputs` omitted the inputs are not looked at.
 *
 * ```ts
 * op('reverse', [op('reverse', [any('x')], { as: 'inner' })], { where: (a) => a.axes.length > 0 })
 * ```
 */
export function op<K extends OpName, const Ps extends readonly Pattern[] = [], A extends string = never>(
  name: K | readonly K[],
  inputs?: Ps,
  options: OpPatternOptions<K, A> = {},
): Pattern<CapturesOfAll<Ps> | NoInfer<A>, K> {
  const ops: readonly OpName[] = typeof name === 'string' ? [name] : [...name];
  return Object.freeze({
    kind: 'op',
    ops,
    inputs: inputs === undefined ? undefined : Object.freeze([...inputs]),
    as: options.as,
    where: options.where as OpPattern['where'],
  });
}

/**
 * Matches a `constant` node; with `value` given, only one whose values all equal it
 * (`constant(1)` matches a scalar 1 and a tensor of ones).
 */
export function constant<A extends string = never>(value?: number, options: { readonly as?: A } = {}): Pattern<NoInfer<A>, 'constant'> {
  return Object.freeze({ kind: 'constant', value, as: options.as });
}

/**
 * Matches `pattern` against `node`. Returns the captures, or undefined when it does not
 * match. A capture name used twice must bind the same node (identity, not structural
 * equality).
 */
export function match<C extends string>(pattern: Pattern<C>, node: Node): Captures<C> | undefined {
  const captures = new Map<string, Node>();
  if (!matchInto(pattern, node, captures)) return undefined;
  return Object.freeze(Object.fromEntries(captures)) as Captures<C>;
}

function matchInto(p: Pattern, n: Node, captures: Map<string, Node>): boolean {
  switch (p.kind) {
    case 'any':
      if (p.where !== undefined && !p.where(n)) return false;
      break;
    case 'constant':
      if (!n.is('constant')) return false;
      if (p.value !== undefined && !n.attrs.values.every((v) => v === p.value)) return false;
      break;
    case 'op': {
      if (!(p.ops as readonly string[]).includes(n.op)) return false;
      const inputs = p.inputs;
      if (inputs !== undefined) {
        if (inputs.length !== n.inputs.length) return false;
        for (let i = 0; i < inputs.length; i++) {
          if (!matchInto(inputs[i]!, n.inputs[i]!, captures)) return false;
        }
      }
      if (p.where !== undefined && !(p.where as (attrs: unknown, node: Node) => boolean)(n.attrs, n)) return false;
      break;
    }
  }
  if (p.as === undefined) return true;
  const bound = captures.get(p.as);
  if (bound === undefined) {
    captures.set(p.as, n);
    return true;
  }
  return bound === n;
}
