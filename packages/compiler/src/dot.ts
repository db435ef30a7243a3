import { Graph, GraphError, Node, fmtShape, formatAttrs } from '@graft/ir';
import type { Program } from './program.ts';
import { liveNodes } from './schedule.ts';
import type { Stage } from './stage.ts';

/** What `toDot` draws: a compiled program, a stage, a whole graph, named outputs or a list of nodes. */
export type DotSource = Program | Stage | Graph | Readonly<Record<string, Node>> | readonly Node[];

/** Options of `toDot` (and `toSvg`). */
export interface DotOptions {
  /** A title above the picture. */
  readonly title?: string;
  /** Layout direction: top to bottom (default) or left to right. */
  readonly rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Label edges with the tensor's dtype and shape (default true). */
  readonly shapes?: boolean;
  /** Colour gradient nodes by the rule that made them and label them with it (default true). */
  readonly provenance?: boolean;
  /** Draw fused nodes as clusters of the ops in their expression (default true). */
  readonly fusion?: boolean;
  /** Add a legend of the rules' colours (default true when there are gradient nodes). */
  readonly legend?: boolean;
  /** Show attrs in node labels (default true). */
  readonly attrs?: boolean;
}

/** Pastel fills for gradient rules, assigned in order of first appearance. */
const palette = [
  '#fbb4ae', '#b3cde3', '#ccebc5', '#decbe4', '#fed9a6', '#ffffcc', '#e5d8bd', '#fddaec',
  '#b3e2cd', '#fdcdac', '#cbd5e8', '#f4cae4', '#e6f5c9', '#fff2ae', '#f1e2cc', '#d9d9d9',
];

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

interface Picture {
  readonly nodes: readonly Node[];
  readonly names: ReadonlyMap<Node, string[]>;
  /** Step index of each node (programs only). */
  readonly stepOf: ReadonlyMap<Node, number>;
}

function isProgram(s: object): s is Program {
  return 'plan' in s && 'graph' in s && 'outputs' in s;
}

function isStage(s: object): s is Stage {
  return 'graph' in s && 'outputs' in s && (s as Stage).graph instanceof Graph;
}

function namesOf(outputs: Readonly<Record<string, Node>>): Map<Node, string[]> {
  const names = new Map<Node, string[]>();
  for (const [name, n] of Object.entries(outputs)) names.set(n, [...(names.get(n) ?? []), name]);
  return names;
}

function picture(source: DotSource): Picture {
  if (source instanceof Graph) return { nodes: source.nodes, names: new Map(), stepOf: new Map() };
  if (source === null || typeof source !== 'object') throw new GraphError('toDot', 'source must be a program, stage, graph or nodes', { source });
  if (Array.isArray(source)) {
    const list = source as readonly unknown[];
    list.forEach((n, i) => {
      if (!(n instanceof Node)) throw new GraphError('toDot', `node ${i} must be a Node`, { node: n });
    });
    if (list.length === 0) throw new GraphError('toDot', 'nodes must not be empty', { nodes: 0 });
    return { nodes: liveNodes(Object.fromEntries(list.map((n, i) => [String(i), n as Node])), 'toDot'), names: new Map(), stepOf: new Map() };
  }
  if (isProgram(source)) {
    const stepOf = new Map(source.plan.steps.map((s, i) => [s.node, i] as const));
    return { nodes: liveNodes(source.outputs, 'toDot'), names: namesOf(source.outputs), stepOf };
  }
  if (isStage(source)) return { nodes: liveNodes(source.outputs, 'toDot'), names: namesOf(source.outputs), stepOf: new Map() };
  const outputs = source as Readonly<Record<string, unknown>>;
  for (const [name, n] of Object.entries(outputs)) {
    if (!(n instanceof Node)) throw new GraphError('toDot', `output "${name}" must be a Node`, { [name]: n });
  }
  return { nodes: liveNodes(outputs as Record<string, Node>, 'toDot'), names: namesOf(outputs as Record<string, Node>), stepOf: new Map() };
}

const shorten = (s: string, max = 48) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * A Graphviz DOT picture of a graph: inputs (blue), constants (grey) and forward ops
 * (white) as boxes; gradient nodes filled with the colour of the rule that produced them
 * and labelled `∂ of <forward node> by <rule>`; outputs with a double border and their
 * names; edges labelled with the tensor's dtype and shape; fused nodes (of a program, or a
 * stage after fusion) as clusters named by their step, holding their expression's ops; and a
 * legend of the rules.
 *
 * ```ts
 * const dot = toDot(program, { rankdir: 'LR' });
 * const svg = await toSvg(program);
 * ```
 */
