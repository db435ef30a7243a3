import type { Backend, Executable, ProgramPlan } from '@graft/compiler';
import { allocate, type FloatArray, type OpName } from '@graft/ir';
import type { Kernel } from './kernel.ts';
import { kernels } from './kernels/index.ts';

export interface CpuOptions {
  /** Called for every typed array the executor allocates (to count allocations in tests). */
  readonly onAllocate?: (bytes: number) => void;
}

/** The reference typed-array executor (float32 and float64). */
export function cpu(options: CpuOptions = {}): Backend {
  return {
    name: 'cpu',
    prepare: (plan) => new CpuExecutable(plan, options),
  };
}

class CpuExecutable implements Executable {
  readonly #buffers: (FloatArray | undefined)[];

  constructor(
    readonly plan: ProgramPlan,
    readonly options: CpuOptions,
  ) {
    this.#buffers = plan.buffers.map(() => undefined);
  }

  #buffer(id: number): FloatArray {
    let b = this.#buffers[id];
    if (b === undefined) {
      const spec = this.plan.buffers[id]!;
      b = allocate(spec.dtype, spec.size);
      this.options.onAllocate?.(b.byteLength);
      this.#buffers[id] = b;
    }
    return b;
  }

  async run(feeds: ReadonlyMap<number, FloatArray>): Promise<ReadonlyMap<number, FloatArray>> {
    const view = (id: number) => feeds.get(id) ?? this.#buffer(id);
    for (const step of this.plan.steps) {
      const kernel = kernels[step.node.op as Exclude<OpName, 'input'>] as Kernel<OpName>;
      kernel(step.node, step.inputs.map(view), view(step.output));
    }
    const out = new Map<number, FloatArray>();
    for (const { buffer } of this.plan.outputs.values()) {
      // Outputs are copied so that a later run cannot overwrite what a caller holds.
      out.set(buffer, view(buffer).slice());
    }
    return out;
  }
}
