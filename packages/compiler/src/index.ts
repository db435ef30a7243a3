export { compile, checkFeeds, type CompileOptions } from './compile.ts';
export type {
  ArenaSizes,
  Backend,
  BufferRole,
  BufferSpec,
  CopyStep,
  Executable,
  Feeds,
  KernelStep,
  MemoryPlan,
  PassRecord,
  PrepareOptions,
  Program,
  ProgramPlan,
  ProgramStats,
  RunOptions,
  Step,
  Storage,
} from './program.ts';
export { createStage, type Pass, type PassContext, type PassResult, type Stage } from './stage.ts';
export { defaultPipeline, runPipeline, type PipelineOptions, type PipelineResult } from './pipeline.ts';
export { verifyPass, verifyStage } from './passes/verify.ts';
export { simplifyPass, lowerConvGradientsPass, rewritePass } from './passes/simplify.ts';
export { foldConstantsPass, foldRule } from './passes/fold-constants.ts';
export { csePass, eliminateCommonSubexpressions } from './passes/cse.ts';
export { dcePass, eliminateDeadCode } from './passes/dce.ts';
export { fusePass, fuseElementwise, fusionGroups, isFusible } from './passes/fuse.ts';
export { simplifyRules, filledWith } from './rules/simplify.ts';
export { schedule, liveNodes, type ScheduleOptions } from './schedule.ts';
export { planMemory, defaultMemoryOptions, type MemoryOptions } from './memory.ts';
export { DEFAULT_MEMORY_LIMIT, checkMemoryLimit, checkTensorLimits, type BufferSummary } from './resources.ts';
export { formatListing, formatExpr } from './listing.ts';
export { toDot, dotString, type DotOptions, type DotSource } from './dot.ts';
export { toSvg, type SvgOptions } from './svg.ts';
export { checkPlan } from './check-plan.ts';
export { coalesce } from './coalesce.ts';
