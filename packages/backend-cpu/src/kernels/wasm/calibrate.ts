import type { KernelExports, WasmMemory } from './module.ts';

/*
 * Chooses the register block's inner-loop schedule (wasm/assembly/gemm.ts) for this machine by
 * measuring it, once per process, when the module is loaded. Which schedule is fastest depends
 * on the core and on the build: measured in L1 on a Zen 5 core, mul + add ran at 30 / 50 / 42
 * GFLOP/s for schedules 0 / 1 / 2, and the relaxed-SIMD build at 56 / 38 / 47 — no one choice
 * fits every machine and runtime. All schedules give bit-identical results (each sum's terms in
 * the same order), so the choice only changes speed.
 *
 * The measurement runs each schedule on L1-resident operands in interleaved rounds (so another
 * process's load hits all alike) and keeps each one's best round: ≈ 30 ms.
 */

/** Bytes of memory the calibration may use (from `CALIBRATION`, below the heap). */
export const CALIBRATION_BYTES = 60 * 1024;

/** The inner-loop schedules: one k step per iteration, two, or four with shuffled broadcasts. */
export const schedules = ['one step', 'two steps', 'four steps, shuffled broadcasts'] as const;

export interface Schedules {
  /** Of `kernelRows` / `kernelRowsAdd` (forward conv, input gradient, matmul). */
  readonly rows: number;
  /** Of `kernelColsAdd` (filter gradient). */
  readonly cols: number;
  /** How they were chosen: measured (with GFLOP/s per schedule) or forced by GRAFT_WASM_SCHEDULE. */
  readonly how: string;
}

const K = 256;
const FLOPS = 2 * 6 * 8 * K;

/**
 * Measures the schedules and sets the fastest of each kernel; `forced` ("rows,cols", e.g. "1,0")
 * sets them without measuring.
 */
export function calibrate(e: KernelExports, memory: WasmMemory, base: number, forced: string | undefined): Schedules {
  if (forced !== undefined && forced !== '') {
    const [rows, cols] = forced.split(',').map(Number);
    const ok = (s: number | undefined): s is number => s !== undefined && Number.isInteger(s) && s >= 0 && s < schedules.length;
    if (!ok(rows) || !ok(cols)) throw new RangeError(`GRAFT_WASM_SCHEDULE must be "rows,cols" with each in 0..${schedules.length - 1}, got "${forced}"`);
    e.setSchedules(rows, cols);
    return { rows, cols, how: 'forced by GRAFT_WASM_SCHEDULE' };
  }
  const a = base;
  const b = a + 6 * K * 4;
  const c = b + K * 32;
  const f = new Float32Array(memory.buffer, base, (c + 6 * 32 - base) / 4);
  for (let i = 0; i < f.length; i++) f[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const kernels = {
    rows: (s: number) => {
      e.setSchedules(s, 0);
      return () => e.kernelRowsAdd(K, a, K * 4, b, 32, c, 32);
    },
    cols: (s: number) => {
      e.setSchedules(0, s);
      return () => e.kernelColsAdd(K, a, 24, b, 32, c, 32);
    },
  };
  const chosen: Record<string, number> = {};
  const rates: string[] = [];
  for (const [name, make] of Object.entries(kernels)) {
    const best = schedules.map(() => Infinity);
    // Round 0 warms up (and lets V8 tier the functions up); rounds 1–5 are measured.
    for (let round = 0; round < 6; round++) {
      for (let s = 0; s < schedules.length; s++) {
        const run = make(s);
        const calls = round === 0 ? 1500 : 300;
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) run();
        const t = (performance.now() - t0) / calls;
        if (round > 0) best[s] = Math.min(best[s]!, t);
      }
    }
    chosen[name] = best.indexOf(Math.min(...best));
    rates.push(`${name} ${best.map((t) => (FLOPS / t / 1e6).toFixed(0)).join('/')}`);
  }
  e.setSchedules(chosen.rows!, chosen.cols!);
  f.fill(0);
  return { rows: chosen.rows!, cols: chosen.cols!, how: `measured, GFLOP/s per schedule: ${rates.join(', ')}` };
}
