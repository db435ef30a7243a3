import { GraftError } from '@graft/ir';

/** One node that has no ONNX (or graft) equivalent, and why. */
export interface UnsupportedNode {
  /** The op: a graft op name on export, an ONNX op type on import. */
  readonly op: string;
  /** The node: `dilate#12` on export, the ONNX node's name (or its first output) on import. */
  readonly node: string;
  readonly reason: string;
}

function listing(nodes: readonly UnsupportedNode[]): string {
  return nodes.map((n) => `${n.node} (${n.reason})`).join('; ');
}

/**
 * A graph that ONNX cannot express: lists every node whose op has no ONNX mapping at once
 * (`unsupported`), not just the first.
 */
export class OnnxExportError extends GraftError {
  readonly unsupported: readonly UnsupportedNode[];
  constructor(unsupported: readonly UnsupportedNode[]) {
    const ops = [...new Set(unsupported.map((u) => u.op))];
    super(
      'exportOnnx',
      `every op must have an ONNX mapping; ${unsupported.length} node${unsupported.length === 1 ? '' : 's'} of ${ops.length} op${ops.length === 1 ? '' : 's'} (${ops.join(', ')}) do${unsupported.length === 1 ? 'es' : ''} not`,
      { nodes: unsupported.length, ops, unsupported: unsupported.map((u) => u.node) },
      listing(unsupported),
    );
    this.unsupported = unsupported;
  }
}

/** An ONNX model that graft cannot import: lists every node whose op (or attribute) has no graft mapping. */
export class OnnxImportError extends GraftError {
  readonly unsupported: readonly UnsupportedNode[];
  constructor(unsupported: readonly UnsupportedNode[]) {
    const ops = [...new Set(unsupported.map((u) => u.op))];
    super(
      'importOnnx',
      `every node must have a graft mapping; ${unsupported.length} node${unsupported.length === 1 ? '' : 's'} of ${ops.length} op type${ops.length === 1 ? '' : 's'} (${ops.join(', ')}) do${unsupported.length === 1 ? 'es' : ''} not`,
      { nodes: unsupported.length, ops, unsupported: unsupported.map((u) => u.node) },
      listing(unsupported),
    );
    this.unsupported = unsupported;
  }
}
