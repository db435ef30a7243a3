import { defaultMemoryOptions, planMemory, type Backend, type Executable, type MemoryPlan, type PrepareOptions, type ProgramPlan, type Step } from '@graft/compiler';
import { GraphError, ResourceError, allocate, elementwiseProgram, hasElementwiseProgram, type DType, type FloatArray, type OpName } from '@graft/ir';
import { compileElementwise } from './fused-kernel.ts';
import { compileElementwiseF32 } from './kernels/wasm/fused.ts';
import { wasmKernelsEnabled } from './kernels/wasm/module.ts';
import type { Kernel } from './kernel.ts';
import { kernels } from './kernels/index.ts';
import { allocateFloat32, freeFloat32 } from './kernels/wasm/heap.ts';
import { platform } from '#platform';

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
}

/**
 * The most elements one tensor may have on `cpu()`: 2³⁰. The float32 arena lives in the
 * kernels' WebAssembly memory, which wasm32 caps at 4 GiB = 2³⁰ float32 values; float64
 * tensors get the same cap (8 GiB each).
 */
export const CPU_MAX_ELEMENTS = 2 ** 30;

/** The reference typed-array executor (float32 and float64). */
export function cpu(options: CpuOptions = {}): Backend {
  return {
    name: 'cpu',
    maxElements: CPU_MAX_ELEMENTS,
    prepare: (plan, prepareOptions) => new CpuExecutable(plan, options, prepareOptions?.memory ?? defaultMemoryOptions, prepareOptions?.memoryPlan),
  };
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

  constructor(
    readonly plan: ProgramPlan,
    readonly options: CpuOptions,
    memoryOptions: PrepareOptions['memory'],
    memoryPlan: PrepareOptions['memoryPlan'],
  ) {
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
    for (const step of plan.prologue) this.#prepare(step)();
    this.#run = plan.steps.map((s) => this.#prepare(s));
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
  #prepare(step: Step): () => void {
    const out = this.#view(step.output);
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
          const simd = wasmKernelsEnabled() ? compileElementwiseF32(program) : undefined;
          if (simd !== undefined) return () => simd(out as Float32Array, args as Float32Array[]);
          const loop = compileElementwise(program);
          return () => loop(out, args);
        }
        const kernel = Object.hasOwn(kernels, node.op) ? (kernels as Readonly<Record<string, Kernel<OpName>>>)[node.op] : undefined;
        if (kernel === undefined) throw new GraphError('cpu', `no kernel for op ${node.op}`, { op: node.op });
        return () => kernel(node as never, args, out);
      }
      case 'copy':
        return () => out.set(args[0]!);
      default:
        throw new GraphError('cpu', `unknown step kind ${(step as { kind: unknown }).kind}`, { kind: (step as { kind: unknown }).kind });
    }
  }

  runSync(feeds: ReadonlyMap<number, FloatArray>): ReadonlyMap<number, FloatArray> {
    for (const [args, k, buffer] of this.#feedSlots) {
      const v = feeds.get(buffer);
      if (v === undefined) throw new GraphError('cpu', `feed buffer b${buffer} must be given`, { buffer });
      args[k] = v;
    }
    for (const run of this.#run) run();
    return this.#outputs;
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
