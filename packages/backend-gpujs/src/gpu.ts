/** The parts of gpu.js 2.24 the executor uses, typed narrowly. */

/** A kernel's output kept on the device (GL texture, WebGPU buffer), or a typed array (webasm, cpu). */
export type Handle = Float32Array | DeviceHandle;

export interface DeviceHandle {
  toArray(): Float32Array | Promise<Float32Array>;
  delete(): void;
}

/** What `gpu.createKernel` returns: callable, with the kernel that actually runs inside. */
export interface KernelRun {
  (...args: Handle[]): Handle | Promise<Handle>;
  /** Replaced when gpu.js switches or falls back; its class is the backend that ran. */
  readonly kernel: { readonly constructor: { readonly name: string }; readonly fallbackReason?: string };
  destroy(): void;
}

export interface KernelSettings {
  readonly output: readonly number[];
  readonly pipeline: boolean;
  readonly immutable: boolean;
  readonly precision: 'single';
  readonly tactic: 'precision';
  readonly dynamicOutput: boolean;
  readonly dynamicArguments: boolean;
}

export interface GpuInstance {
  createKernel(source: string, settings: KernelSettings): KernelRun;
  destroy(): Promise<void>;
}

export function isDeviceHandle(h: Handle): h is DeviceHandle {
  return !(h instanceof Float32Array);
}
