/**
 * `out[j] = Σ_r x[r·cols + j]`: a sum over leading axes (a bias gradient), accumulated in
 * float64 like the reference kernel, in `acc` (cols float64 scratch), then rounded once.
 */
export function sumLeading(x: usize, rows: i32, cols: i32, acc: usize, out: usize, divisor: f64): void {
  const c4 = cols & ~3;
  for (let j = 0; j < cols; j++) store<f64>(acc + (<usize>j << 3), 0);
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    let j = 0;
    for (; j < c4; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      const a = acc + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))), 16);
    }
    for (; j < cols; j++) {
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
    }
  }
  for (let j = 0; j < cols; j++) store<f32>(out + (<usize>j << 2), <f32>(load<f64>(acc + (<usize>j << 3)) / divisor));
}
