import { cpu, gpujs, type Backend, type RequestedMode } from '../index.ts';
import { UsageError } from './args.ts';

const modes: readonly RequestedMode[] = ['webgpu', 'headlessgl', 'webasm', 'cpu', 'auto'];

/** `cpu` or `gpujs:<mode>` → an executor; its `name` says what it is for reports. */
export function backendFromFlag(flag: string): { backend: Backend; name: string; dispose: () => Promise<void> } {
  if (flag === 'cpu') return { backend: cpu(), name: 'cpu', dispose: async () => {} };
  const m = /^gpujs:(.+)$/.exec(flag);
  if (m === null || !modes.includes(m[1] as RequestedMode)) {
    throw new UsageError(`--backend must be cpu or gpujs:<mode> with mode one of ${modes.join(', ')}, got "${flag}"`);
  }
  const b = gpujs({ mode: m[1] as RequestedMode });
  return { backend: b, name: `gpujs:${b.mode}`, dispose: () => b.dispose() };
}
