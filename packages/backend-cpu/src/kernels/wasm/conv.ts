import { convGeometry, type ConvGeometry } from '@graft/ir';
import { measure, rates } from './calibrate.ts';
import { allocateFloat32, beginFrame, endFrame, f32View, frameAlloc, freeFloat32, stage, target } from './heap.ts';
import { wasmKernels } from './module.ts';
import { geometryFields, record, roundUp } from './records.ts';
import { parallel, readyThreads, withThreads } from './threads.ts';

/*
 * float32 conv family on the WebAssembly kernels (wasm/assembly/conv.ts has the algorithms).
 * Each call stages its operands in the shared memory (no copy when they already live there),
 * packs the filter, writes an argument record whose layout mirrors the `@unmanaged` classes of
 * the assembly side, and runs the chunks on the available threads.
 */

/**
 * Pixels per chunk: one chunk per thread would leave a thread that started late (or lost its
 * core to another process) holding up the call, so a threaded call takes about 4 chunks per
 * thread; each chunk is a whole number of 6-row register blocks.
 */
function chunkPixels(m: number, threads: number, minimum: number): number {
  if (threads === 1) return Math.max(6, roundUp(m, 6));
  return roundUp(Math.max(minimum, Math.ceil(m / (4 * threads))), 6);
}

/** Multiply-adds below which a call stays on one thread (waking a worker costs ~10–50 µs). */
const PARALLEL_WORK = 1 << 20;

function threadsFor(work: number): number {
  return work < PARALLEL_WORK ? 1 : readyThreads();
}

/** Packs the `[k, n]` matrix (element (r, c) at `src + (r·rs + c·cs)·4`) for the register block. */
function packB(src: number, k: number, n: number, rs: number, cs: number): { panels: number; columns: number } {
  const e = wasmKernels().exports;
  if (n >= 8) {
    const panels = frameAlloc(roundUp(n, 8) * k * 4);
    e.packPanels(src, k, n, rs, cs, panels, 0, k);
    return { panels, columns: 0 };
  }
  const columns = frameAlloc(n * k * 4);
  e.packColumns(src, k, n, rs, cs, columns, 0, k);
  return { panels: 0, columns };
}

let rowsChosen = false;

/**
 * Chooses `kernelRows*`'s schedule (calibrate.ts) by running each on a small conv of the kind
 * that spends its time there — x[1,4,26,64] w[3,3,64,64] SAME on one thread: windows read in
 * place, a 147 KB filter streaming past them — before the first call that uses it (≈ 25 ms).
 */
function chooseRowsSchedule(): void {
  if (rowsChosen) return;
  rowsChosen = true;
  const k = wasmKernels();
  if (k.schedules.forced) return;
  const g = convGeometry('conv2d', [1, 4, 26, 64], [3, 3, 64, 64], [1, 1], 'SAME', [1, 1]);
  const x = allocateFloat32(4 * 26 * 64);
  const w = allocateFloat32(3 * 3 * 64 * 64);
  const y = allocateFloat32(4 * 26 * 64);
  x.forEach((_, i) => (x[i] = ((i * 7919) % 1000) / 1000 - 0.5));
  w.forEach((_, i) => (w[i] = ((i * 104729) % 1000) / 1000 - 0.5));
  try {
    const best = measure(
      (s) => k.exports.setSchedules(s, k.schedules.cols),
      () =>
        withThreads(1, () => {
          beginFrame();
          directConvF32(g, x, w, y);
          endFrame();
        }),
      12,
      6,
    );
    k.schedules.rows = best.indexOf(Math.min(...best));
    k.schedules.how += `, rows ${rates(best, 2 * 4 * 26 * 576 * 64)} (a 3×3, 64-channel conv)`;
  } finally {
    k.exports.setSchedules(k.schedules.rows, k.schedules.cols);
    for (const a of [x, w, y]) freeFloat32(a);
  }
}

