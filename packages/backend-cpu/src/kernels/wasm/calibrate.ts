import { AttrError } from '@graft/ir';
import type { KernelExports, WasmMemory } from './module.ts';

/*
 * Chooses the register block's inner-loop schedules (wasm/assembly/gemm.ts) for this machine by
 * measuring them, once per process. Which schedule is fastest depends on the core and on the
 * build: measured in L1 on a Zen 5 core, mul + add ran at 30 / 50 / 42 GFLOP/s for schedules
 * 0 / 1 / 2, and the relaxed-SIMD build at 56 / 38 / 47 — no one choice fits every machine and
 * runtime. All schedules give bit-identical results (each sum's terms in the same order), so
 * the choice only changes speed.
 *
 * Each kernel is measured as the convs use it. `kernelColsAdd` (filter gradient: a patch panel
 * against the dY panels, all in L1) by itself, in L1, when the module loads (≈ 15 ms).
 * `kernelRows*` (forward conv, input gradient, matmul) by running a small conv (3×3, 64
 * channels, windows read in place as the filter streams past) before the first such call:
 * on Zen 5 an L1-only measurement ranked schedules 1 and 2 within noise, while in a conv 1 ran
 * 8 % faster. Schedules take turns in interleaved rounds (another process's load hits all alike)
 * and each keeps its best round; the first round only warms up (V8 tiers the functions up).
 */

/** Bytes of memory the load-time calibration may use (from `CALIBRATION`, below the heap). */
export const CALIBRATION_BYTES = 60 * 1024;

/** The inner-loop schedules: one k step per iteration, two, or four with shuffled broadcasts. */
export const schedules = ['one step', 'two steps', 'four steps, shuffled broadcasts'] as const;

export interface Schedules {
  /** Of `kernelRows` / `kernelRowsAdd` (forward conv, input gradient, matmul). */
  rows: number;
  /** Of `kernelColsAdd` (filter gradient). */
  cols: number;
  /** Whether GRAFT_WASM_SCHEDULE set them (then nothing is measured). */
  readonly forced: boolean;
  /** How they were chosen: GFLOP/s per schedule, or forced. */
  how: string;
}

/**
 * The best seconds-per-unit of each schedule: `use(s)` selects schedule s, `unit()` runs one
 * measured unit; `calls` units per turn, one warm-up round of `warmCalls`, then `rounds` rounds.
 */
export function measure(use: (s: number) => void, unit: () => void, warmCalls: number, calls: number, rounds = 5): number[] {
  const best = schedules.map(() => Infinity);
  for (let round = 0; round <= rounds; round++) {
    for (let s = 0; s < schedules.length; s++) {
      use(s);
      const n = round === 0 ? warmCalls : calls;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) unit();
      if (round > 0) best[s] = Math.min(best[s]!, (performance.now() - t0) / 1000 / n);
    }
  }
  return best;
}

/** `flops` per unit at each schedule's best time, as "a/b/c" GFLOP/s. */
export function rates(best: readonly number[], flops: number): string {
  return best.map((t) => (flops / t / 1e9).toFixed(0)).join('/');
}

const K = 256;

/**
 * The load-time choice: `forced` ("rows,cols", e.g. "1,0", from GRAFT_WASM_SCHEDULE) sets both
 * schedules; otherwise `kernelColsAdd`'s is measured (at `base`, CALIBRATION_BYTES of scratch)
 * and the rows schedule is 1 until a conv measures it (`chooseRowsSchedule` in conv.ts).
 */
export function calibrate(e: KernelExports, memory: WasmMemory, base: number, forced: string | undefined): Schedules {
  if (forced !== undefined && forced !== '') {
    const [rows, cols] = forced.split(',').map(Number);
    const ok = (s: number | undefined): s is number => s !== undefined && Number.isInteger(s) && s >= 0 && s < schedules.length;
    if (!ok(rows) || !ok(cols)) throw new AttrError('cpu', `GRAFT_WASM_SCHEDULE must be "rows,cols" with each in 0..${schedules.length - 1}`, { GRAFT_WASM_SCHEDULE: forced });
    e.setSchedules(rows, cols);
    return { rows, cols, forced: true, how: 'forced by GRAFT_WASM_SCHEDULE' };
  }
  const a = base;
  const b = a + 6 * K * 4;
  const c = b + K * 32;
  const f = new Float32Array(memory.buffer, base, (c + 6 * 32 - base) / 4);
  for (let i = 0; i < f.length; i++) f[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const best = measure(
    (s) => e.setSchedules(1, s),
    () => e.kernelColsAdd(K, a, 24, b, 32, c, 32),
    1500,
    300,
  );
  f.fill(0);
  const cols = best.indexOf(Math.min(...best));
  e.setSchedules(1, cols);
  return { rows: 1, cols, forced: false, how: `measured, GFLOP/s per schedule: cols ${rates(best, 2 * 48 * K)}` };
}
