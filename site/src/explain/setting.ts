/** The explainer's presets and the form that edits a setting. */
import type { ExplainSetting } from './compute.ts';

export interface Preset {
  readonly id: string;
  readonly label: string;
  readonly setting: ExplainSetting;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'mnist-s1',
    label: '28×28 · 7×7 · stride 1 · SAME',
    setting: { x: [1, 28, 28, 1], kernel: [7, 7], cout: 1, strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
  },
  {
    id: 'mnist-s2',
    label: '28×28 · 7×7 · stride 2 · SAME',
    setting: { x: [1, 28, 28, 1], kernel: [7, 7], cout: 1, strides: [2, 2], dilations: [1, 1], padding: 'SAME' },
  },
  {
    id: 'small-s2',
    label: '8×8 · 3×3 · stride 2 · SAME (7 and 8 → 4)',
    setting: { x: [1, 8, 8, 1], kernel: [3, 3], cout: 1, strides: [2, 2], dilations: [1, 1], padding: 'SAME' },
  },
  {
    id: 'dilated',
    label: 'dilation 2 · explicit padding [[1,2],[0,3]] · strides [2,1]',
    setting: {
      x: [1, 11, 10, 2],
      kernel: [3, 3],
      cout: 2,
      strides: [2, 1],
      dilations: [2, 2],
      padding: [
        [1, 2],
        [0, 3],
      ],
    },
  },
];

/** The form's fields, by name (`name` attributes of the inputs). */
export const FIELDS = ['n', 'h', 'w', 'c', 'kh', 'kw', 'cout', 'sh', 'sw', 'dh', 'dw', 'pt', 'pb', 'pl', 'pr'] as const;
export type Field = (typeof FIELDS)[number];

/** The field values of a setting (pads 0 unless explicit). */
export function fieldsOf(s: ExplainSetting): Record<Field, number> {
  const p = s.padding === 'SAME' || s.padding === 'VALID' ? [0, 0, 0, 0] : [s.padding[0][0], s.padding[0][1], s.padding[1][0], s.padding[1][1]];
  return {
    n: s.x[0],
    h: s.x[1],
    w: s.x[2],
    c: s.x[3],
    kh: s.kernel[0],
    kw: s.kernel[1],
    cout: s.cout,
    sh: s.strides[0],
    sw: s.strides[1],
    dh: s.dilations[0],
    dw: s.dilations[1],
    pt: p[0]!,
    pb: p[1]!,
    pl: p[2]!,
    pr: p[3]!,
  };
}

/** Limits that keep every grid drawable (graft itself accepts larger). */
const LIMITS: Record<Field, readonly [number, number]> = {
  n: [1, 4],
  h: [1, 64],
  w: [1, 64],
  c: [1, 4],
  kh: [1, 11],
  kw: [1, 11],
  cout: [1, 4],
  sh: [1, 4],
  sw: [1, 4],
  dh: [1, 4],
  dw: [1, 4],
  pt: [0, 16],
  pb: [0, 16],
  pl: [0, 16],
  pr: [0, 16],
};

const NAMES: Record<Field, string> = {
  n: 'x batch',
  h: 'x height',
  w: 'x width',
  c: 'x channels',
  kh: 'kernel height',
  kw: 'kernel width',
  cout: 'out-channels',
  sh: 'stride height',
  sw: 'stride width',
  dh: 'dilation height',
  dw: 'dilation width',
  pt: 'padding top',
  pb: 'padding bottom',
  pl: 'padding left',
  pr: 'padding right',
};

/** A setting from the form's values, or what is wrong with them. */
export function settingOf(values: Record<Field, string>, padding: string): ExplainSetting | { error: string } {
  const v = {} as Record<Field, number>;
  for (const f of FIELDS) {
    const n = Number(values[f]);
    const [lo, hi] = LIMITS[f];
    if (values[f].trim() === '' || !Number.isInteger(n) || n < lo || n > hi) return { error: `${NAMES[f]} must be an integer from ${lo} to ${hi} here, got ${JSON.stringify(values[f])}` };
    v[f] = n;
  }
  return {
    x: [v.n, v.h, v.w, v.c],
    kernel: [v.kh, v.kw],
    cout: v.cout,
    strides: [v.sh, v.sw],
    dilations: [v.dh, v.dw],
    padding:
      padding === 'SAME' || padding === 'VALID'
        ? padding
        : [
            [v.pt, v.pb],
            [v.pl, v.pr],
          ],
  };
}

/** A stable key of a setting (the page marks which setting its numbers belong to). */
export function settingKey(s: ExplainSetting): string {
  return JSON.stringify([s.x, s.kernel, s.cout, s.strides, s.dilations, s.padding]);
}
