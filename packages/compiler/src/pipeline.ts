import { GraftError, GraphError, Node } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';
import { csePass } from './passes/cse.ts';
import { dcePass } from './passes/dce.ts';
import { foldConstantsPass } from './passes/fold-constants.ts';
import { fusePass } from './passes/fuse.ts';
import { lowerConvGradientsPass, simplifyPass } from './passes/simplify.ts';
import { verifyPass, verifyStage } from './passes/verify.ts';
import type { PassRecord } from './program.ts';
import { liveNodes } from './schedule.ts';
import type { Pass, PassContext, Stage } from './stage.ts';

/** Options of `defaultPipeline`. */
export interface PipelineOptions {
  /** Insert `lowerConvGradients` before simplification (default false). */
  readonly lowerConvGradients?: boolean;
}

/**
 * The passes `compile` runs unless given others, in order:
 * verify → [lowerConvGradients] → simplify → foldConstants → cse → dce → fuse.
 * Memory planning follows, on the scheduled steps.
 */
export function defaultPipeline(options: PipelineOptions = {}): readonly Pass[] {
  return Object.freeze([
    verifyPass,
    ...(options.lowerConvGradients === true ? [lowerConvGradientsPass] : []),
    simplifyPass,
    foldConstantsPass,
    csePass,
    dcePass,
    fusePass,
  ]);
}

/** The result of running passes. */
export interface PipelineResult {
  readonly stage: Stage;
  readonly records: readonly PassRecord[];
  /** Every rewrite firing, in order. */
  readonly trace: readonly TraceEntry[];
  /** The pass that produced the final stage (`input` when there were none). */
  readonly last: string;
}

/**
 * Runs `passes` in order. After each pass the result is checked: always its shape (a
 * stage whose outputs are nodes of its graph, under the same names), and with `debug` in
 * full (`verifyStage`); a failure is a `GraphError` naming the pass. An exception that is
 * not a graft error is wrapped in one naming the pass.
 */
export function runPipeline(
  source: Stage,
  passes: readonly Pass[],
  context: PassContext,
  options: { readonly debug: boolean; readonly keep: boolean },
): PipelineResult {
  checkPasses(passes);
  let stage = source;
  let last = 'input';
  const records: PassRecord[] = [];
  const trace: TraceEntry[] = [];
  for (const pass of passes) {
    const start = performance.now();
    let result;
    try {
      result = pass.run(stage, context);
    } catch (e) {
      if (e instanceof GraftError) throw e;
      throw new GraphError(pass.name, 'the pass must not throw', { pass: pass.name, error: e instanceof Error ? e.message : String(e) }, e instanceof Error ? e.message : String(e));
    }
    const ms = performance.now() - start;
    const next = result?.stage;
    checkShape(next, source, pass.name);
    if (options.debug) verifyStage(next, pass.name);
    stage = next;
    last = pass.name;
    const passTrace = result.trace ?? [];
    trace.push(...passTrace);
    const live = liveNodes(stage.outputs, pass.name);
    records.push(
      Object.freeze({
        name: pass.name,
        nodes: live.length,
        fused: live.filter((n) => n.op === 'fused').length,
        trace: passTrace,
        notes: result.notes ?? [],
        ms,
        graph: options.keep ? stage.graph : undefined,
        outputs: options.keep ? stage.outputs : undefined,
      }),
    );
  }
  return { stage, records, trace, last };
}

function checkPasses(passes: readonly Pass[]): void {
  if (!Array.isArray(passes)) throw new GraphError('compile', 'passes must be an array of passes', { passes });
  passes.forEach((p: unknown, i) => {
    const ok = p !== null && typeof p === 'object' && typeof (p as Pass).name === 'string' && typeof (p as Pass).run === 'function';
    if (!ok) throw new GraphError('compile', `pass ${i} must have a name and a run function`, { index: i, pass: String(p) });
  });
}

/** The cheap check run after every pass: a stage, with the same output names, whose outputs are nodes of its graph. */
function checkShape(stage: Stage | undefined, source: Stage, pass: string): asserts stage is Stage {
  if (stage === null || typeof stage !== 'object' || stage.outputs === null || typeof stage.outputs !== 'object') {
    throw new GraphError(pass, 'the pass must return a stage with outputs', { stage: String(stage) });
  }
  const names = Object.keys(source.outputs);
  for (const name of names) {
    const n: unknown = stage.outputs[name];
    if (!(n instanceof Node)) throw new GraphError(pass, `output "${name}" must be a Node`, { [name]: n });
    if (n.graph !== stage.graph) throw new GraphError(pass, `output "${name}" (${n}) must be a node of the stage's graph`, { name, node: String(n) });
  }
  const extra = Object.keys(stage.outputs).filter((k) => !names.includes(k));
  if (extra.length > 0) throw new GraphError(pass, `the pass must keep the output names; it added ${extra.map((e) => `"${e}"`).join(', ')}`, { added: extra, names });
}