export function toDot(source: DotSource, options: DotOptions = {}): string {
  const { nodes, names, stepOf } = picture(source);
  const showShapes = options.shapes ?? true;
  const showProvenance = options.provenance ?? true;
  const showAttrs = options.attrs ?? true;
  const present = new Set(nodes);
  const colours = new Map<string, string>();
  if (showProvenance) {
    for (const n of nodes) {
      const rule = n.provenance?.rule;
      if (rule !== undefined && !colours.has(rule)) colours.set(rule, palette[colours.size % palette.length]!);
    }
  }
  const lines: string[] = ['digraph graft {'];
  lines.push(`  rankdir=${options.rankdir ?? 'TB'};`);
  lines.push('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];');
  lines.push('  edge [fontname="Helvetica", fontsize=8, color="#555555"];');
  if (options.title !== undefined) lines.push(`  labelloc=t; label=${dotString(options.title)}; fontname="Helvetica";`);

  const nodeLine = (n: Node): string => {
    const label: string[] = [];
    const attrs: string[] = [];
    if (n.is('input')) {
      label.push(`input ${JSON.stringify(n.attrs.name)}`, `${n.dtype}${fmtShape(n.shape)}`);
      attrs.push('fillcolor="#dbeafe"', 'shape=ellipse');
    } else if (n.is('constant')) {
      label.push(`constant#${n.id}`, shorten(formatAttrs(n), 32));
      attrs.push('fillcolor="#eeeeee"', 'fontsize=8');
    } else {
      label.push(`${n.op}#${n.id}`);
      const a = showAttrs ? formatAttrs(n) : '';
      if (a) label.push(shorten(a));
    }
    if (showProvenance && n.provenance !== undefined) {
      label.push(`∂ of ${n.provenance.forward} by ${n.provenance.rule}`);
      attrs.push(`fillcolor="${colours.get(n.provenance.rule)!}"`);
    }
    const named = names.get(n);
    if (named !== undefined) {
      label.push(`→ ${named.join(', ')}  ${n.dtype}${fmtShape(n.shape)}`);
      attrs.push('peripheries=2');
    }
    return `n${n.id} [label=${dotString(label.join('\n'))}${attrs.length ? `, ${attrs.join(', ')}` : ''}];`;
  };

  const showFusion = options.fusion ?? true;
  nodes.forEach((n, k) => {
    if (!showFusion || !n.is('fused')) {
      lines.push(`  ${nodeLine(n)}`);
      return;
    }
    // A fused node: a cluster of its expression's ops, the result being the node itself.
    const { expr } = n.attrs;
    const step = stepOf.get(n);
    const ops = expr.values.filter((v) => v.kind === 'apply').length;
    lines.push(`  subgraph cluster_fused_${k} {`);
    lines.push(`    label=${dotString(`fused${step === undefined ? '' : ` step ${step}`}: ${ops} ops`)}; style="rounded,filled"; color="#d97706"; fillcolor="#fef3c7"; fontsize=9;`);
    lines.push(`    ${nodeLine(n)}`);
    expr.values.forEach((v, i) => {
      if (v.kind !== 'apply' || i === expr.result) return;
      lines.push(`    n${n.id}_${i} [label=${dotString(v.op.name)}, fontsize=8];`);
    });
    lines.push('  }');
    expr.values.forEach((v, i) => {
      if (v.kind !== 'apply') return;
      const target = i === expr.result ? `n${n.id}` : `n${n.id}_${i}`;
      for (const a of v.args) {
        const src = expr.values[a]!;
        if (src.kind === 'apply') lines.push(`  n${n.id}_${a} -> ${target};`);
        else if (src.kind === 'load' && present.has(n.inputs[src.input]!)) lines.push(`  n${n.inputs[src.input]!.id} -> ${target} [style=dashed];`);
      }
    });
  });
  for (const n of nodes) {
    if (showFusion && n.is('fused')) continue;
    for (const i of n.inputs) {
      if (!present.has(i)) continue;
      const label = showShapes ? ` [label=${dotString(`${i.dtype === 'float32' ? 'f32' : 'f64'}${fmtShape(i.shape)}`)}]` : '';
      lines.push(`  n${i.id} -> n${n.id}${label};`);
    }
  }
  if ((options.legend ?? true) && colours.size > 0) {
    lines.push('  subgraph cluster_legend {');
    lines.push('    label="gradient rules"; style="rounded"; color="#999999"; fontsize=9;');
    [...colours].forEach(([rule, colour], k) => lines.push(`    legend_${k} [label=${dotString(rule)}, fillcolor="${colour}", fontsize=8];`));
    lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n');
}