/**
 * Input and output channels from which a 3×3 or 5×5 stride-1 conv takes the Winograd kernels:
 * below, their GEMMs are too short (K = channels) to pay for the transforms, and the direct
 * kernel reads the few channels' windows in place (4 → 16 channels, 3×3: ≈ 5 % slower on
 * Winograd, measured on Zen 5).
 */
const WINOGRAD_MIN_CHANNELS = 8;

/**
 * Whether a conv reading `read` channels and writing `written` runs on the Winograd kernels.
 * A 3×3 forward conv (or input gradient) writing 8 channels, one register panel, ran 5–9 %
 * slower than the direct kernel (8 → 8 and 16 → 8 on 28×28, Zen 5), so it needs more; its filter
 * gradient ran 1.3–1.6× faster, and every 5×5 case faster.
 */
function winograd(kh: number, kw: number, sh: number, sw: number, read: number, written: number, filterGradient: boolean): boolean {
  if (kh !== kw || (kh !== 3 && kh !== 5) || sh !== 1 || sw !== 1) return false;
  if (read < WINOGRAD_MIN_CHANNELS || written < WINOGRAD_MIN_CHANNELS) return false;
  return kh === 5 || filterGradient || written > 8;
}

/** Whether the float32 kernel of `op` runs this conv (geometry of the forward conv) on the Winograd kernels. */
export function usesWinograd(op: 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter', g: ConvGeometry): boolean {
  const [read, written] = op === 'conv2dBackpropInput' ? [g.outC, g.inC] : [g.inC, g.outC];
  return winograd(g.kh, g.kw, g.strides[0], g.strides[1], read, written, op === 'conv2dBackpropFilter');
}

/** V and M of one chunk (winograd.ts) fit in this much of L2, with room for the filter's blocks. */
const WINOGRAD_CHUNK_BYTES = 192 * 1024;

/**
 * Tiles per chunk: V and M (or Z) of α² blocks in `bytes`, a multiple of 6, 6 to 96. The filter
 * gradient takes twice the forward's budget: its chunk is the K of every `kernelColsAdd` call,
 * which loads and stores its accumulators once per call (x[32,14,14,32] w[5,5,32,64]: 12 tiles
 * → 24 took 8.8 → 7.5 ms on Zen 5).
 */
function winogradChunkTiles(alpha: number, cp: number, op: number, bytes = WINOGRAD_CHUNK_BYTES): number {
  return Math.max(6, Math.min(96, Math.floor(bytes / (4 * alpha * alpha * (cp + op)) / 6) * 6));
}

/** Tile rows and columns of an output of `outH × outW` at dilation (dh, dw): m×m tiles, dh and dw apart (winograd.ts). */
function tileGrid(outH: number, outW: number, dh: number, dw: number, m: number): { tilesH: number; tilesW: number } {
  return { tilesH: dh * Math.ceil(outH / (m * dh)), tilesW: dw * Math.ceil(outW / (m * dw)) };
}

/**
 * Outputs per tile side of the Winograd kernels (forward, input gradient, filter gradient): 4×4
 * tiles — F(4×4, 3×3) (α = 6: 36 multiply-adds per 16 outputs instead of F(2×2, 3×3)'s 64) and
 * F(4×4, 5×5) (α = 8: 64 instead of F(2×2, 5×5)'s 144) — unless the output is so small that the
 * larger tiles' overhang costs more multiply-adds (tiles × α²).
 */
export function winogradTile(r: number, outH: number, outW: number, dh: number, dw: number): 2 | 4 {
  const cost = (m: 2 | 4) => {
    const { tilesH, tilesW } = tileGrid(outH, outW, dh, dw, m);
    return tilesH * tilesW * (r + m - 1) ** 2;
  };
  return cost(4) < cost(2) ? 4 : 2;
}

/** An r×r stride-1 conv as the Winograd kernel sees it: `in` is the tensor read, `out` the one written. */
interface WinogradConv {
  readonly r: number;
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly dh: number;
  readonly dw: number;
  readonly pt: number;
  readonly pl: number;
}

