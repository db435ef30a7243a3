/**
 * @graft/onnx: graft graphs and models to ONNX and back.
 *
 * ```ts
 * import { exportOnnx, importOnnx } from '@graft/onnx';
 * const bytes = exportOnnx(model, { batch: 1 });          // an nn Model: weights as initializers
 * const { outputs, inputs } = importOnnx(bytes);          // a graft graph: compile it, differentiate it
 * ```
 */
export { exportOnnx, exportOnnxModel, DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, type ExportOptions, type ExportableModel } from './export.ts';
export { exportRules, type ExportedOp, type SourceOp } from './export-rules.ts';
export type { Attr, ExportContext, ExportEntry, ExportResult, ExportRule, OnnxValue } from './export-context.ts';
export { importOnnx, MIN_IMPORT_OPSET, type ImportOptions, type ImportedModel } from './import.ts';
export { importRules } from './import-rules.ts';
export type { GraftView, ImportContext, ImportEntry, ImportResult } from './import-context.ts';
export { coverageTables } from './coverage.ts';
export { OnnxExportError, OnnxImportError, type UnsupportedNode } from './errors.ts';
export { NCHW, OIHW, permuteData, permuteShape, type Perm } from './layouts.ts';
export {
  DataType,
  decodeModel,
  encodeModel,
  type AttributeValue,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type OpsetImport,
  type Tensor,
  type TensorData,
  type ValueInfo,
} from './onnx-proto.ts';
export { ProtobufError } from './protobuf.ts';
