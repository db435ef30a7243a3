import { Graph, GraphError, Node, ancestors, fmtShape, shapesEqual, type OpName } from '@graft/ir';
import { match } from './pattern.ts';
import type { Rule, RuleSet } from './rule.ts';

/** Options of `rewrite`. */
export interface RewriteOptions {
  /**
   * Most firings allowed before the rule set is declared not to reach a fixed point
   * (a `GraphError` naming the rule); default 10 000.
   */
  readonly maxFirings?: number;
  /** Name used in errors, e.g. the compiler pass that runs the rewrite; default `rewrite`. */
  readonly name?: string;
}

/** One firing of a rule. */
export interface TraceEntry {
  /** The rule's name. */
  readonly rule: string;
  /** The rule's identity. */
  readonly identity: string;
  /**
   * The node the rule matched: a node of the source graph (its op and id are the
   * source's), or — when `madeBy` is set — an intermediate node that an earlier firing
   * built and that belongs to neither the source nor the returned graph.
   */
  readonly matched: Node;
  /** Index in the trace of the firing whose replacement contained `matched`; undefined for source nodes. */
  readonly madeBy: number | undefined;
  /**
   * What the rule returned, as it stands in the returned graph once rewritten to the fixed
   * point; undefined when a later firing removed it (no output needs it any more).
   */
  readonly replacement: Node | undefined;
}

/** A rewritten graph: a fresh graph, the outputs in it, and every firing in order. */
export interface RewriteResult<O> {
  readonly graph: Graph;
  readonly outputs: O;
  readonly trace: readonly TraceEntry[];
}

/**
 * Rewrites the graph that `outputs` need with `rules` to a fixed point: every node of the
 * result, replacements included, is one that no rule fires on. Returns a fresh graph of
 * the same dtype holding only the nodes the outputs need (plus every input they read
 * before rewriting, so feeds stay valid), the outputs under the same names, and a trace.
 *
 * Nodes are visited inputs first; at each node the rules are tried in order and the first
 * that matches and does not decline fires; its replacement is itself rewritten. Nodes no
 * rule touches are copied with `Graph.rebuild` (op, attrs and provenance kept); nodes a
 * rule builds inherit the matched node's provenance. Throws a `GraphError` naming the rule
 * when more than `maxFirings` rules fire, so a rule set that never settles cannot hang.
 */
export function rewrite<O extends Readonly<Record<string, Node>>>(
  outputs: O,
  rules: RuleSet,
  options: RewriteOptions = {},
): RewriteResult<{ readonly [N in keyof O]: Node }> {
  const name = options.name ?? 'rewrite';
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) {
    throw new GraphError(name, 'outputs must be a record of named nodes', { outputs });
  }
  const entries = Object.entries(outputs);
  const result = rewriteNodes(
    entries.map(([, n]) => n),
    rules,
    options,
  );
  const named = Object.fromEntries(entries.map(([k], i) => [k, result.outputs[i]!]));
  return { graph: result.graph, outputs: Object.freeze(named) as { readonly [N in keyof O]: Node }, trace: result.trace };
}

/** `rewrite` over a list of root nodes; the outputs come back in the same order. */
export function rewriteNodes(roots: readonly Node[], rules: RuleSet, options: RewriteOptions = {}): RewriteResult<readonly Node[]> {
  const name = options.name ?? 'rewrite';
  const maxFirings = options.maxFirings ?? 10_000;
  if (!Number.isInteger(maxFirings) || maxFirings < 0) {
    throw new GraphError(name, 'maxFirings must be a non-negative integer', { maxFirings });
  }
  checkRules(name, rules);
  if (!Array.isArray(roots) || roots.length === 0) throw new GraphError(name, 'outputs must name at least one node', { outputs: Array.isArray(roots) ? 0 : String(roots) });
  roots.forEach((r, i) => {
    if (!(r instanceof Node)) throw new GraphError(name, `output ${i} must be a Node`, { output: r });
  });
  const source = roots[0]!.graph;
  for (const r of roots) {
    if (r.graph !== source) throw new GraphError(name, `all outputs must belong to one graph; ${r} does not`, { node: String(r) });
  }
  const engine = new Engine(name, source, rules, maxFirings);
  const sourceNodes = ancestors(roots);
  for (const n of sourceNodes) engine.settle(n);
  return engine.finish(roots, sourceNodes);
}

function checkRules(name: string, rules: RuleSet): void {
  if (!Array.isArray(rules)) throw new GraphError(name, 'rules must be an array of rules', { rules });
  rules.forEach((r: unknown, i) => {
    const ok =
      r !== null &&
      typeof r === 'object' &&
      typeof (r as Rule).name === 'string' &&
      typeof (r as Rule).rewrite === 'function' &&
      typeof (r as Rule).pattern === 'object';
    if (!ok) throw new GraphError(name, `rule ${i} must have a name, a pattern and a rewrite function`, { index: i, rule: String(r) });
  });
}

interface Firing {
  readonly rule: Rule;
  readonly matched: Node;
  readonly madeBy: number | undefined;
  /** The replacement as returned, in the scratch graph. */
  readonly replacement: Node;
}

/** A node to settle; `alias` is set once a rule has replaced it (its form is then the alias's). */
interface Task {
  readonly node: Node;
  readonly built?: Node;
  readonly alias?: Node;
}

class Engine {
  /** Scratch graph: every node built, including replaced ones; `finish` copies the live part. */
  readonly #work: Graph;
  /** Any node (of the source or the scratch graph) → its fixed-point form in the scratch graph. */
  readonly #normal = new Map<Node, Node>();
  /** Scratch node → index of the firing whose rewrite built it. */
  readonly #madeBy = new Map<Node, number>();
  /** Scratch copy of a source node → the source node. */
  readonly #sourceOf = new Map<Node, Node>();
  readonly #firings: Firing[] = [];
  readonly #counts = new Map<Rule, number>();

