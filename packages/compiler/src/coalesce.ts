/**
 * Merges adjacent axes along which every load advances uniformly (row-major output,
 * `stride[d] = stride[d + 1] · size[d + 1]` for every load) and drops axes of size 1, so
 * a same-shape chain is one flat loop and a bias add is two nested loops.
 */
export function coalesce(shape: readonly number[], loads: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const dims: number[] = [];
  const strides: number[][] = loads.map(() => []);
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = dims.length - 1;
    const mergeable = last >= 0 && loads.every((s, l) => strides[l]![last] === s[d]! * size);
    if (mergeable) {
      dims[last] = dims[last]! * size;
      loads.forEach((s, l) => (strides[l]![last] = s[d]!));
    } else {
      dims.push(size);
      loads.forEach((s, l) => strides[l]!.push(s[d]!));
    }
  });
  return { dims, strides };
}
