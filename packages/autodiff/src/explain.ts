import { formatAttrs, type Node } from '@graft/ir';

/**
 * A readable derivation of a gradient node: which forward node and which rule produced it,
 * then the same for the gradient nodes it is built from, e.g.
 * `conv2dBackpropInput#9 = d/dx of conv2d#2 (strides=[2,2] padding=SAME …) by rule conv2d.vjp.x`.
 */
export function explainGradient(node: Node, options: { readonly depth?: number } = {}): string {
  const depth = options.depth ?? 3;
  const lines: string[] = [];
  const seen = new Set<Node>();
  const visit = (n: Node, level: number) => {
    if (seen.has(n) || level > depth) return;
    seen.add(n);
    const indent = '  '.repeat(level);
    const p = n.provenance;
    if (p === undefined) {
      if (level === 0) lines.push(`${n} is a forward node (no gradient rule produced it)`);
      return;
    }
    const args = n.inputs.map(String).join(', ');
    const f = p.forward;
    const what =
      p.rule === 'seed'
        ? `the seed d${f}/d${f} = 1`
        : p.rule === 'accumulate'
          ? `the sum of the cotangents reaching ${f} along its several uses`
          : `${p.mode === 'vjp' ? `d/d${operandOf(p.rule)}` : 'the tangent'} of ${f}${describe(f)}`;
    lines.push(`${indent}${n} = ${n.op}(${args}) : ${what}, by rule ${p.rule}`);
    for (const i of n.inputs) visit(i, level + 1);
  };
  visit(node, 0);
  return lines.join('\n');
}

function operandOf(rule: string): string {
  return rule.split('.')[2] ?? '?';
}

function describe(f: Node): string {
  const attrs = formatAttrs(f);
  return attrs ? ` (${attrs})` : '';
}
