import type { Executable, ProgramPlan, Step } from '@graft/compiler';
import { GraphError, ResourceError, allocate, elementwiseProgram, fmtShape, hasElementwiseProgram, ShapeError, type FloatArray } from '@graft/ir';
import type { CachedKernel } from './backend.ts';
import { Counters } from './counters.ts';
import { codegen, copyKernel, elementwiseKernel, MAX_ELEMENTS, type KernelSpec, type StepCode } from './codegen/index.ts';
import { isDeviceHandle, type Handle } from './gpu.ts';
import { BackendUnavailableError, type GpujsMode } from './modes.ts';

/** What the executable needs from its backend. */
export interface Host {
  readonly name: string;
  readonly mode: GpujsMode;
  readonly kernelClass: string;
  readonly device: string;
  readonly float64: 'refuse' | 'compute-in-float32';
  /** The gpu.js class name of a kernel instance. */
  classOf(kernel: { readonly constructor: { readonly name: string } }): string;
  kernel(spec: KernelSpec): CachedKernel;
  record(run: Counters): void;
  forget(executable: GpujsExecutable): void;
  /** Runs tasks one at a time: programs on one backend share its kernels. */
  serialize<T>(task: () => Promise<T>): Promise<T>;
}

/** A step as it runs: a kernel launch, a shared handle (views, copies), or resident values. */
type Code =
  | { readonly kind: 'launch'; readonly kernel: CachedKernel; readonly literals: readonly number[]; readonly label: string }
  | { readonly kind: 'alias' }
  | { readonly kind: 'constant'; readonly values: Float64Array };

/**
 * A plan prepared on gpu.js. Every computed value is a device handle (a GL texture or WebGPU
 * buffer; a typed array on webasm and cpu) that the next kernels read directly: fed inputs are
 * uploaded once per run, constants once per program, and only the requested outputs are read
 * back. A handle is freed after the last step that reads its value — the liveness the memory
 * planner's reuse follows — so a run ends holding only the resident constants.
 */
export class GpujsExecutable implements Executable {
  readonly #host: Host;
  readonly #plan: ProgramPlan;
  readonly #device: boolean;
  /** Buffer → the buffer whose storage it shares (views), itself otherwise. */
  readonly #root: number[];
  readonly #prologue: Code[];
  readonly #steps: Code[];
  /** Root buffers whose values die after each step. */
  readonly #dies: number[][];
  /** Fed buffers any step or output reads (the others are not uploaded). */
  readonly #fed: number[];
  readonly #outputs = new Map<number, FloatArray>();
  /** Constants (prologue outputs) and non-finite literals: resident from the first run on. */
  readonly #resident = new Map<number, Handle>();
  readonly #literals = new Map<number, Handle[]>();
  #prepared = false;
  /** Handles of the current run with their reference counts (views share one). */
  readonly #refs = new Map<Handle, number>();
  #disposed = false;

  constructor(plan: ProgramPlan, host: Host) {
    this.#plan = plan;
    this.#host = host;
    this.#device = host.mode !== 'webasm' && host.mode !== 'cpu';
    for (const b of plan.buffers) {
      if (b.viewOf === undefined && b.size > MAX_ELEMENTS) {
        throw new ShapeError(
          host.name,
          `every tensor must have at most ${MAX_ELEMENTS} elements, below which float32 index arithmetic is exact`,
          { node: String(b.node), shape: b.shape, elements: b.size, limit: MAX_ELEMENTS },
          `${b.node} ${fmtShape(b.shape)} has ${b.size}`,
        );
      }
    }
    this.#root = plan.buffers.map((b) => b.id);
    for (const b of plan.buffers) {
      let r = b.id;
      while (plan.buffers[r]!.viewOf !== undefined) r = plan.buffers[r]!.viewOf!;
      this.#root[b.id] = r;
    }
    this.#prologue = plan.prologue.map((s) => this.#code(s));
    this.#steps = plan.steps.map((s) => this.#code(s));

    // Liveness from the plan: a value dies after the last step that reads it (`live.last`,
    // right after it is written if nobody does); requested outputs and constants live to the
    // end. Fed values that a step or an output reads are uploaded.
    const resident = new Set(plan.prologue.map((s) => s.output));
    const fed = new Set<number>();
    this.#dies = plan.steps.map(() => []);
    for (const b of plan.buffers) {
      if (b.viewOf !== undefined || resident.has(b.id)) continue;
      if (b.role === 'feed' && b.live.last >= 0) fed.add(b.id);
      if (b.live.last >= 0 && b.live.last < plan.steps.length) this.#dies[b.live.last]!.push(b.id);
    }
    this.#fed = [...fed];
    for (const { buffer } of plan.outputs.values()) {
      const spec = plan.buffers[buffer]!;
      this.#outputs.set(buffer, allocate(spec.dtype, spec.size));
    }
  }

