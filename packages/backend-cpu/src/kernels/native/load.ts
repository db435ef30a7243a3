import { createRequire } from 'node:module';
import type { OnednnAddon, OnednnUnavailable } from '@graft/onednn';

/*
 * The Node-only door to the native kernels. `@graft/onednn` is an optional dependency, so it is
 * required lazily and its absence is a reason, not an error. A browser build replaces this file
 * by one that answers "unavailable".
 */

let loaded: OnednnAddon | OnednnUnavailable | undefined;

/** The oneDNN addon, or why it is not available (loaded on first use, once). */
export function loadNative(): OnednnAddon | OnednnUnavailable {
  if (loaded !== undefined) return loaded;
  try {
    const { loadOnednn } = createRequire(import.meta.url)('@graft/onednn/load') as typeof import('@graft/onednn/load');
    loaded = loadOnednn();
  } catch (e) {
    loaded = { reason: `@graft/onednn is not installed (${e instanceof Error ? e.message : String(e)})` };
  }
  return loaded;
}