/**
 * An r×r stride-1 conv by Winograd F(m×m, r×r), m from `winogradTile` (wasm/assembly/winograd.ts): `filter` is the byte
 * address of its tap (0, 0, 0, 0) and `taps` the byte strides of the taps' (a, b, ci, co).
 */
function winogradF32(c: WinogradConv, xp: number, filter: number, taps: readonly [number, number, number, number], y: number): void {
  const e = wasmKernels().exports;
  const m = winogradTile(c.r, c.outH, c.outW, c.dh, c.dw);
  const alpha = c.r + m - 1;
  const cp = roundUp(c.inC, 4);
  const op = roundUp(c.outC, 8);
  const u = frameAlloc(alpha * alpha * cp * op * 4);
  const { tilesH, tilesW } = tileGrid(c.outH, c.outW, c.dh, c.dw, m);
  const tiles = c.batch * tilesH * tilesW;
  const threads = threadsFor(tiles * alpha * alpha * cp * op);
  // The filter transform is split by input channels too (the 5×5 one of a 32 → 64 conv is ≈ 4 %
  // of the call, which would otherwise run on the caller alone); one chunk on one thread.
  // The transform writes every cell of a channel pair; only padding rows and columns stay 0.
  if (cp !== c.inC || op !== c.outC) e.zero(u, alpha * alpha * cp * op);
  const rows = threads === 1 ? c.inC : Math.max(1, Math.ceil(c.inC / (4 * threads)));
  const tmp = frameAlloc(e.winogradFilterTmpBytes() * threads);
  parallel('winogradFilterChunk', record([filter, ...taps, c.r, c.inC, c.outC, cp, op, u, rows, m, tmp]), Math.ceil(c.inC / rows), threads);
  // α = 8's 64 blocks leave 6 tiles in the budget; 12 (F(2×2, 5×5)'s count) read each U_e panel
  // half as often per tile: x[32,14,14,32] w[5,5,32,64] ran the same on one thread and scaled
  // better on two (two threads ÷ one 1.62 → 1.78, mean of alternating processes, Zen 5).
  let per = winogradChunkTiles(alpha, cp, op, alpha === 8 ? 2 * WINOGRAD_CHUNK_BYTES : WINOGRAD_CHUNK_BYTES);
  if (threads > 1) per = Math.max(6, Math.min(per, roundUp(Math.ceil(tiles / (4 * threads)), 6)));
  const stride = roundUp(e.winogradScratchBytes(per, cp, op, alpha), 64);
  const scratch = frameAlloc(stride * threads);
  const geometry = [c.batch, c.inH, c.inW, c.inC, c.r, c.r, c.outH, c.outW, c.outC, 1, 1, c.dh, c.dw, c.pt, c.pl];
  const args = record([...geometry, xp, tilesH, tilesW, scratch, stride, per, cp, op, m, u, y]);
  parallel('convWinograd', args, Math.ceil(tiles / per), threads);
}

