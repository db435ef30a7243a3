/**
 * A canvas to draw a digit on, and the preprocessing MNIST's digits went through: the ink's
 * bounding box scaled (aspect kept) into a 20×20 box by area averaging, placed in a 28×28
 * image so that its centre of mass sits at the centre.
 */

export const CANVAS = 280;

/** Ink in [0, 1] per canvas pixel (dark strokes on white), row-major `size × size`. */
export function inkOf(data: Uint8ClampedArray, size: number): Float32Array {
  const ink = new Float32Array(size * size);
  for (let i = 0; i < ink.length; i++) ink[i] = 1 - (data[4 * i]! * 0.299 + data[4 * i + 1]! * 0.587 + data[4 * i + 2]! * 0.114) / 255;
  return ink;
}

/** A 28×28 MNIST-like digit from `size × size` ink, or undefined when nothing is drawn. */
export function toMnist(ink: Float32Array, size: number): Float32Array | undefined {
  let top = size;
  let bottom = -1;
  let left = size;
  let right = -1;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (ink[r * size + c]! > 0.1) {
        top = Math.min(top, r);
        bottom = Math.max(bottom, r);
        left = Math.min(left, c);
        right = Math.max(right, c);
      }
    }
  }
  if (bottom < 0) return undefined;
  // A square around the bounding box (the longer side), mapped onto 20×20 by area averaging.
  const side = Math.max(bottom - top + 1, right - left + 1);
  const r0 = top - (side - (bottom - top + 1)) / 2;
  const c0 = left - (side - (right - left + 1)) / 2;
  const box = new Float32Array(20 * 20);
  const weight = new Float32Array(20 * 20);
  for (let r = Math.floor(r0); r < Math.ceil(r0 + side); r++) {
    for (let c = Math.floor(c0); c < Math.ceil(c0 + side); c++) {
      const br = Math.min(19, Math.max(0, Math.floor(((r - r0 + 0.5) * 20) / side)));
      const bc = Math.min(19, Math.max(0, Math.floor(((c - c0 + 0.5) * 20) / side)));
      const v = r >= 0 && c >= 0 && r < size && c < size ? ink[r * size + c]! : 0;
      box[br * 20 + bc]! += v;
      weight[br * 20 + bc]! += 1;
    }
  }
  let mass = 0;
  let mr = 0;
  let mc = 0;
  for (let i = 0; i < 400; i++) {
    const v = weight[i]! > 0 ? box[i]! / weight[i]! : 0;
    box[i] = v;
    mass += v;
    mr += v * Math.floor(i / 20);
    mc += v * (i % 20);
  }
  // Shift so that the centre of mass (in the 28×28 image) lands on (13.5, 13.5), rounded.
  const dr = Math.round(13.5 - (4 + mr / mass));
  const dc = Math.round(13.5 - (4 + mc / mass));
  const out = new Float32Array(28 * 28);
  for (let r = 0; r < 20; r++) {
    for (let c = 0; c < 20; c++) {
      const R = r + 4 + dr;
      const C = c + 4 + dc;
      if (R >= 0 && C >= 0 && R < 28 && C < 28) out[R * 28 + C] = Math.min(1, box[r * 20 + c]!);
    }
  }
  return out;
}

/** Wires a canvas for drawing with a pointer; calls `onStroke` after each stroke. */
export function drawingCanvas(canvas: HTMLCanvasElement, onStroke: () => void): { clear(): void; ink(): Float32Array } {
  canvas.width = CANVAS;
  canvas.height = CANVAS;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, CANVAS, CANVAS);
  };
  clear();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 22;
  ctx.strokeStyle = '#000000';
  let drawing = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * CANVAS) / r.width, ((e.clientY - r.top) * CANVAS) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture?.(e.pointerId);
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.01, y);
    ctx.stroke();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const [x, y] = at(e);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onStroke();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  return { clear, ink: () => inkOf(ctx.getImageData(0, 0, CANVAS, CANVAS).data, CANVAS) };
}
