import { fmtShape, fmtValue } from './errors.ts';
import type { Node } from './node.ts';

export interface PrintOptions {
  /** Show the provenance of gradient nodes (default true). */
  readonly provenance?: boolean;
  /** Names to show for some nodes (e.g. the outputs of a compiled program). */
  readonly names?: ReadonlyMap<Node, string>;
}

/** Formats one node's attrs as `key=value` pairs. */
export function formatAttrs(n: Node): string {
  if (n.op === 'input') return JSON.stringify((n as Node<'input'>).attrs.name);
  if (n.op === 'constant') {
    const v = (n as Node<'constant'>).attrs.values;
    const shown = Array.from(v.subarray(0, 4), (x) => Number(x.toPrecision(6)));
    return `[${shown.join(', ')}${v.length > 4 ? `, … ${v.length} values` : ''}]`;
  }
  if (n.record.formatAttrs !== undefined) return n.record.formatAttrs(n.attrs);
  return Object.entries(n.attrs as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : fmtValue(v)}`)
    .join(' ');
}

/** One line per node: `%3 = conv2d(%0, %1) strides=[2,2] … : float64[2,4,4,4]`. */
export function formatNode(n: Node, options: PrintOptions = {}): string {
  const args = n.inputs.length > 0 ? `(${n.inputs.map((i) => `%${i.id}`).join(', ')})` : '';
  const attrs = formatAttrs(n);
  const name = options.names?.get(n);
  let line = `%${n.id} = ${n.op}${args}${attrs ? ` ${attrs}` : ''} : ${n.dtype}${fmtShape(n.shape)}`;
  if (name !== undefined) line += `  → ${name}`;
  if ((options.provenance ?? true) && n.provenance) {
    line += `  ; ${n.provenance.mode} of %${n.provenance.forward.id} by ${n.provenance.rule}`;
  }
  return line;
}

/** Prints nodes (a whole graph's, or those an output needs) one per line with shapes. */
export function printGraph(nodes: readonly Node[], options: PrintOptions = {}): string {
  return nodes.map((n) => formatNode(n, options)).join('\n');
}