  constructor(
    readonly name: string,
    readonly source: Graph,
    readonly rules: RuleSet,
    readonly maxFirings: number,
  ) {
    this.#work = new Graph({ dtype: source.dtype });
  }

  /**
   * Brings `start` (and whatever a replacement needs) to its fixed-point form. An explicit
   * stack rather than recursion: a chain of firings is as deep as `maxFirings`.
   */
  settle(start: Node): Node {
    const normal = this.#normal;
    const stack: Task[] = [{ node: start }];
    while (stack.length > 0) {
      const task = stack[stack.length - 1]!;
      if (task.alias !== undefined) {
        stack.pop();
        const form = normal.get(task.alias)!;
        normal.set(task.node, form);
        if (task.built !== undefined) normal.set(task.built, form);
        continue;
      }
      const n = task.node;
      if (normal.has(n)) {
        stack.pop();
        continue;
      }
      const pending = n.inputs.filter((i) => !normal.has(i));
      if (pending.length > 0) {
        for (const p of pending) stack.push({ node: p });
        continue;
      }
      stack.pop();
      const inputs = n.inputs.map((i) => normal.get(i)!);
      const unchanged = n.graph === this.#work && inputs.every((x, k) => x === n.inputs[k]);
      const m = unchanged ? n : this.#work.rebuild(n, inputs);
      if (m !== n) {
        const sourceNode = n.graph === this.source ? n : this.#sourceOf.get(n);
        if (sourceNode !== undefined) this.#sourceOf.set(m, sourceNode);
        const madeBy = this.#madeBy.get(n);
        if (madeBy !== undefined) this.#madeBy.set(m, madeBy);
      }
      const replacement = this.#fire(n, m);
      if (replacement === undefined) {
        normal.set(n, m);
        normal.set(m, m);
      } else {
        stack.push({ node: n, built: m, alias: replacement }, { node: replacement });
      }
    }
    return normal.get(start)!;
  }

  /** Tries the rules at `m` (the form of `n` over settled inputs); returns the replacement of the first that fires. */
  #fire(n: Node, m: Node): Node | undefined {
    const work = this.#work;
    for (const rule of this.rules) {
      const captures = match(rule.pattern, m);
      if (captures === undefined) continue;
      const before = work.nodes.length;
      const build = () => rule.rewrite(captures, m as Node<OpName>, work);
      const r: unknown = m.provenance === undefined ? build() : work.withProvenance(m.provenance, build);
      if (r === undefined || r === m) continue;
      if (!(r instanceof Node) || r.graph !== work) {
        throw new GraphError(this.name, `rule "${rule.name}" must return a node of the graph being rewritten or undefined`, {
          returned: String(r),
        });
      }
      if (r.dtype !== m.dtype || !shapesEqual(r.shape, m.shape)) {
        throw new GraphError(
          this.name,
          `rule "${rule.name}" must keep the matched node's shape and dtype: ${m.op} is ${m.dtype}${fmtShape(m.shape)}, ` +
            `its replacement ${r.op} is ${r.dtype}${fmtShape(r.shape)}`,
          { rule: rule.name, matched: String(m), shape: m.shape, dtype: m.dtype, replacement: String(r), replacementShape: r.shape, replacementDtype: r.dtype },
        );
      }
      const count = (this.#counts.get(rule) ?? 0) + 1;
      if (this.#firings.length >= this.maxFirings) {
        const [worst, worstCount] = [...this.#counts].sort((a, b) => b[1] - a[1])[0] ?? [rule, count];
        throw new GraphError(
          this.name,
          `rules must reach a fixed point within ${this.maxFirings} firings; rule "${worst.name}" keeps firing ` +
            `(${worstCount} firings; ${worst.identity})`,
          { rule: worst.name, firings: this.#firings.length },
        );
      }
      this.#counts.set(rule, count);
      const sourceNode = n.graph === this.source ? n : this.#sourceOf.get(m);
      this.#firings.push({
        rule,
        matched: sourceNode ?? m,
        madeBy: sourceNode === undefined ? this.#madeBy.get(m) : undefined,
        replacement: r,
      });
      const index = this.#firings.length - 1;
      for (let i = before; i < work.nodes.length; i++) this.#madeBy.set(work.nodes[i]!, index);
      return r;
    }
    return undefined;
  }

  /** Copies the live part of the scratch graph into a fresh graph and translates the trace. */
  finish(roots: readonly Node[], sourceNodes: readonly Node[]): RewriteResult<readonly Node[]> {
    const out = new Graph({ dtype: this.source.dtype });
    const copy = new Map<Node, Node>();
    const formOf = (n: Node): Node | undefined => copy.get(n.graph === this.source ? (this.#normal.get(n) ?? n) : n);
    const live = ancestors(roots.map((r) => this.#normal.get(r)!));
    for (const n of live) {
      copy.set(n, out.rebuild(n, n.inputs.map((i) => copy.get(i)!), formOf));
    }
    // Inputs the rules made unused stay declared, so the original feeds remain valid.
    for (const n of sourceNodes) {
      if (n.is('input') && !out.inputs.has(n.attrs.name)) out.rebuild(n, []);
    }
    const trace: TraceEntry[] = this.#firings.map((f) => ({
      rule: f.rule.name,
      identity: f.rule.identity,
      matched: f.matched,
      madeBy: f.madeBy,
      replacement: copy.get(this.#normal.get(f.replacement)!),
    }));
    return {
      graph: out,
      outputs: Object.freeze(roots.map((r) => copy.get(this.#normal.get(r)!)!)),
      trace: Object.freeze(trace),
    };
  }
}
