/** Transfers and compilations, per run or in total. */
export interface TransferStats {
  /** gpu.js kernels built (compiled for the device). */
  readonly kernelsCompiled: number;
  /** Kernel launches. */
  readonly launches: number;
  /** Host arrays handed to the device (fed inputs, and constants on a program's first run). */
  readonly uploads: number;
  readonly uploadBytes: number;
  /** Device results read back to the host (the requested outputs). */
  readonly readbacks: number;
  readonly readbackBytes: number;
}

export const ZERO: TransferStats = { kernelsCompiled: 0, launches: 0, uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0 };

/** Mutable counters a run adds to. */
export class Counters {
  kernelsCompiled = 0;
  launches = 0;
  uploads = 0;
  uploadBytes = 0;
  readbacks = 0;
  readbackBytes = 0;

  snapshot(): TransferStats {
    const { kernelsCompiled, launches, uploads, uploadBytes, readbacks, readbackBytes } = this;
    return { kernelsCompiled, launches, uploads, uploadBytes, readbacks, readbackBytes };
  }
}

