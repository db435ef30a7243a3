import { defaultMemoryOptions, planMemory, type Backend, type Executable, type MemoryPlan, type PrepareOptions, type ProgramPlan, type Step } from '@graft/compiler';
import { AttrError, GraphError, ResourceError, allocate, elementwiseProgram, groupGeometry, hasElementwiseProgram, type ConvGeometry, type DType, type FloatArray, type Node, type OpName } from '@graft/ir';
import type { OnednnAddon, OnednnUnavailable } from '@graft/onednn';
import { platform } from '#platform';
import { compileElementwise } from './fused-kernel.ts';
import { compileElementwiseF32 } from './kernels/wasm/fused.ts';
import { wasmKernelsEnabled, withoutWasmKernels } from './kernels/wasm/module.ts';
import type { Kernel } from './kernel.ts';
import { kernels } from './kernels/index.ts';
import { allocateFloat32, freeFloat32 } from './kernels/wasm/heap.ts';
import { usesWinograd } from './kernels/wasm/conv.ts';
import { threads as defaultThreadCount, withThreads } from './kernels/wasm/threads.ts';
import { convEpilogue, isNativeCandidate, nativePrimitive, type ConvEpilogue } from './kernels/native/onednn.ts';

/**
 * Which kernels run float32 ops (float64 always runs the TypeScript reference kernels):
 * - `'onednn'`: the native oneDNN addon (`@graft/onednn`) for the conv family and matmul, the
 *   WebAssembly kernels for the rest;
 * - `'wasm'`: the WebAssembly SIMD kernels (the portable path, also the browser's);
 * - `'typescript'`: the reference TypeScript kernels (float64 sums rounded once).
 */
export type CpuKernels = 'onednn' | 'wasm' | 'typescript';

const kernelChoices: readonly CpuKernels[] = ['onednn', 'wasm', 'typescript'];

/** Options of `cpu()`. */
export interface CpuOptions {
  /** Called for every typed array the executor allocates (to count allocations in tests). */
  readonly onAllocate?: (bytes: number) => void;
  /**
   * Fill the arenas with NaN when a plan is prepared, so that a kernel reading an element
   * nobody wrote shows up as NaN instead of a plausible stale value (for tests).
   */
  readonly poison?: boolean;
  /**
   * Place the float32 arena in the WebAssembly kernels' memory (default true), so the float32
   * conv kernels use its buffers in place instead of copying operands and results on every
   * call. That memory is invisible to the garbage collector: `dispose()` a program when done
   * with it (an undisposed one is released only when it is collected, which memory growth
   * there does not prompt). Off where the memory cannot be shared (a page that is not
   * cross-origin isolated), since growing a private memory detaches every view of it.
   */
  readonly wasmArena?: boolean;
  /**
   * Which kernels run float32 ops (see `CpuKernels`). Default: the environment variable
   * `GRAFT_CPU_KERNELS` when set, else `'onednn'` where the addon loads and `'wasm'` elsewhere.
   * Asking for `'onednn'` where it does not load throws, with the reason.
   */
  readonly kernels?: CpuKernels;
  /** Threads a kernel call may use (default: one per core, or the deprecated `setCpuThreads`). */
  readonly threads?: number;
  /** Where the native addon comes from (tests: a loader that fails, to see the fallback). */
  readonly loadNative?: () => OnednnAddon | OnednnUnavailable;
}

/** The CPU executor: a backend that also says which kernels it chose, and why. */
export interface CpuBackend extends Backend {
  /** Which kernels run float32 ops. */
  readonly kernels: CpuKernels;
  /** Why those: asked for, or why the native kernels are not used. */
  readonly kernelsWhy: string;
  /** The thread count kernel calls use (a number, or the process default when not given). */
  readonly threads: number | 'default';
}

/**
 * The most elements one tensor may have on `cpu()`: 2³⁰. The float32 arena lives in the
 * kernels' WebAssembly memory, which wasm32 caps at 4 GiB = 2³⁰ float32 values; float64
 * tensors get the same cap (8 GiB each).
 */
export const CPU_MAX_ELEMENTS = 2 ** 30;

