/*
 * Pooling over NHWC windows (no dilation), vectorised over channels. The comparisons are the
 * reference kernels' (src/kernels/pool.ts) lane by lane, so results match them exactly:
 *
 *     max:    acc ← v  where v > acc or v is NaN      (NaN wins, the first of equal values stays)
 *     argmax: arg ← t  where v > best or (v is NaN and best is not)   (first maximum in (a, b) order)
 *
 * Windows clip to the input (out-of-range taps are skipped: −∞ padding for max, the in-bounds
 * count for the average). Every window has an in-bounds tap.
 */
import { Geometry } from './geometry';
import { copyF32, zeroF32 } from './memory';

@unmanaged
class PoolArgs extends Geometry {
  x: i32;
  /** maxPoolGrad: dy; maxPoolGradGrad: ddx; unused by the forward pools. */
  src: i32;
  dst: i32;
  chunkPixels: i32;
}

/** Lanes where `v` replaces the running maximum `acc`: v > acc or v is NaN. */
@inline
function takesMax(v: v128, acc: v128): v128 {
  return v128.or(f32x4.gt(v, acc), f32x4.ne(v, v));
}

function pool(args: usize, chunk: i32, isMax: bool): void {
  const g = changetype<PoolArgs>(args);
  const c = g.inC;
  const plane = g.outH * g.outW;
  const m0 = chunk * g.chunkPixels;
  const m1 = min(g.batch * plane, m0 + g.chunkPixels);
  const rowBytes = <usize>c << 2;
  const c4 = c & ~3;
  for (let p = m0; p < m1; p++) {
    const n = p / plane;
    const rem = p - n * plane;
    const i = rem / g.outW;
    const j = rem - i * g.outW;
    const h0 = i * g.sh - g.pt;
    const w0 = j * g.sw - g.pl;
    const aLo = max(0, -h0);
    const aHi = min(g.kh, g.inH - h0);
    const bLo = max(0, -w0);
    const bHi = min(g.kw, g.inW - w0);
    const out = <usize>g.dst + <usize>p * rowBytes;
    let first = true;
    for (let a = aLo; a < aHi; a++) {
      for (let b = bLo; b < bHi; b++) {
        const s = <usize>g.x + <usize>((n * g.inH + h0 + a) * g.inW + w0 + b) * rowBytes;
        if (first) {
          copyF32(out, s, c);
          first = false;
          continue;
        }
        let t = 0;
        if (isMax) {
          for (; t < c4; t += 4) {
            const o = <usize>t << 2;
            const acc = v128.load(out + o);
            const v = v128.load(s + o);
            v128.store(out + o, v128.bitselect(v, acc, takesMax(v, acc)));
          }
          for (; t < c; t++) {
            const o = <usize>t << 2;
            const v = load<f32>(s + o);
            if (v > load<f32>(out + o) || v != v) store<f32>(out + o, v);
          }
        } else {
          for (; t < c4; t += 4) {
            const o = <usize>t << 2;
            v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(s + o)));
          }
          for (; t < c; t++) {
            const o = <usize>t << 2;
            store<f32>(out + o, load<f32>(out + o) + load<f32>(s + o));
          }
        }
      }
    }
    if (!isMax) {
      const count = <f32>((aHi - aLo) * (bHi - bLo));
      const cv = f32x4.splat(count);
      let t = 0;
      for (; t < c4; t += 4) {
        const o = <usize>t << 2;
        v128.store(out + o, f32x4.div(v128.load(out + o), cv));
      }
      for (; t < c; t++) {
        const o = <usize>t << 2;
        store<f32>(out + o, load<f32>(out + o) / count);
      }
    }
  }
}

/** `tf.nn.max_pool2d` over output pixels `[chunk·chunkPixels, …)`. */
export function maxPool(args: usize, chunk: i32, thread: i32): void {
  pool(args, chunk, true);
}

/** `tf.nn.avg_pool2d` over output pixels `[chunk·chunkPixels, …)`. */
export function avgPool(args: usize, chunk: i32, thread: i32): void {
  pool(args, chunk, false);
}