/** `y = conv2d(x, w)` in float32. */
export function conv2dF32(g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void {
  chooseRowsSchedule();
  beginFrame();
  if (usesWinograd('conv2d', g)) {
    const o = g.outC * 4;
    const c = { ...g, r: g.kh, dh: g.dilations[0], dw: g.dilations[1], pt: g.pads[0], pl: g.pads[2] };
    winogradF32(c, stage(x), stage(w), [g.kw * g.inC * o, g.inC * o, o, 4], target(out));
  } else {
    directConvF32(g, x, w, out);
  }
  endFrame();
}

/** `y = conv2d(x, w)` in float32 on the direct kernel (convForward), within the caller's frame. */
function directConvF32(g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void {
  const e = wasmKernels().exports;
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const m = g.batch * g.outH * g.outW;
  const xp = stage(x);
  const { panels, columns } = packB(stage(w), k, n, n, 1);
  const y = target(out);
  const threads = threadsFor(m * k * n);
  const stride = e.gemmScratchBytes(k, g.outW, g.kh * g.kw);
  const scratch = frameAlloc(stride * threads);
  const pointwise =
    g.kh === 1 && g.kw === 1 && g.strides[0] === 1 && g.strides[1] === 1 && g.pads.every((p) => p === 0) ? 1 : 0;
  const per = chunkPixels(m, threads, 48);
  const args = record([...geometryFields(g), xp, panels, columns, y, scratch, stride, per, pointwise]);
  parallel('convForward', args, Math.ceil(m / per), threads);
}

/**
 * `dx = conv2dBackpropInput(dy, w)` in float32 (also conv2dTranspose), by residue classes of
 * dx pixels (see wasm/assembly/conv.ts): class (ρh, ρw) holds the pixels with
 * (p + pt) mod sh = ρh and (q + pl) mod sw = ρw, and the taps with a·dh ≡ ρh, b·dw ≡ ρw.
 */
export function conv2dBackpropInputF32(g: ConvGeometry, dy: Float32Array, w: Float32Array, out: Float32Array): void {
  chooseRowsSchedule();
  const e = wasmKernels().exports;
  beginFrame();
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const pt = g.pads[0];
  const pl = g.pads[2];
  const cin = g.inC;
  const cout = g.outC;
  const dyp = stage(dy);
  const wp = stage(w);
  const dx = target(out);
  if (usesWinograd('conv2dBackpropInput', g)) {
    // dx[p] = Σ_a dy[p + pt − a·dh]·w[a] = Σ_a' dy[p + a'·dh − ((r − 1)·dh − pt)]·w[r − 1 − a']: a
    // conv of dy with the filter rotated by 180° and its channels swapped, padded by (r − 1)·d − p before.
    const r = g.kh;
    const c = { r, batch: g.batch, inH: g.outH, inW: g.outW, inC: cout, outH: g.inH, outW: g.inW, outC: cin, dh, dw, pt: (r - 1) * dh - pt, pl: (r - 1) * dw - pl };
    const o = cin * cout * 4;
    winogradF32(c, dyp, wp + ((r - 1) * r + (r - 1)) * o, [-r * o, -o, 4, cout * 4], dx);
    endFrame();
    return;
  }
  const mod = (v: number, s: number) => ((v % s) + s) % s;
  interface Class {
    readonly ptr: number;
    readonly pixels: number;
    readonly k: number;
  }
  const classes: Class[] = [];
  let maxK = 0;
  for (let rh = 0; rh < sh; rh++) {
    const p0 = mod(rh - pt, sh);
    const rows = p0 < g.inH ? Math.ceil((g.inH - p0) / sh) : 0;
    const aList: number[] = [];
    for (let a = 0; a < g.kh; a++) if (mod(a * dh, sh) === rh) aList.push(a);
    // i = (p + pt − a·dh) / sh = u + offA with p = p0 + u·sh (exact within the class).
    const offA = aList.map((a) => (p0 + pt - a * dh) / sh);
    for (let rw = 0; rw < sw; rw++) {
      const q0 = mod(rw - pl, sw);
      const cols = q0 < g.inW ? Math.ceil((g.inW - q0) / sw) : 0;
      if (rows === 0 || cols === 0) continue;
      // Column taps in descending b, so that j = v + offB ascends: at stride 1 and dilation 1 the
      // class's taps of one filter row read one contiguous run of dy.
      const bList: number[] = [];
      for (let b = g.kw - 1; b >= 0; b--) if (mod(b * dw, sw) === rw) bList.push(b);
      const offB = bList.map((b) => (q0 + pl - b * dw) / sw);
      const mergeB = offB.every((o, t) => o === offB[0]! + t) ? 1 : 0;
      const k = aList.length * bList.length * cout;
      // W_ρ[(a, b, co), ci] = w[a, b, ci, co]: tap by tap, a [cout, cin] block with row stride 1.
      let panels = 0;
      let columns = 0;
      if (k > 0 && cin >= 8) panels = frameAlloc(roundUp(cin, 8) * k * 4);
      if (k > 0 && cin < 8) columns = frameAlloc(cin * k * 4);
      let t = 0;
      for (const a of aList) {
        for (const b of bList) {
          const src = wp + (a * g.kw + b) * cin * cout * 4;
          if (panels !== 0) e.packPanels(src, cout, cin, 1, cout, panels, t * cout, k);
          else if (columns !== 0) e.packColumns(src, cout, cin, 1, cout, columns, t * cout, k);
          t++;
        }
      }
      const ptr = record([p0, q0, rows, cols, aList.length, bList.length, panels, columns, mergeB, ...offA, ...offB]);
      classes.push({ ptr, pixels: g.batch * rows * cols, k });
      maxK = Math.max(maxK, k);
    }
  }
  const total = g.batch * g.inH * g.inW;
  const threads = threadsFor(total * maxK * cin);
  const per = chunkPixels(total, threads, 48);
  const chunks: number[] = [];
  for (const c of classes) {
    for (let s = 0; s < c.pixels; s += per) chunks.push(c.ptr, s, Math.min(c.pixels, s + per));
  }
  const stride = e.gemmScratchBytes(Math.max(maxK, 1), 0, g.kh);
  const scratch = frameAlloc(stride * threads);
  const args = record([...geometryFields(g), dyp, record(chunks.length > 0 ? chunks : [0]), dx, scratch, stride]);
  parallel('convBackpropInput', args, chunks.length / 3, threads);
  endFrame();
}

/**
 * Pixels per filter-gradient chunk: one 8-column patch panel (P·32 bytes) and all dY panels
 * (nPad/6 of P·24 bytes) fit in 32 KB of L1 together — 110 pixels for 64 channels, 186 for 32 —
 * so each patch panel meets every dY panel from L1; longer chunks mean fewer kernel calls
 * (each loads and stores its 6×8 block of dWᵀ).
 */
function filterChunkPixels(nPad: number): number {
  return Math.max(48, Math.min(256, Math.floor(32768 / (nPad * 4 + 32))));
}
/**
 * Pixels per chunk when dy is read in place: one 6-tap patch panel (P·24 bytes) and the chunk's
 * dy rows (P·n·4) fit in 32 KB of L1 together.
 */
function inPlaceChunkPixels(n: number): number {
  return Math.max(48, Math.min(256, Math.floor(32768 / (n * 4 + 24))));
}

/** Partial sums of the filter gradient: enough work units for two threads to balance, few to add. */
const FILTER_GROUPS = 8;

/**
 * `dw = conv2dBackpropFilter(x, dy)` in float32: `dWᵀ = dYᵀ · cols`. The pixels are cut into at
 * most 8 groups of whole chunks, each summed in order into its own accumulator, and the groups'
 * sums added in order: the same result on any number of threads.
 */
export function conv2dBackpropFilterF32(g: ConvGeometry, x: Float32Array, dy: Float32Array, out: Float32Array): void {
  const e = wasmKernels().exports;
  beginFrame();
  if (usesWinograd('conv2dBackpropFilter', g)) {
    winogradFilterF32(g, stage(x), stage(dy), target(out));
    endFrame();
    return;
  }
  if (oneChannelFilter(g)) {
    oneChannelFilterF32(g, stage(x), stage(dy), target(out));
    endFrame();
    return;
  }
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const m = g.batch * g.outH * g.outW;
  // Output channels in whole 8-column panels: dy is read where it lies, the patches in panels of
  // 6 taps (filterChunkInPlace in wasm/assembly/conv.ts); otherwise dY packed in panels of 6.
  const inPlace = n % 8 === 0;
  const kPad = roundUp(k, inPlace ? 6 : 8);
  const nPad = inPlace ? 0 : roundUp(n, 6);
  const xp = stage(x);
  const dyp = stage(dy);
  const dw = target(out);
  const per = Math.max(1, Math.min(m, inPlace ? inPlaceChunkPixels(n) : filterChunkPixels(nPad)));
  const chunks = Math.ceil(m / per);
  const groupChunks = Math.max(1, Math.ceil(chunks / FILTER_GROUPS));
  const groups = Math.max(1, Math.ceil(chunks / groupChunks));
  const threads = threadsFor(m * k * n);
  const accStride = roundUp(kPad * (inPlace ? n : nPad) * 4, 64);
  const acc = frameAlloc(accStride * groups);
  e.zero(acc, (accStride * groups) / 4);
  const stride = roundUp(e.filterScratchBytes(per, kPad, nPad, g.outW), 64);
  const scratch = frameAlloc(stride * threads);
  const args = record([...geometryFields(g), xp, dyp, acc, accStride, scratch, stride, per, groupChunks * per, nPad, kPad]);
  if (m > 0) parallel('convBackpropFilter', args, groups, threads);
  // In place, the accumulators are dW's own layout [kPad, n]: its first k rows are dW.
  if (inPlace) e.sumPartials(acc, accStride, groups, k * n, dw);
  else e.sumFilterPartials(acc, accStride, groups, k, n, kPad, dw);
  endFrame();
}

/**
 * Whether the filter gradient runs on `convFilterOneChannel` (wasm/assembly/conv.ts): one input
 * channel, stride 1 along W (each tap's inputs along an output row are one run of x), output
 * channels in whole 8-column panels (dy's rows are read as they lie). x[64,28,28,1] w[5,5,1,32]:
 * ≈ 15–19 GFLOP/s on the patch-panel path, whose 25 taps pad to 32 columns, 27–31 on this one
 * (Zen 5, one thread, in quiet moments).
 */
export function oneChannelFilter(g: ConvGeometry): boolean {
  return g.inC === 1 && g.strides[1] === 1 && g.outC % 8 === 0 && g.outC > 0;
}

/**
 * `dw` of a 1-channel conv (`oneChannelFilter`): the images in at most FILTER_GROUPS groups, each
 * summed in order into its own accumulators, the groups then added in order into the first
 * (`sumPartials`, as the in-place filter gradient does) — the same result on any number of
 * threads — and each tap's row copied out (the blocks' spare taps are left behind).
 */
function oneChannelFilterF32(g: ConvGeometry, xp: number, dyp: number, dw: number): void {
  const e = wasmKernels().exports;
  const blocks = Math.ceil(g.kw / 6);
  const rows = Math.max(1, (g.outH - 1) * g.strides[0] + (g.kh - 1) * g.dilations[0] + 1);
  const rowLen = Math.max(1, g.outW - 1 + (blocks * 6 - 1) * g.dilations[1] + 1);
  const groupImages = Math.max(1, Math.ceil(g.batch / FILTER_GROUPS));
  const groups = Math.max(1, Math.ceil(g.batch / groupImages));
  const cells = g.kh * blocks * 6 * g.outC;
  const accStride = roundUp(cells * 4, 64);
  const acc = frameAlloc(accStride * groups);
  e.zero(acc, (accStride * groups) / 4);
  const threads = threadsFor(g.batch * g.outH * g.outW * g.kh * g.kw * g.outC);
  const scratchStride = roundUp(rows * rowLen * 4, 64);
  const scratch = frameAlloc(scratchStride * threads);
  const args = record([...geometryFields(g), xp, dyp, rows, rowLen, scratch, scratchStride, acc, accStride, groupImages]);
  if (g.outH > 0 && g.outW > 0 && g.batch > 0) parallel('convFilterOneChannel', args, groups, threads);
  e.sumPartials(acc, accStride, groups, cells, acc);
  const sums = f32View(acc, cells);
  const out = f32View(dw, g.kh * g.kw * g.outC);
  for (let a = 0; a < g.kh; a++) {
    for (let b = 0; b < g.kw; b++) {
      const cell = ((a * blocks + Math.floor(b / 6)) * 6 + (b % 6)) * g.outC;
      out.set(sums.subarray(cell, cell + g.outC), (a * g.kw + b) * g.outC);
    }
  }
}

/**
 * The filter gradient of a 3×3 or 5×5 stride-1 conv by Winograd (convWinogradFilter in
 * wasm/assembly/winograd.ts): chunks of tiles in at most FILTER_GROUPS groups, each summed in
 * order into its own accumulator, the groups then added in order — the same result on any
 * number of threads.
 */
function winogradFilterF32(g: ConvGeometry, xp: number, dyp: number, dw: number): void {
  const e = wasmKernels().exports;
  const m = winogradTile(g.kh, g.outH, g.outW, g.dilations[0], g.dilations[1]);
  const alpha = g.kh + m - 1;
  const cp = roundUp(g.inC, 8);
  const op = roundUp(g.outC, 12);
  const { tilesH, tilesW } = tileGrid(g.outH, g.outW, g.dilations[0], g.dilations[1], m);
  const tiles = g.batch * tilesH * tilesW;
  // α = 8 doubled again, as in the forward kernel: 24 tiles for x[32,14,14,32] w[5,5,32,64]
  // (V and Z ≈ 640 KB) ran 7–10 % faster than 12 on one thread and two (one process, interleaved).
  const per = winogradChunkTiles(alpha, cp, op, (alpha === 8 ? 4 : 2) * WINOGRAD_CHUNK_BYTES);
  const chunks = Math.ceil(tiles / per);
  const groupChunks = Math.max(1, Math.ceil(chunks / FILTER_GROUPS));
  const groups = Math.max(1, Math.ceil(chunks / groupChunks));
  const threads = threadsFor(tiles * alpha * alpha * cp * op);
  const accStride = roundUp(alpha * alpha * cp * op * 4, 64);
  const acc = frameAlloc(accStride * groups);
  e.zero(acc, (accStride * groups) / 4);
  const stride = roundUp(e.winogradScratchBytes(per, cp, op, alpha), 64);
  const scratch = frameAlloc(stride * threads);
  const args = record([...geometryFields(g), xp, tilesH, tilesW, scratch, stride, per, cp, op, m, dyp, acc, accStride, groupChunks]);
  if (tiles > 0) parallel('convWinogradFilter', args, groups, threads);
  // The sum and Gᵀ·G per output channel: a few chunks per thread.
  const rows = threads === 1 ? g.outC : Math.max(1, Math.ceil(g.outC / (4 * threads)));
  parallel('winogradFilterSum', record([acc, accStride, groups, g.kh, m, g.inC, g.outC, cp, op, dw, rows]), Math.ceil(g.outC / rows), threads);
}

/**
 * `c[t] = a[ia_t] · b[ib_t]` for each pair of the batch, `[m, k] · [k, n]` row-major float32
 * matrices: a 1×1 conv over m pixels with k channels, so it is the forward kernel with cols = a.
 */
export function matmulF32(
  m: number, n: number, k: number, a: Float32Array, b: Float32Array, out: Float32Array, pairs: readonly (readonly [number, number])[],
): void {
  chooseRowsSchedule();
  const e = wasmKernels().exports;
  beginFrame();
  const ap = stage(a);
  const bp = stage(b);
  const cp = target(out);
  const threads = threadsFor(m * k * n);
  const stride = e.gemmScratchBytes(k, 0, 1);
  const scratch = frameAlloc(stride * threads);
  const per = chunkPixels(m, threads, 48);
  const packed = new Map<number, { panels: number; columns: number }>();
  pairs.forEach(([ia, ib], t) => {
    let pb = packed.get(ib);
    if (pb === undefined) {
      pb = packB(bp + ib * k * n * 4, k, n, n, 1);
      packed.set(ib, pb);
    }
    const geometry = [1, 1, m, k, 1, 1, 1, m, n, 1, 1, 1, 1, 0, 0];
    const args = record([...geometry, ap + ia * m * k * 4, pb.panels, pb.columns, cp + t * m * n * 4, scratch, stride, per, 1]);
    parallel('convForward', args, Math.ceil(m / per), threads);
  });
  endFrame();
}
