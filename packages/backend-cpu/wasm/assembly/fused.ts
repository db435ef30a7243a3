/*
 * Fused elementwise expressions (the compiler's FusedExpr, in float32) evaluated block by
 * block: the output is `groups` groups of `width` contiguous elements (a group is one row of
 * the coalesced output, or several short rows together), cut into blocks of at most BLOCK
 * elements; every SSA value of the block is computed into its own BLOCK-float slot in L1
 * by one SIMD loop, then the result is copied to the output. Each operation rounds to float32,
 * as the JavaScript fused loops do (`Math.fround` after each step), so results are identical.
 * A chunk is a run of `chunkBlocks` blocks (in group order), each thread with its own slots, so
 * threads share a call with no effect on the result.
 */
import { copyF32 } from './memory';

const BLOCK = 1024;

@unmanaged
class FusedArgs {
  groups: i32;
  /** Elements per group (the last group may be shorter: `total` ends it). */
  width: i32;
  total: i32;
  nValues: i32;
  /** Value records, 16 bytes each (see below). */
  values: i32;
  result: i32;
  out: i32;
  /** Per thread, `scratchStride` bytes from here: nValues slots of BLOCK + 4 floats, then the per-value operand table. */
  scratch: i32;
  scratchStride: i32;
  /** Blocks per chunk. */
  chunkBlocks: i32;
}

/*
 * A value record is `[kind, a, b, c]`:
 *   kind 0, load:  element t of group g is at `a + g·b + t·c` (bytes; c is 0 for a broadcast,
 *                  4 for a run, anything else is gathered);
 *   kind ≥ 1, a primitive (graft's scalar instruction set) on values a (and b, c):
 *   NEG ABS ADD SUB MUL DIV SQRT MAX MIN LT GT, and SELECT(a, b, c) = a ≠ 0 ? b : c.
 * Elementwise ops are compositions of these (their records' arithmetic), so no op is known here.
 */
const NEG = 1;
const ABS = 2;
const ADD = 3;
const SUB = 4;
const MUL = 5;
const DIV = 6;
const SQRT = 7;
const MAX = 8;
const MIN = 9;
const LT = 10;
const GT = 11;
const SELECT = 12;

export function fused(args: usize, chunk: i32, thread: i32): void {
  const f = changetype<FusedArgs>(args);
  const slots = <usize>f.scratch + <usize>thread * <usize>f.scratchStride;
  const slotBytes = <usize>(BLOCK + 4) << 2;
  // Per value, 32 bytes: the address of its block, an offset mask (all ones for a run, 0 for
  // a broadcast, whose address is then a 16-byte cell holding the value 4 times), the cell.
  // Operands are read as v128.load(p + (o & mask)): no branch in the loops.
  const table = slots + <usize>f.nValues * slotBytes;
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const perGroup = (f.width + BLOCK - 1) / BLOCK;
  const first = chunk * f.chunkBlocks;
  const last = min(first + f.chunkBlocks, f.groups * perGroup);
  for (let u = first; u < last; u++) {
    const g = u / perGroup;
    const t0 = (u - g * perGroup) * BLOCK;
    const width = min(f.width, f.total - g * f.width);
    if (t0 < width) {
      const n = min(BLOCK, width - t0);
      const bytes = <usize>n << 2;
      for (let v = 0; v < f.nValues; v++) {
        const rec = <usize>f.values + (<usize>v << 4);
        const kind = load<i32>(rec);
        const slot = slots + <usize>v * slotBytes;
        const entry = table + (<usize>v << 5);
        if (kind === 0) {
          const step = <usize>load<u32>(rec, 12);
          let p = <usize>load<u32>(rec, 4) + <usize>g * <usize>load<u32>(rec, 8) + <usize>t0 * step;
          let mask: u32 = 0xffffffff;
          if (step === 0) {
            v128.store(entry + 16, v128.load32_splat(p));
            p = entry + 16;
            mask = 0;
          } else if (step !== 4) {
            for (let t = 0; t < n; t++) store<f32>(slot + (<usize>t << 2), load<f32>(p + <usize>t * step));
            p = slot;
          }
          store<usize>(entry, p);
          store<u32>(entry, mask, 4);
          continue;
        }
        const ea = table + (<usize>load<i32>(rec, 4) << 5);
        const pa = load<usize>(ea);
        const ma = load<u32>(ea, 4);
        const eb = table + (<usize>load<i32>(rec, 8) << 5);
        const pb = load<usize>(eb);
        const mb = load<u32>(eb, 4);
        let o: usize = 0;
        switch (kind) {
          case NEG:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.neg(v128.load(pa + (o & ma))));
            break;
          case ABS:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.abs(v128.load(pa + (o & ma))));
            break;
          case MAX:
            // NaN if either is NaN, max(−0, 0) = 0: JavaScript's Math.max.
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.max(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))));
            break;
          case MIN:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.min(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))));
            break;
          case LT:
            // a < b ? 1 : 0 (0 for NaN).
            for (; o < bytes; o += 16) v128.store(slot + o, v128.and(f32x4.lt(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))), one));
            break;
          case GT:
            for (; o < bytes; o += 16) v128.store(slot + o, v128.and(f32x4.gt(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))), one));
            break;
          case SELECT: {
            // a ≠ 0 ? b : c, where NaN ≠ 0.
            const ec = table + (<usize>load<i32>(rec, 12) << 5);
            const pc = load<usize>(ec);
            const mc = load<u32>(ec, 4);
            for (; o < bytes; o += 16) {
              const c = f32x4.ne(v128.load(pa + (o & ma)), zero);
              v128.store(slot + o, v128.bitselect(v128.load(pb + (o & mb)), v128.load(pc + (o & mc)), c));
            }
            break;
          }
          case SQRT:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.sqrt(v128.load(pa + (o & ma))));
            break;
          case ADD:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.add(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))));
            break;
          case SUB:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.sub(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))));
            break;
          case MUL:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.mul(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))));
            break;
          case DIV:
            for (; o < bytes; o += 16) v128.store(slot + o, f32x4.div(v128.load(pa + (o & ma)), v128.load(pb + (o & mb))));
            break;
          default:
            unreachable();
        }
        store<usize>(entry, slot);
        store<u32>(entry, 0xffffffff, 4);
      }
      const er = table + (<usize>f.result << 5);
      const dst = <usize>f.out + (<usize>(g * f.width + t0) << 2);
      const pr = load<usize>(er);
      if (load<u32>(er, 4) !== 0) {
        copyF32(dst, pr, n);
      } else {
        const v = load<f32>(pr);
        for (let t = 0; t < n; t++) store<f32>(dst + (<usize>t << 2), v);
      }
    }
  }
}

/** Bytes of scratch `fused` needs for `nValues` values. */
export function fusedScratchBytes(nValues: i32): i32 {
  return nValues * (BLOCK + 4) * 4 + nValues * 32;
}

/** The block length, so the JS side can size grouped rows. */
export function fusedBlock(): i32 {
  return BLOCK;
}
