/**
 * A tensor drawn as a grid of cells (one 2-D slice: batch and channel for NHWC, in- and
 * out-channel for HWIO), coloured blue (negative) – white – red (positive) on the slice's
 * largest |value|, numbers printed when the cells are large enough, the value under the pointer
 * read out. The element carries the whole tensor, in full precision, as `data-values`
 * (comma-separated, row-major) with `data-shape`, so what is drawn can be read back exactly.
 */
import type { Tensor } from './explain/compute.ts';
import { fmt, h, shapeText } from './dom.ts';

export type CellMark = 'zero' | 'pad';

export interface GridSpec {
  /** `data-tensor`: e.g. `dx.autodiff`. */
  readonly name: string;
  /** The caption's first line, e.g. `conv2dBackpropInput(dy, w)`. */
  readonly title: string;
  /** The symbol in the readout: `dx` → `dx[0, 3, 4, 0] = …`. */
  readonly symbol: string;
  readonly tensor: Tensor;
  readonly layout: 'nhwc' | 'hwio';
  /** nhwc: `[batch, channel]`; hwio: `[in-channel, out-channel]` (clamped to the shape). */
  readonly slice?: readonly [number, number];
  /** Cells to mark: inserted zeros (dilate), padding (pad). */
  readonly mark?: (r: number, c: number) => CellMark | undefined;
  /** Padding drawn around the tensor `[top, bottom, left, right]` (zeros not in the tensor). */
  readonly frame?: readonly [number, number, number, number];
  /** Widest canvas in CSS pixels (default 300). */
  readonly maxWidth?: number;
  readonly note?: string;
}

const clampIndex = (i: number, n: number) => Math.max(0, Math.min(n - 1, i));

/** Blue – white – red for t in [−1, 1]. */
function colour(t: number): string {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t >= 0 ? [255, Math.round(255 - 190 * a), Math.round(255 - 200 * a)] : [Math.round(255 - 200 * a), Math.round(255 - 150 * a), 255];
  return `rgb(${r},${g},${b})`;
}

export class Grid {
  readonly el: HTMLElement;
  readonly rows: number;
  readonly cols: number;
  readonly #spec: GridSpec;
  readonly #canvas: HTMLCanvasElement;
  readonly #readout: HTMLElement;
  readonly #cell: number;
  readonly #frame: readonly [number, number, number, number];
  readonly #slice: readonly [number, number];
  readonly #scale: number;
  /** Highlighted cells (frame coordinates) → label (a tap number), or undefined. */
  #highlight = new Map<string, number>();
  #hover: ((r: number, c: number) => void) | undefined;

  constructor(spec: GridSpec) {
    this.#spec = spec;
    const shape = spec.tensor.shape;
    if (spec.layout === 'nhwc') {
      this.rows = shape[1]!;
      this.cols = shape[2]!;
      this.#slice = [clampIndex(spec.slice?.[0] ?? 0, shape[0]!), clampIndex(spec.slice?.[1] ?? 0, shape[3]!)];
    } else {
      this.rows = shape[0]!;
      this.cols = shape[1]!;
      this.#slice = [clampIndex(spec.slice?.[0] ?? 0, shape[2]!), clampIndex(spec.slice?.[1] ?? 0, shape[3]!)];
    }
    this.#frame = spec.frame ?? [0, 0, 0, 0];
    const [ft, fb, fl, fr] = this.#frame;
    const width = this.cols + fl + fr;
    const height = this.rows + ft + fb;
    this.#cell = Math.max(4, Math.min(30, Math.floor((spec.maxWidth ?? 300) / Math.max(width, height * 0.75))));
    let m = 0;
    for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) m = Math.max(m, Math.abs(this.value(r, c)));
    this.#scale = m === 0 ? 1 : m;

