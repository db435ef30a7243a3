import type { OnednnAddon, OnednnUnavailable } from './src/types.ts';

/** The oneDNN addon, or why it cannot be used (see load.cjs). */
export declare function loadOnednn(path?: string): OnednnAddon | OnednnUnavailable;
