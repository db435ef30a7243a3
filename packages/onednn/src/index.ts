/**
 * graft's native float32 kernels for Node: oneDNN convolution (forward, backward data, backward
 * weights; bias and relu as post-ops) and matmul primitives over caller-owned Float32Arrays.
 * `@graft/backend-cpu` loads it (through `@graft/onednn/load`) when present.
 */
import { createRequire } from 'node:module';
import type { OnednnAddon, OnednnUnavailable } from './types.ts';

export type { OnednnAddon, OnednnConvGeometry, OnednnConvKind, OnednnConvOptions, OnednnPrimitive, OnednnUnavailable } from './types.ts';

/**
 * The oneDNN addon, or `{ reason }` saying why it cannot be used; `path` loads another file than
 * the installed build (tests: a missing path, to see the failure).
 */
export const loadOnednn: (path?: string) => OnednnAddon | OnednnUnavailable = (
  createRequire(import.meta.url)('../load.cjs') as typeof import('../load.cjs')
).loadOnednn;

/** Whether `loadOnednn` gave the addon. */
export function isOnednn(a: OnednnAddon | OnednnUnavailable): a is OnednnAddon {
  return !('reason' in a);
}