    this.#canvas = h('canvas', { class: 'grid-canvas', role: 'img', 'aria-label': `${spec.name} ${shapeText(shape)}` });
    const dpr = globalThis.devicePixelRatio || 1;
    this.#canvas.width = Math.round(width * this.#cell * dpr);
    this.#canvas.height = Math.round(height * this.#cell * dpr);
    this.#canvas.style.width = `${width * this.#cell}px`;
    this.#canvas.style.height = `${height * this.#cell}px`;
    this.#readout = h('div', { class: 'readout' }, '\u00a0');
    const sliceText =
      spec.layout === 'nhwc'
        ? shape[0]! > 1 || shape[3]! > 1
          ? `, shown: batch ${this.#slice[0]}, channel ${this.#slice[1]}`
          : ''
        : shape[2]! > 1 || shape[3]! > 1
          ? `, shown: in ${this.#slice[0]}, out ${this.#slice[1]}`
          : '';
    this.el = h(
      'figure',
      { class: 'grid', 'data-tensor': spec.name, 'data-shape': JSON.stringify(shape), 'data-values': Array.from(spec.tensor.values, String).join(',') },
      h('figcaption', {}, h('span', { class: 'grid-title' }, spec.title), h('span', { class: 'grid-shape' }, ` ${shapeText(shape)}${sliceText}`)),
      this.#canvas,
      spec.note === undefined ? null : h('div', { class: 'grid-note' }, spec.note),
      this.#readout,
    );
    this.#canvas.addEventListener('pointermove', (e) => this.#pointer(e));
    this.#canvas.addEventListener('pointerleave', () => {
      this.#readout.textContent = '\u00a0';
    });
    this.draw();
  }

  /** The slice's value at (r, c) of the tensor (not frame) coordinates. */
  value(r: number, c: number): number {
    const s = this.#spec.tensor.shape;
    const [a, b] = this.#slice;
    const i = this.#spec.layout === 'nhwc' ? ((a * s[1]! + r) * s[2]! + c) * s[3]! + b : ((r * s[1]! + c) * s[2]! + a) * s[3]! + b;
    return this.#spec.tensor.values[i]!;
  }

  /** Calls `f(r, c)` (tensor coordinates) when the pointer moves onto a cell. */
  onHover(f: (r: number, c: number) => void): void {
    this.#hover = f;
  }

  /** Outlines cells given in frame coordinates (`r,c` → a label to print, e.g. a tap number). */
  highlight(cells: ReadonlyMap<string, number>): void {
    this.#highlight = new Map(cells);
    this.el.dataset.highlight = [...cells.keys()].join(';');
    this.draw();
  }

  #pointer(e: PointerEvent): void {
    const rect = this.#canvas.getBoundingClientRect();
    const fr = Math.floor((e.clientY - rect.top) / this.#cell);
    const fc = Math.floor((e.clientX - rect.left) / this.#cell);
    const r = fr - this.#frame[0];
    const c = fc - this.#frame[2];
    const spec = this.#spec;
    if (r < 0 || c < 0 || r >= this.rows || c >= this.cols) {
      this.#readout.textContent = fr >= 0 && fc >= 0 ? `padding (${fr - this.#frame[0]}, ${fc - this.#frame[2]}): 0` : '\u00a0';
      return;
    }
    const index = spec.layout === 'nhwc' ? `${this.#slice[0]}, ${r}, ${c}, ${this.#slice[1]}` : `${r}, ${c}, ${this.#slice[0]}, ${this.#slice[1]}`;
    const mark = spec.mark?.(r, c);
    this.#readout.textContent = `${spec.symbol}[${index}] = ${fmt(this.value(r, c), 6)}${mark === 'zero' ? ' (inserted zero)' : mark === 'pad' ? ' (padding)' : ''}`;
    this.#hover?.(r, c);
  }

  draw(): void {
    const ctx = this.#canvas.getContext('2d');
    if (ctx === null) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const cell = this.#cell;
    const [ft, fb, fl, fr] = this.#frame;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.#canvas.width, this.#canvas.height);
    const rowsF = this.rows + ft + fb;
    const colsF = this.cols + fl + fr;
    const numbers = cell >= 26;
    ctx.font = `${Math.max(8, Math.floor(cell / 3.2))}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let R = 0; R < rowsF; R++) {
      for (let C = 0; C < colsF; C++) {
        const r = R - ft;
        const c = C - fl;
        const x0 = C * cell;
        const y0 = R * cell;
        const inside = r >= 0 && c >= 0 && r < this.rows && c < this.cols;
        const mark = inside ? this.#spec.mark?.(r, c) : 'pad';
        if (!inside || mark === 'pad') {
          ctx.fillStyle = '#e6e6e6';
          ctx.fillRect(x0, y0, cell, cell);
        } else if (mark === 'zero') {
          ctx.fillStyle = '#f3f3f3';
          ctx.fillRect(x0, y0, cell, cell);
          ctx.fillStyle = '#b0b0b0';
          ctx.beginPath();
          ctx.arc(x0 + cell / 2, y0 + cell / 2, Math.max(1, cell / 8), 0, 2 * Math.PI);
          ctx.fill();
        } else {
          const v = this.value(r, c);
          ctx.fillStyle = colour(v / this.#scale);
          ctx.fillRect(x0, y0, cell, cell);
          if (numbers) {
            ctx.fillStyle = '#222';
            ctx.fillText(fmt(v, 2), x0 + cell / 2, y0 + cell / 2);
          }
        }
      }
    }
    ctx.strokeStyle = 'rgba(0,0,0,0.12)';
    ctx.lineWidth = 1;
    if (cell >= 6) {
      ctx.beginPath();
      for (let R = 0; R <= rowsF; R++) {
        ctx.moveTo(0, R * cell + 0.5);
        ctx.lineTo(colsF * cell, R * cell + 0.5);
      }
      for (let C = 0; C <= colsF; C++) {
        ctx.moveTo(C * cell + 0.5, 0);
        ctx.lineTo(C * cell + 0.5, rowsF * cell);
      }
      ctx.stroke();
    }
    if (ft + fb + fl + fr > 0) {
      ctx.strokeStyle = '#444';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(fl * cell, ft * cell, this.cols * cell, this.rows * cell);
    }
    ctx.strokeStyle = '#e8590c';
    ctx.lineWidth = Math.max(1.5, cell / 7);
    ctx.fillStyle = '#7a2e00';
    ctx.font = `bold ${Math.max(7, Math.floor(cell / 2.4))}px system-ui, sans-serif`;
    for (const [key, label] of this.#highlight) {
      const [R, C] = key.split(',').map(Number) as [number, number];
      ctx.strokeRect(C * cell + 1, R * cell + 1, cell - 2, cell - 2);
      if (cell >= 16 && !numbers) ctx.fillText(String(label), C * cell + cell / 2, R * cell + cell / 2);
    }
  }
}
