/**
 * graft: symbolic automatic differentiation and graph compilation around 2-D convolution.
 *
 * ```ts
 * import { Graph, compile, cpu } from 'graft';
 * const g = new Graph({ dtype: 'float64' });
 * const x = g.input('x', [2, 7, 7, 3]);
 * const w = g.input('w', [3, 3, 3, 4]);
 * const y = g.conv2d(x, w, { strides: 2, padding: 'SAME' });
 * const out = await compile({ y }, { backend: cpu() }).run({ x: xData, w: wData });
 * ```
 */
export * from '@graft/ir';
export {
  rewrite,
  rewriteNodes,
  formatTrace,
  rule,
  lowerConvGradients,
  lowerDepthwise,
  backpropInputAsConv,
  backpropFilterAsConv,
  type Rule,
  type RuleSet,
  type TraceEntry,
  type RewriteResult,
  type RewriteOptions,
} from '@graft/rewrite';
/** The rewrite pattern DSL: `patterns.op('reverse', [patterns.any('x')])`. */
export * as patterns from '@graft/rewrite';
export * from '@graft/compiler';
export * from '@graft/backend-cpu';
export * from '@graft/backend-gpujs';
export * from '@graft/autodiff';
export * from '@graft/gradcheck';
/** Layers, initialisers, losses, optimisers, training, datasets: `nn.sequential([nn.conv2d({ … }), …])`. */
export * as nn from '@graft/nn';
export {
  exportOnnx,
  exportOnnxModel,
  importOnnx,
  type ImportOptions as OnnxImportOptions,
  type ImportedModel,
  OnnxExportError,
  OnnxImportError,
  type ExportOptions as OnnxExportOptions,
  type ExportableModel,
} from '@graft/onnx';
/** ONNX export and import in full (the export-rule table, the protobuf encoder and decoder): `onnx.exportRules`. */
export * as onnx from '@graft/onnx';
