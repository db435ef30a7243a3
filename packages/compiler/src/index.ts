export { compile, checkFeeds, type CompileOptions } from './compile.ts';
export type { Backend, BufferSpec, Executable, Feeds, Program, ProgramPlan, ProgramStats, Step } from './program.ts';
