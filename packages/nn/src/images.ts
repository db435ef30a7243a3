import { platform } from '#platform';
import { AttrError, type FloatArray } from '@graft/ir';

/** A grey image: `width × height` values in [0, 1], row-major (values outside are clamped). */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG chunks use). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function checkImage(op: string, img: GrayImage): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1 || img.data.length !== img.width * img.height) {
    throw new AttrError(op, 'image must have positive integer width and height and width·height values', { width: img.width, height: img.height, values: img.data.length });
  }
}

const toByte = (v: number) => Math.max(0, Math.min(255, Math.round((Number.isFinite(v) ? v : 0) * 255)));

/** An 8-bit greyscale PNG (colour type 0, filter 0 on every row, zlib from the platform: compressed in Node, stored blocks in a page). */
export function encodePng(img: GrayImage): Uint8Array {
  checkImage('encodePng', img);
  const { width, height } = img;
  const raw = new Uint8Array((width + 1) * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) raw[r * (width + 1) + 1 + c] = toByte(img.data[r * width + c]!);
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const h = new DataView(ihdr.buffer);
  h.setUint32(0, width);
  h.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, greyscale, deflate, filter 0, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', platform.deflate(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

export interface TileOptions {
  /** Images per row (default ⌈√count⌉). */
  readonly cols?: number;
  /** Pixels between tiles (default 2). */
  readonly gap?: number;
  /** Each pixel drawn as `scale × scale` (default 1). */
  readonly scale?: number;
  /** Value of the gaps (default 1, white). */
  readonly background?: number;
}

/**
 * Tiles `count` images of `h × w` (stored one after another, e.g. a `[count, h, w, 1]`
 * tensor) into one grey image, row by row.
 */
export function tileImages(images: FloatArray | ArrayLike<number>, count: number, h: number, w: number, options: TileOptions = {}): GrayImage {
  const cols = options.cols ?? Math.ceil(Math.sqrt(count));
  const gap = options.gap ?? 2;
  const scale = options.scale ?? 1;
  if (images.length < count * h * w) throw new AttrError('tileImages', `images must hold ${count}·${h}·${w} values`, { count, height: h, width: w, values: images.length });
  const rows = Math.ceil(count / cols);
  const width = cols * (w * scale + gap) + gap;
  const height = rows * (h * scale + gap) + gap;
  const data = new Float32Array(width * height).fill(options.background ?? 1);
  for (let k = 0; k < count; k++) {
    const top = gap + Math.floor(k / cols) * (h * scale + gap);
    const left = gap + (k % cols) * (w * scale + gap);
    for (let r = 0; r < h * scale; r++) {
      for (let c = 0; c < w * scale; c++) {
        data[(top + r) * width + left + c] = images[k * h * w + Math.floor(r / scale) * w + Math.floor(c / scale)]!;
      }
    }
  }
  return { width, height, data };
}

/** Inverts a grey image (ink dark on white, as digits are usually shown). */
export function invert(img: GrayImage): GrayImage {
  return { width: img.width, height: img.height, data: Array.from(img.data, (v) => 1 - v) };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An SVG `<image>` of a grey image as an embedded PNG, drawn pixelated at `x, y` and `scale`. */
export function svgImage(img: GrayImage, x: number, y: number, scale = 1): string {
  const b64 = Buffer.from(encodePng(img)).toString('base64');
  return `<image x="${x}" y="${y}" width="${img.width * scale}" height="${img.height * scale}" style="image-rendering:pixelated" href="data:image/png;base64,${b64}"/>`;
}

export interface LabelledImage {
  readonly image: GrayImage;
  readonly caption: string;
  /** Colours the caption: green when true, red when false. */
  readonly ok?: boolean;
}

/** A grid of images with captions (e.g. test digits with their predicted classes) as an SVG document. */
export function svgImageGrid(items: readonly LabelledImage[], options: { readonly cols?: number; readonly scale?: number; readonly title?: string } = {}): string {
  const cols = options.cols ?? Math.min(items.length, 8);
  const scale = options.scale ?? 3;
  const cw = Math.max(...items.map((i) => i.image.width)) * scale + 28;
  const ch = Math.max(...items.map((i) => i.image.height)) * scale + 26;
  const top = options.title === undefined ? 0 : 24;
  // Wide enough for the title too (about 7.5 px per character at 14 px).
  const width = Math.max(cols * cw + 8, Math.ceil((options.title?.length ?? 0) * 7.5) + 16);
  const height = top + Math.ceil(items.length / cols) * ch + 8;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  if (options.title !== undefined) parts.push(`<text x="8" y="17" font-size="14">${esc(options.title)}</text>`);
  items.forEach((item, k) => {
    const x = 8 + (k % cols) * cw;
    const y = top + 4 + Math.floor(k / cols) * ch;
    parts.push(svgImage(item.image, x, y, scale));
    const colour = item.ok === undefined ? '#222' : item.ok ? '#1a7f37' : '#cf222e';
    parts.push(`<text x="${x}" y="${y + item.image.height * scale + 15}" font-size="12" fill="${colour}">${esc(item.caption)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface Series {
  readonly name: string;
  /** y values at x = 1, 2, … (or at `xs`). */
  readonly values: readonly number[];
  readonly xs?: readonly number[];
}

/** A line chart of one or more series (e.g. loss per epoch) as an SVG document. */
export function svgLineChart(series: readonly Series[], options: { readonly title?: string; readonly xLabel?: string; readonly yLabel?: string; readonly width?: number; readonly height?: number; readonly logY?: boolean } = {}): string {
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  const m = { left: 60, right: 120, top: 30, bottom: 40 };
  const ty = (v: number) => (options.logY === true ? Math.log10(Math.max(v, 1e-12)) : v);
  const points = series.map((s) => s.values.map((v, i) => [s.xs?.[i] ?? i + 1, ty(v)] as const).filter(([, v]) => Number.isFinite(v)));
  const all = points.flat();
  if (all.length === 0) throw new AttrError('svgLineChart', 'series must hold at least one finite value', { series: series.length, finite: 0 });
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const colours = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bf8700'];
  const label = (v: number) => (options.logY === true ? Number(10 ** v).toPrecision(2) : Number(v.toPrecision(3)).toString());
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<line x1="${m.left}" y1="${height - m.bottom}" x2="${width - m.right}" y2="${height - m.bottom}" stroke="#444"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${height - m.bottom}" stroke="#444"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const yv = y0 + ((y1 - y0) * k) / 4;
    parts.push(`<text x="${m.left - 4}" y="${py(yv) + 4}" text-anchor="end">${label(yv)}</text>`);
  }
  // Integer x (epochs, steps) gets integer ticks, about five of them.
  const integral = all.every(([x]) => Number.isInteger(x));
  const xStep = integral ? Math.max(1, Math.ceil((x1 - x0) / 5)) : (x1 - x0) / 4;
  for (let xv = x0; xv <= x1 + 1e-9; xv += xStep) {
    parts.push(`<text x="${px(xv)}" y="${height - m.bottom + 14}" text-anchor="middle">${Number(xv.toPrecision(3))}</text>`);
  }
  if (options.title !== undefined) parts.push(`<text x="${m.left}" y="18" font-size="13">${esc(options.title)}</text>`);
  if (options.xLabel !== undefined) parts.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 6}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  if (options.yLabel !== undefined) parts.push(`<text x="14" y="${(m.top + height - m.bottom) / 2}" transform="rotate(-90 14 ${(m.top + height - m.bottom) / 2})" text-anchor="middle">${esc(options.yLabel)}</text>`);
  points.forEach((pts, k) => {
    const colour = colours[k % colours.length]!;
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    parts.push(`<text x="${width - m.right + 8}" y="${m.top + 14 * k + 8}" fill="${colour}">${esc(series[k]!.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Counts of (true class, predicted class) pairs: `matrix[t * classes + p]`; `labels` and
 * `predicted` are class indices below `classes`, one per example.
 */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Uint32Array {
  if (labels.length !== predicted.length) {
    throw new AttrError('confusionMatrix', `labels and predictions must pair up, got ${labels.length} and ${predicted.length}`, { labels: labels.length, predicted: predicted.length });
  }
  const m = new Uint32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) throw new AttrError('confusionMatrix', `classes must be below ${classes}`, { index: i, label: t, predicted: p, classes });
    m[t * classes + p]!++;
  }
  return m;
}

/**
 * A confusion matrix as SVG: rows are true classes, columns predictions; each cell's count,
 * shaded by its share of the row (the diagonal in green, errors in red).
 */
export function svgConfusionMatrix(matrix: ArrayLike<number>, classNames: readonly string[], options: { readonly title?: string } = {}): string {
  const k = classNames.length;
  const cell = 40;
  const label = Math.max(...classNames.map((n) => n.length)) * 7 + 12;
  const top = (options.title === undefined ? 0 : 24) + label;
  const left = label + 8;
  const width = Math.max(left + k * cell + 8, Math.ceil((options.title?.length ?? 0) * 7.5) + 16);
  const height = top + k * cell + 8;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  if (options.title !== undefined) parts.push(`<text x="8" y="17" font-size="14">${esc(options.title)}</text>`);
  for (let t = 0; t < k; t++) {
    let row = 0;
    for (let p = 0; p < k; p++) row += matrix[t * k + p]!;
    parts.push(`<text x="${left - 6}" y="${top + t * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${esc(classNames[t]!)}</text>`);
    for (let p = 0; p < k; p++) {
      const n = matrix[t * k + p]!;
      const share = row === 0 ? 0 : n / row;
      const colour = t === p ? `rgba(26,127,55,${share.toFixed(3)})` : `rgba(207,34,46,${Math.min(1, share * 5).toFixed(3)})`;
      const x = left + p * cell;
      const y = top + t * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${colour}" stroke="#ddd"/>`);
      if (n > 0) parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-size="10" text-anchor="middle">${n}</text>`);
    }
  }
  for (let p = 0; p < k; p++) {
    const x = left + p * cell + cell / 2 + 4;
    parts.push(`<text x="${x}" y="${top - 6}" font-size="11" transform="rotate(-90 ${x} ${top - 6})">${esc(classNames[p]!)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
