import { exportRules, type ExportedOp } from './export-rules.ts';
import { importRules } from './import-rules.ts';

/**
 * The ONNX op coverage as two Markdown tables, made from the rule tables themselves (so the
 * documentation cannot drift from the code): graft op → ONNX ops, and ONNX op → graft ops.
 */
export function coverageTables(): { readonly export: string; readonly import: string } {
  const exportRows = (Object.keys(exportRules) as ExportedOp[]).map((op) => {
    const e = exportRules[op];
    if ('unsupported' in e) return `| \`${op}\` | — | not exported: ${e.unsupported} |`;
    const onnx = e.onnx.length === 0 ? '(none)' : e.onnx.map((o) => `\`${o}\``).join(', ');
    return `| \`${op}\` | ${onnx} | ${e.note ?? ''} |`;
  });
  const importRows = Object.entries(importRules).map(([op, e]) => {
    const graft = e.graft.length === 0 ? '(none)' : e.graft.map((o) => `\`${o}\``).join(', ');
    return `| \`${op}\` | ${graft} | ${e.note ?? ''} |`;
  });
  return {
    export: ['| graft op | ONNX ops | notes |', '| --- | --- | --- |', ...exportRows].join('\n'),
    import: ['| ONNX op | graft ops | notes |', '| --- | --- | --- |', ...importRows].join('\n'),
  };
}
