/**
 * `@graft/rewrite`: a pattern DSL, rules as data, and `rewrite` to a fixed point with a
 * trace of which rule fired where; plus the rule set that lowers the conv gradients to
 * `conv2d` + `pad` + `reverse` + `transpose` + `dilate`.
 */
export { any, constant, match, op, type AnyPattern, type AttrsOfEach, type Captures, type CapturesOfAll, type ConstantPattern, type OpPattern, type OpPatternOptions, type Pattern } from './pattern.ts';
export { rule, type Rule, type RuleSet } from './rule.ts';
export { rewrite, rewriteNodes, type RewriteOptions, type RewriteResult, type TraceEntry } from './rewrite.ts';
export { formatTrace, type FormatTraceOptions } from './trace.ts';
export {
  backpropFilterAsConv,
  backpropInputAsConv,
  lowerConv2dBackpropFilter,
  lowerConv2dBackpropInput,
  lowerConv2dTranspose,
  lowerConvGradients,
  lowerDepthwise,
  lowerDepthwiseConv2d,
  lowerDepthwiseConv2dBackpropFilter,
  lowerDepthwiseConv2dBackpropInput,
} from './rules/lower-conv-gradients.ts';