/** The reference typed-array executor (float32 and float64). */
export function cpu(options: CpuOptions = {}): CpuBackend {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new AttrError('cpu', 'threads must be a positive integer', { threads: options.threads });
  }
  const choice = chooseKernels(options);
  return {
    name: 'cpu',
    kernels: choice.kernels,
    kernelsWhy: choice.why,
    threads: options.threads ?? 'default',
    maxElements: CPU_MAX_ELEMENTS,
    prepare: (plan, prepareOptions) =>
      new CpuExecutable(plan, options, choice.kernels, choice.addon, prepareOptions?.memory ?? defaultMemoryOptions, prepareOptions?.memoryPlan),
  };
}

/** The kernels `cpu(options)` runs, the addon when they are native, and why. */
function chooseKernels(options: CpuOptions): { kernels: CpuKernels; why: string; addon?: OnednnAddon } {
  const env = platform.env('GRAFT_CPU_KERNELS');
  const asked = options.kernels ?? (env === undefined || env === '' ? undefined : (env as CpuKernels));
  const source = options.kernels !== undefined ? 'cpu({ kernels })' : 'GRAFT_CPU_KERNELS';
  if (asked !== undefined && !kernelChoices.includes(asked)) {
    throw new AttrError('cpu', `${source} must be one of ${kernelChoices.join(', ')}`, { kernels: asked });
  }
  if (asked === 'wasm' || asked === 'typescript') return { kernels: asked, why: `asked for by ${source}` };
  const native = (options.loadNative ?? platform.loadOnednn)();
  if (!('reason' in native)) {
    return { kernels: 'onednn', why: asked === undefined ? 'the oneDNN addon loaded' : `asked for by ${source}`, addon: native };
  }
  if (asked === 'onednn') throw new GraphError('cpu', `${source} asks for the oneDNN kernels, which are not available: ${native.reason}`, { kernels: asked, reason: native.reason });
  return { kernels: 'wasm', why: `the oneDNN addon is not available: ${native.reason}` };
}

/** Float32 ops the WebAssembly kernels run (the others run in TypeScript). */
function runsOnWasm(node: Node): boolean {
  if (node.dtype !== 'float32') return false;
  switch (node.op) {
    case 'conv2d':
    case 'conv2dBackpropInput':
    case 'conv2dTranspose':
    case 'conv2dBackpropFilter':
    case 'depthwiseConv2d':
    case 'depthwiseConv2dBackpropInput':
    case 'depthwiseConv2dBackpropFilter':
    case 'matmul':
    case 'maxPool':
    case 'avgPool':
    case 'maxPoolGrad':
    case 'maxPoolGradGrad':
      return true;
    case 'sum':
      return (node as Node<'sum'>).attrs.axes.every((a, i) => a === i);
    default:
      return false;
  }
}

/**
 * How `program.stats().kernels` names a step the WebAssembly kernels run: a conv on the Winograd
 * kernels as `wasm winograd 3×3` / `5×5` (group by group for a grouped conv), every other one as `wasm`.
 */
function wasmLabel(node: Node): string {
  const ops = { conv2d: 'conv2d', conv2dBackpropInput: 'conv2dBackpropInput', conv2dTranspose: 'conv2dBackpropInput', conv2dBackpropFilter: 'conv2dBackpropFilter' } as const;
  const op = Object.hasOwn(ops, node.op) ? ops[node.op as keyof typeof ops] : undefined;
  if (op === undefined) return 'wasm';
  const g = (node as unknown as { geometry: ConvGeometry }).geometry;
  if (g.groups > 1 && g.groupInC === 1) return 'wasm';
  const one = g.groups > 1 ? groupGeometry(g) : g;
  return usesWinograd(op, one) ? `wasm winograd ${one.kh}×${one.kw}` : 'wasm';
}

/**
 * A plan prepared on the CPU: its memory planned (`planMemory`: one arena per dtype), a
 * fixed view of the arena per buffer, and per step a closure over its kernel, its output
 * view and an argument array. Feeds are the only arrays that change between runs; they are
 * written into the argument arrays that read them at the start of each run, so a run
 * allocates no typed array.
 */
