import type { ConvGeometry } from '@graft/ir';
import { frameAlloc, i32View } from './heap.ts';

/** Geometry fields, in the order of `Geometry` in wasm/assembly/geometry.ts. */
export function geometryFields(g: ConvGeometry): number[] {
  return [
    g.batch, g.inH, g.inW, g.inC, g.kh, g.kw, g.outH, g.outW, g.outC,
    g.strides[0], g.strides[1], g.dilations[0], g.dilations[1], g.pads[0], g.pads[2],
  ];
}

/**
 * Writes an i32 record into the frame and returns its address: the argument records of the
 * chunk functions, whose field order is that of their `@unmanaged` classes on the assembly side.
 */
export function record(fields: readonly number[]): number {
  const ptr = frameAlloc(fields.length * 4);
  i32View(ptr, fields.length).set(fields);
  return ptr;
}

export function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
