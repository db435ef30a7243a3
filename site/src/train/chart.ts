/** A small SVG line chart for the live curves (x: training step). */
export interface Line {
  readonly name: string;
  readonly colour: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw points as dots (e.g. one per epoch) rather than a line. */
  readonly dots?: boolean;
  readonly faint?: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function lineChart(lines: readonly Line[], o: { title: string; xMax: number; yMin: number; yMax: number; yFormat?: (v: number) => string; width?: number; height?: number }): string {
  const W = o.width ?? 460;
  const H = o.height ?? 200;
  const m = { l: 44, r: 12, t: 34, b: 26 };
  const x = (v: number) => m.l + (v / Math.max(1, o.xMax)) * (W - m.l - m.r);
  const y = (v: number) => m.t + (1 - (v - o.yMin) / (o.yMax - o.yMin)) * (H - m.t - m.b);
  const fmtY = o.yFormat ?? ((v: number) => v.toFixed(1));
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="10">`];
  parts.push(`<text x="${m.l}" y="13" font-size="11" font-weight="600">${esc(o.title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = o.yMin + ((o.yMax - o.yMin) * k) / 4;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l - 4}" y="${y(v) + 3}" text-anchor="end" fill="#666">${fmtY(v)}</text>`);
  }
  parts.push(`<text x="${W - m.r}" y="${H - 6}" text-anchor="end" fill="#666">step ${o.xMax}</text>`);
  parts.push(`<text x="${m.l}" y="${H - 6}" fill="#666">0</text>`);
  let legend = m.l;
  for (const line of lines) {
    const pts = line.points.filter(([, v]) => Number.isFinite(v));
    if (line.dots === true) {
      for (const [a, b] of pts) parts.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(Math.min(o.yMax, Math.max(o.yMin, b))).toFixed(1)}" r="3.5" fill="${line.colour}"/>`);
    } else if (pts.length > 1) {
      const d = pts.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${x(a).toFixed(1)},${y(Math.min(o.yMax, Math.max(o.yMin, b))).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${line.colour}" stroke-width="${line.faint === true ? 1 : 2}" opacity="${line.faint === true ? 0.35 : 1}"/>`);
    }
    if (line.faint !== true) {
      parts.push(`<rect x="${legend}" y="21" width="10" height="3" fill="${line.colour}"/><text x="${legend + 13}" y="26" fill="#333">${esc(line.name)}</text>`);
      legend += 16 + line.name.length * 5.5;
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