class CpuExecutable implements Executable {
  readonly memory: MemoryPlan;
  readonly #views: (FloatArray | undefined)[];
  readonly #run: (() => void)[];
  /** Argument slots that read a feed: [args, position, buffer]. */
  readonly #feedSlots: [FloatArray[], number, number][] = [];
  readonly #outputs = new Map<number, FloatArray>();
  /** The float32 arena when it lives in the WebAssembly kernels' memory (freed by dispose). */
  #wasmArena: Float32Array | undefined;
  /** Steps per kernel implementation (`program.stats().kernels`). */
  readonly #kernelCounts: Record<string, number> = {};
  readonly #threads: number | undefined;
  /** Forward convs whose bias (+ relu) step oneDNN runs as post-ops: conv step → [fused step, epilogue]. */
  #epilogues: ReadonlyMap<Step, { fused: Step; epilogue: ConvEpilogue; bias: number }> = new Map();
  /** Fused steps a conv's epilogue computes (they run nothing themselves). */
  readonly #absorbed = new Set<Step>();

  constructor(
    readonly plan: ProgramPlan,
    readonly options: CpuOptions,
    readonly kernels: CpuKernels,
    readonly addon: OnednnAddon | undefined,
    memoryOptions: PrepareOptions['memory'],
    memoryPlan: PrepareOptions['memoryPlan'],
  ) {
    this.#threads = options.threads;
    this.memory = memoryPlan ?? planMemory(plan, memoryOptions);
    const arenas = {} as Record<DType, FloatArray>;
    for (const dtype of ['float32', 'float64'] as const) {
      const size = this.memory.arena[dtype];
      const wasm = dtype === 'float32' && size > 0 && options.wasmArena !== false && platform.sharedMemory;
      arenas[dtype] = wasm ? this.#float32Arena(size) : allocateArena(dtype, size);
      if (size > 0) options.onAllocate?.(arenas[dtype].byteLength);
      if (options.poison === true) arenas[dtype].fill(NaN);
    }
    this.#views = plan.buffers.map((b) => {
      const storage = this.memory.storage[b.id]!;
      if (storage.kind === 'feed') return undefined;
      return arenas[b.dtype].subarray(storage.offset, storage.offset + b.size);
    });
    // The constants, computed once with the same kernels and threads as every run.
    const prologue = plan.prologue.map((step) => this.#prepare(step));
    this.#within(() => prologue.forEach((run) => run?.()));
    for (const label of Object.keys(this.#kernelCounts)) delete this.#kernelCounts[label];
    this.#epilogues = this.addon === undefined ? new Map() : epilogues(plan, this.memory);
    this.#run = plan.steps.map((s) => this.#prepare(s)).filter((run): run is () => void => run !== undefined);
    for (const { buffer } of plan.outputs.values()) this.#outputs.set(buffer, this.#view(buffer));
  }

  /**
   * The float32 arena, allocated in the WebAssembly kernels' memory so that they read and
   * write its buffers in place instead of copying operands in and results out on every call;
   * a plain Float32Array where that memory is not available.
   */
  #float32Arena(size: number): Float32Array {
    try {
      const arena = allocateFloat32(size);
      this.#wasmArena = arena;
      release.register(this, arena, this);
      return arena.fill(0);
    } catch {
      return allocateArena('float32', size) as Float32Array;
    }
  }

  #view(id: number): FloatArray {
    const v = this.#views[id];
    if (v === undefined) throw new GraphError('cpu', `buffer b${id} must be in the arena to be written or returned`, { buffer: id });
    return v;
  }

  /** The closure that runs one step over fixed views; feed arguments are filled in per run. */
  #prepare(step: Step): (() => void) | undefined {
    if (this.#absorbed.has(step)) return undefined;
    const fusedInto = this.#epilogues.get(step);
    const out = this.#view(fusedInto === undefined ? step.output : fusedInto.fused.output);
    const args: FloatArray[] = [];
    step.inputs.forEach((b, k) => {
      const storage = this.memory.storage[b]!;
      if (storage.kind === 'feed') {
        this.#feedSlots.push([args, k, storage.buffer]);
        args.push(out); // replaced by the feed at the start of each run
      } else {
        args.push(this.#view(b));
      }
    });
    switch (step.kind) {
      case 'kernel': {
        const node = step.node;
        if (hasElementwiseProgram(node)) {
          // Generated from the ops' arithmetic: float32 on the WebAssembly evaluator where it
          // has every primitive, otherwise a JavaScript loop.
          const program = elementwiseProgram(node);
          const simd = this.kernels !== 'typescript' && wasmKernelsEnabled() ? compileElementwiseF32(program) : undefined;
          this.#count(simd !== undefined ? 'wasm' : 'typescript');
          if (simd !== undefined) return () => simd(out as Float32Array, args as Float32Array[]);
          const loop = compileElementwise(program);
          return () => loop(out, args);
        }
        const kernel = Object.hasOwn(kernels, node.op) ? (kernels as Readonly<Record<string, Kernel<OpName>>>)[node.op] : undefined;
        if (kernel === undefined) throw new GraphError('cpu', `no kernel for op ${node.op}`, { op: node.op });
        if (fusedInto !== undefined) {
          const conv = this.#native(node, fusedInto.epilogue);
          if (conv !== undefined) {
            // y = relu(conv2d(x, w) + b) in one primitive, written where the fused step writes.
            this.#absorbed.add(fusedInto.fused);
            this.#count(`onednn ${conv.impl} + ${fusedInto.epilogue.relu ? 'bias, relu' : 'bias'}`);
            const bias = this.#argument(fusedInto.bias, args);
            return () => conv.run(args[0] as Float32Array, args[1] as Float32Array, out as Float32Array, bias() as Float32Array);
          }
          return this.#prepare({ ...step });
        }
        const native = this.#native(node);
        if (native !== undefined) {
          this.#count(`onednn ${native.impl}`);
          return () => native.run(args[0] as Float32Array, args[1] as Float32Array, out as Float32Array);
        }
        this.#count(this.kernels !== 'typescript' && runsOnWasm(node) ? wasmLabel(node) : 'typescript');
        return () => kernel(node as never, args, out);
      }
      case 'copy':
        this.#count('copy');
        return () => out.set(args[0]!);
      default:
        throw new GraphError('cpu', `unknown step kind ${(step as { kind: unknown }).kind}`, { kind: (step as { kind: unknown }).kind });
    }
  }

  /**
   * A reader of buffer `b` for a closure: its arena view, or (a feed) the argument slot that
   * each run fills in.
   */
  #argument(b: number, sink: FloatArray[]): () => FloatArray {
    const storage = this.memory.storage[b]!;
    if (storage.kind !== 'feed') {
      const v = this.#view(b);
      return () => v;
    }
    const k = sink.length;
    this.#feedSlots.push([sink, k, storage.buffer]);
    sink.push(sink[0]!);
    return () => sink[k]!;
  }

  /** A oneDNN primitive for `node` when the native kernels run it (undefined: the other kernels do). */
  #native(node: Node, epilogue?: ConvEpilogue): { impl: string; run: (a: Float32Array, b: Float32Array, out: Float32Array, bias?: Float32Array) => void } | undefined {
    if (this.addon === undefined || !isNativeCandidate(node)) return undefined;
    try {
      const p = nativePrimitive(this.addon, node, this.#threads ?? defaultThreadCount(), epilogue);
      return { impl: p.impl, run: (a, b, out, bias) => p.run(a, b, out, bias) };
    } catch (e) {
      // A geometry oneDNN declines: the WebAssembly kernel runs this step.
      this.#count(`declined by onednn: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  #count(label: string): void {
    this.#kernelCounts[label] = (this.#kernelCounts[label] ?? 0) + 1;
  }

  describe(): Readonly<Record<string, string | number | boolean>> {
    return { backend: 'cpu', kernels: this.kernels, threads: this.#threads ?? defaultThreadCount(), platform: platform.name };
  }

  /** Steps per kernel implementation, e.g. `{ 'onednn brgconv:avx512_core': 2, wasm: 5 }` or `{ 'wasm winograd 5×5': 3, wasm: 4 }`. */
  kernelCounts(): Readonly<Record<string, number>> {
    return { ...this.#kernelCounts };
  }

  runSync(feeds: ReadonlyMap<number, FloatArray>): ReadonlyMap<number, FloatArray> {
    for (const [args, k, buffer] of this.#feedSlots) {
      const v = feeds.get(buffer);
      if (v === undefined) throw new GraphError('cpu', `feed buffer b${buffer} must be given`, { buffer });
      args[k] = v;
    }
    const steps = this.#run;
    this.#within(() => {
      for (const run of steps) run();
    });
    return this.#outputs;
  }

  /** Runs `f` with this executor's thread count and kernel choice in force. */
  #within(f: () => void): void {
    const threaded = this.#threads === undefined ? f : () => withThreads(this.#threads!, f);
    if (this.kernels === 'typescript') withoutWasmKernels(threaded);
    else threaded();
  }

  async run(feeds: ReadonlyMap<number, FloatArray>): Promise<ReadonlyMap<number, FloatArray>> {
    return this.runSync(feeds);
  }

  dispose(): void {
    this.#views.fill(undefined);
    this.#run.length = 0;
    this.#outputs.clear();
    if (this.#wasmArena !== undefined) {
      release.unregister(this);
      freeFloat32(this.#wasmArena);
      this.#wasmArena = undefined;
    }
  }
}