/**
 * Routes values through each window's argmax for batch image `n` (so threads never add into
 * the same dx element): with `scatter`, `dst[argmax] += src[window]` on a cleared dst
 * (maxPoolGrad); otherwise `dst[window] = src[argmax]` (maxPoolGradGrad).
 */
function throughArgmax(args: usize, n: i32, scatter: bool): void {
  const g = changetype<PoolArgs>(args);
  const c = g.inC;
  const c4 = c & ~3;
  const image = g.inH * g.inW * c;
  const x = <usize>g.x;
  const src = <usize>g.src;
  const dst = <usize>g.dst;
  if (scatter) zeroF32(dst + (<usize>(n * image) << 2), image);
  const lanes = i32x4(0, 1, 2, 3);
  for (let i = 0; i < g.outH; i++) {
    const h0 = i * g.sh - g.pt;
    const aLo = max(0, -h0);
    const aHi = min(g.kh, g.inH - h0);
    for (let j = 0; j < g.outW; j++) {
      const w0 = j * g.sw - g.pl;
      const bLo = max(0, -w0);
      const bHi = min(g.kw, g.inW - w0);
      const o = ((n * g.outH + i) * g.outW + j) * c;
      const first = ((n * g.inH + h0 + aLo) * g.inW + w0 + bLo) * c;
      let t = 0;
      for (; t < c4; t += 4) {
        let best = v128.load(x + (<usize>(first + t) << 2));
        let arg = i32x4.add(i32x4.splat(first + t), lanes);
        for (let a = aLo; a < aHi; a++) {
          for (let b = bLo; b < bHi; b++) {
            const e = ((n * g.inH + h0 + a) * g.inW + w0 + b) * c + t;
            const v = v128.load(x + (<usize>e << 2));
            const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
            best = v128.bitselect(v, best, take);
            arg = v128.bitselect(i32x4.add(i32x4.splat(e), lanes), arg, take);
          }
        }
        const oo = <usize>(o + t) << 2;
        if (scatter) {
          addAt(dst, i32x4.extract_lane(arg, 0), load<f32>(src + oo, 0));
          addAt(dst, i32x4.extract_lane(arg, 1), load<f32>(src + oo, 4));
          addAt(dst, i32x4.extract_lane(arg, 2), load<f32>(src + oo, 8));
          addAt(dst, i32x4.extract_lane(arg, 3), load<f32>(src + oo, 12));
        } else {
          store<f32>(dst + oo, load<f32>(src + (<usize>i32x4.extract_lane(arg, 0) << 2)), 0);
          store<f32>(dst + oo, load<f32>(src + (<usize>i32x4.extract_lane(arg, 1) << 2)), 4);
          store<f32>(dst + oo, load<f32>(src + (<usize>i32x4.extract_lane(arg, 2) << 2)), 8);
          store<f32>(dst + oo, load<f32>(src + (<usize>i32x4.extract_lane(arg, 3) << 2)), 12);
        }
      }
      for (; t < c; t++) {
        let best = load<f32>(x + (<usize>(first + t) << 2));
        let arg = first + t;
        for (let a = aLo; a < aHi; a++) {
          for (let b = bLo; b < bHi; b++) {
            const e = ((n * g.inH + h0 + a) * g.inW + w0 + b) * c + t;
            const v = load<f32>(x + (<usize>e << 2));
            if (v > best || (v != v && best == best)) {
              best = v;
              arg = e;
            }
          }
        }
        const oo = <usize>(o + t) << 2;
        if (scatter) addAt(dst, arg, load<f32>(src + oo));
        else store<f32>(dst + oo, load<f32>(src + (<usize>arg << 2)));
      }
    }
  }
}

@inline
function addAt(base: usize, index: i32, v: f32): void {
  const p = base + (<usize>index << 2);
  store<f32>(p, load<f32>(p) + v);
}

/** maxPoolGrad for batch image `chunk`. */
export function maxPoolGrad(args: usize, chunk: i32, thread: i32): void {
  throughArgmax(args, chunk, true);
}

/** maxPoolGradGrad for batch image `chunk`. */
export function maxPoolGradGrad(args: usize, chunk: i32, thread: i32): void {
  throughArgmax(args, chunk, false);
}