  #code(step: Step): Code {
    let code: StepCode;
    let literals: number[] = [];
    switch (step.kind) {
      case 'kernel': {
        const node = step.node;
        if (hasElementwiseProgram(node)) {
          // Elementwise ops and fused nodes: one kernel from their arithmetic.
          const f = elementwiseKernel(elementwiseProgram(node));
          code = { kind: 'kernel', spec: f.spec };
          literals = f.literals;
          break;
        }
        const gen = Object.hasOwn(codegen, node.op) ? ((codegen as Readonly<Record<string, unknown>>)[node.op] as (n: typeof node) => StepCode) : undefined;
        if (gen === undefined) throw new BackendUnavailableError(this.#host.mode, `no gpu.js kernel for op ${node.op}`);
        code = gen(node);
        break;
      }
      case 'copy':
        code = { kind: 'alias' };
        break;
      default: {
        // A new step kind is a type error here before it is a runtime surprise.
        const unknown: never = step;
        throw new BackendUnavailableError(this.#host.mode, `unknown step kind ${(unknown as { kind: unknown }).kind}`);
      }
    }
    if (code.kind === 'constant') {
      if (!step.node.is('constant')) throw new GraphError('gpujs', `${step.node} must be a constant to be resident`, { node: String(step.node) });
      return { kind: 'constant', values: step.node.attrs.values };
    }
    if (code.kind === 'alias') return code;
    return { kind: 'launch', kernel: this.#host.kernel(code.spec), literals, label: `${step.node} ${fmtShape(step.node.shape)}` };
  }

  /** Handles alive now (resident constants and literals included). */
  liveHandles(): number {
    let n = this.#refs.size + this.#resident.size;
    for (const l of this.#literals.values()) n += l.length;
    return n;
  }

  run(feeds: ReadonlyMap<number, FloatArray>): Promise<ReadonlyMap<number, FloatArray>> {
    return this.#host.serialize(() => this.#run(feeds));
  }

  async #run(feeds: ReadonlyMap<number, FloatArray>): Promise<ReadonlyMap<number, FloatArray>> {
    if (this.#disposed) throw new BackendUnavailableError(this.#host.mode, 'this program has been disposed');
    const counters = new Counters();
    const values = new Array<Handle | undefined>(this.#plan.buffers.length);
    try {
      if (!this.#prepared) await this.#prepareResident(counters);
      for (const [b, h] of this.#resident) values[b] = h;
      for (const b of this.#fed) {
        const data = feeds.get(b);
        if (data === undefined) throw new GraphError('gpujs', `feed buffer b${b} must be given`, { buffer: b });
        values[b] = this.#hold(await this.#upload(data, counters));
      }
      for (let i = 0; i < this.#steps.length; i++) {
        const step = this.#plan.steps[i]!;
        const code = this.#steps[i]!;
        const args = step.inputs.map((b) => values[this.#root[b]!]!);
        const previous = values[step.output];
        if (previous !== undefined) this.#release(previous);
        if (code.kind === 'alias') values[step.output] = this.#hold(args[0]!);
        else if (code.kind === 'launch') {
          args.push(...(this.#literals.get(i) ?? []));
          values[step.output] = this.#hold(await this.#launch(code, args, counters));
        } else throw new GraphError('gpujs', `constant ${step.node} must be in the prologue`, { node: String(step.node) });
        for (const b of this.#dies[i]!) {
          const h = values[b];
          if (h !== undefined && !this.#isResident(b)) this.#release(h);
          if (!this.#isResident(b)) values[b] = undefined;
        }
      }
      for (const [buffer, out] of this.#outputs) {
        const h = values[this.#root[buffer]!];
        if (h === undefined) throw new GraphError('gpujs', `output buffer b${buffer} must have a value`, { buffer });
        const data = isDeviceHandle(h) ? await h.toArray() : h;
        out.set(data.length === out.length ? data : data.subarray(0, out.length));
        counters.readbacks++;
        counters.readbackBytes += out.length * 4;
      }
      return this.#outputs;
    } finally {
      for (const h of this.#refs.keys()) this.#free(h);
      this.#refs.clear();
      this.#host.record(counters);
    }
  }

  #isResident(b: number): boolean {
    return this.#resident.has(b);
  }

  /** Uploads constants and non-finite literals once; they stay on the device until dispose. */
  async #prepareResident(counters: Counters): Promise<void> {
    const values = new Map<number, Handle>();
    for (let i = 0; i < this.#prologue.length; i++) {
      const step = this.#plan.prologue[i]!;
      const code = this.#prologue[i]!;
      let h: Handle;
      if (code.kind === 'constant') h = await this.#upload(code.values, counters);
      else if (code.kind === 'alias') h = values.get(this.#root[step.inputs[0]!]!)!;
      else h = await this.#launch(code, step.inputs.map((b) => values.get(this.#root[b]!)!), counters);
      values.set(step.output, h);
      this.#resident.set(step.output, h);
    }
    for (let i = 0; i < this.#steps.length; i++) {
      const code = this.#steps[i]!;
      if (code.kind !== 'launch' || code.literals.length === 0) continue;
      const handles: Handle[] = [];
      for (const v of code.literals) handles.push(await this.#upload(Float64Array.of(v), counters));
      this.#literals.set(i, handles);
    }
    this.#prepared = true;
  }

  /** A host array on the device: a copy kernel's output there, the float32 array itself on webasm and cpu. */
  async #upload(data: FloatArray, counters: Counters): Promise<Handle> {
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
    counters.uploads++;
    counters.uploadBytes += f32.byteLength;
    if (!this.#device) return f32;
    const code = this.#host.kernel((copyKernel(f32.length) as Extract<StepCode, { kind: 'kernel' }>).spec);
    return this.#launch({ kind: 'launch', kernel: code, literals: [], label: `upload [${f32.length}]` }, [f32], counters);
  }

  async #launch(code: Extract<Code, { kind: 'launch' }>, args: Handle[], counters: Counters): Promise<Handle> {
    const { kernel } = code;
    let out: Handle | Promise<Handle>;
    try {
      out = kernel.run(...args);
      if (out instanceof Promise) out = await out;
    } catch (e) {
      // gpu.js or the device refused the kernel at run time (a texture or buffer over the
      // device's limits, a lost context…): what it said, and the source it was given.
      const message = e instanceof Error ? e.message : String(e);
      throw new ResourceError(
        this.#host.name,
        `every kernel must run on the device; the kernel for ${code.label} failed`,
        { kernel: code.label, error: message, source: kernel.spec.source },
        `${message}\n${kernel.spec.source}`,
        { cause: e },
      );
    }
    counters.launches++;
    const instance = kernel.run.kernel;
    if (instance !== kernel.seen) {
      // A first build, or gpu.js rebuilt it (argument types changed) or swapped in another backend.
      kernel.seen = instance;
      counters.kernelsCompiled++;
      const ran = this.#host.classOf(instance);
      if (ran !== this.#host.kernelClass) {
        throw new BackendUnavailableError(
          this.#host.mode,
          `gpu.js ran ${code.label} on ${ran} instead of ${this.#host.kernelClass}` +
            (instance.fallbackReason === undefined ? '' : ` (${instance.fallbackReason})`),
        );
      }
    }
    return out;
  }

  #hold(h: Handle): Handle {
    this.#refs.set(h, (this.#refs.get(h) ?? 0) + 1);
    return h;
  }

  #release(h: Handle): void {
    const n = this.#refs.get(h);
    if (n === undefined) return; // resident
    if (n > 1) this.#refs.set(h, n - 1);
    else {
      this.#refs.delete(h);
      this.#free(h);
    }
  }

  #free(h: Handle): void {
    if (this.#isResidentHandle(h)) return;
    if (isDeviceHandle(h)) h.delete();
  }

  #isResidentHandle(h: Handle): boolean {
    for (const r of this.#resident.values()) if (r === h) return true;
    return false;
  }

  describe(): Readonly<Record<string, string | number | boolean>> {
    const wide = this.#plan.buffers.some((b) => b.dtype === 'float64');
    return {
      backend: 'gpujs',
      mode: this.#host.mode,
      kernelClass: this.#host.kernelClass,
      device: this.#host.device,
      precision: wide ? 'float64 computed in float32' : 'float32',
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const h of this.#resident.values()) if (isDeviceHandle(h)) h.delete();
    for (const l of this.#literals.values()) for (const h of l) if (isDeviceHandle(h)) h.delete();
    this.#resident.clear();
    this.#literals.clear();
    this.#host.forget(this);
  }
}