/**
 * Forward convs whose only reader is the next step, a fused `x + b` or `relu(x + b)` with b a
 * `[outC]` bias broadcast along channels: oneDNN adds the bias and applies relu as post-ops of
 * the conv, which then writes the fused step's output and the fused step runs nothing. (The
 * conv's own output must not be needed elsewhere: a training graph's relu gradient reads it, so
 * there the conv and its fused step stay apart.)
 */
function epilogues(plan: ProgramPlan, memory: MemoryPlan): Map<Step, { fused: Step; epilogue: ConvEpilogue; bias: number }> {
  const readers = new Map<number, number>();
  for (const s of [...plan.prologue, ...plan.steps]) for (const b of s.inputs) readers.set(b, (readers.get(b) ?? 0) + 1);
  const outputs = new Set([...plan.outputs.values()].map((o) => o.buffer));
  const found = new Map<Step, { fused: Step; epilogue: ConvEpilogue; bias: number }>();
  plan.steps.forEach((step, i) => {
    const next = plan.steps[i + 1];
    if (step.kind !== 'kernel' || !(step.node.is('conv2d') || step.node.is('depthwiseConv2d')) || step.node.dtype !== 'float32' || next?.kind !== 'kernel') return;
    if (readers.get(step.output) !== 1 || outputs.has(step.output) || plan.buffers[step.output]!.viewOf !== undefined) return;
    const e = convEpilogue(next.node, next.inputs, step.output);
    // The conv would write the fused step's storage while reading its operands: the planner
    // may have given that storage to an operand whose last reader is the conv.
    if (e === undefined || [...step.inputs, e.bias].some((b) => overlaps(plan, memory, b, next.output))) return;
    found.set(step, { fused: next, epilogue: e.epilogue, bias: e.bias });
  });
  return found;
}

/** Whether buffers `a` and `b` share arena elements (feeds never do). */
function overlaps(plan: ProgramPlan, memory: MemoryPlan, a: number, b: number): boolean {
  const [p, q] = [plan.buffers[a]!, plan.buffers[b]!];
  const [ps, qs] = [memory.storage[a]!, memory.storage[b]!];
  if (ps.kind !== 'arena' || qs.kind !== 'arena' || p.dtype !== q.dtype) return false;
  return ps.offset < qs.offset + q.size && qs.offset < ps.offset + p.size;
}

/** An arena of `size` elements; a size the engine cannot allocate is a ResourceError, not a RangeError. */
function allocateArena(dtype: DType, size: number): FloatArray {
  try {
    return allocate(dtype, size);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new ResourceError('cpu', `the ${dtype} arena of ${size} elements must be allocatable here: ${e.message}`, { dtype, elements: size });
  }
}

/** Returns the WebAssembly arena of a program that was never disposed once it is garbage. */
const release = new FinalizationRegistry<Float32Array>((arena) => freeFloat32(arena));
