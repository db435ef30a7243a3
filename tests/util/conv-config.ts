/**
 * fast-check generator of valid conv2d configurations, named by geometry, plus the
 * traits the suite must be seen to cover (asymmetric SAME, stride > kernel, 1×1 output,
 * unread trailing rows, …).
 */
import fc from 'fast-check';
import { refAxis, refConvGeometry, refDepthwiseGeometry, type PaddingSpec, type RefConv } from './oracle.ts';
import { fmtDims } from './tensor.ts';

export type Dims4 = readonly [number, number, number, number];

/** One conv2d configuration; `name` comes first so a printed counterexample reads well. */
export interface ConvConfig {
  readonly name: string;
  /** NHWC input shape. */
  readonly x: Dims4;
  /** HWIO filter shape, `[kh, kw, cin / groups, cout]`. */
  readonly w: Dims4;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: PaddingSpec;
  /** Channel groups (1: the plain conv). */
  readonly groups: number;
  /** Seed of the data drawn for this configuration. */
  readonly seed: number;
}

function fmtPair(p: readonly [number, number]): string {
  return p[0] === p[1] ? String(p[0]) : `[${p[0]},${p[1]}]`;
}

export function fmtPadding(p: PaddingSpec): string {
  return typeof p === 'string' ? p.toLowerCase() : `[[${p[0].join(',')}],[${p[1].join(',')}]]`;
}

/** `x=[1,4,4,1] w=[1,1,1,3] s=2 d=1 p=same` (and ` g=2` for groups). */
export function convName(c: Omit<ConvConfig, 'name' | 'seed' | 'groups'> & { readonly groups?: number }): string {
  const groups = c.groups ?? 1;
  return `x=${fmtDims(c.x)} w=${fmtDims(c.w)} s=${fmtPair(c.strides)} d=${fmtPair(c.dilations)} p=${fmtPadding(c.padding)}${groups === 1 ? '' : ` g=${groups}`}`;
}

export function convConfig(c: Omit<ConvConfig, 'name' | 'seed' | 'groups'> & { readonly groups?: number }, seed = 1): ConvConfig {
  return { name: convName(c), ...c, groups: c.groups ?? 1, seed };
}

export function geometryOf(c: ConvConfig): RefConv {
  return refConvGeometry(c.x, c.w, c.strides, c.padding, c.dilations, c.groups);
}

/** One spatial axis: input size 1–maxSize, kernel 1–maxK, stride and dilation 1–3, explicit pads 0–3 per side. */
export const axisArbOf = (maxSize: number, maxK: number) =>
  fc.record({
    size: fc.integer({ min: 1, max: maxSize }),
    k: fc.integer({ min: 1, max: maxK }),
    s: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 3 }),
    before: fc.integer({ min: 0, max: 3 }),
    after: fc.integer({ min: 0, max: 3 }),
  });

const axisArb = axisArbOf(9, 4);

/**
 * Valid configurations: batch 1–3, H/W 1–9, channels 1–4, kernels 1–4, strides and
 * dilations 1–3 independently per axis, VALID / SAME / explicit (asymmetric) padding, and
 * groups 1 (half the runs), 2 (1–2 channels per group) or cin (one channel per group, the
 * depthwise case). Invalid ones (effective kernel larger than the padded input) are filtered out.
 */
export const convConfigArb: fc.Arbitrary<ConvConfig> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    cin: fc.integer({ min: 1, max: 4 }),
    cout: fc.integer({ min: 1, max: 4 }),
    grouping: fc.constantFrom('1' as const, '1' as const, '2' as const, 'cin' as const),
    h: axisArb,
    w: axisArb,
    mode: fc.constantFrom('VALID' as const, 'SAME' as const, 'EXPLICIT' as const),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  })
  .map(({ n, cin, cout, grouping, h, w, mode, seed }) => {
    const padding: PaddingSpec =
      mode === 'EXPLICIT' ? [[h.before, h.after], [w.before, w.after]] : mode;
    // groups 2: cin = 2·(1 or 2) and cout = 2·(1 or 2); groups cin: one input channel per group.
    const groups = grouping === '1' ? 1 : grouping === '2' ? 2 : cin;
    const cx = grouping === '2' ? 2 * (1 + (cin % 2)) : cin;
    const cy = grouping === '1' ? cout : groups * (1 + (cout % 2));
    return convConfig(
      { x: [n, h.size, w.size, cx], w: [h.k, w.k, cx / groups, cy], strides: [h.s, w.s], dilations: [h.d, w.d], padding, groups },
      seed,
    );
  })
  .filter(
    (c) =>
      refAxis(c.x[1], c.w[0], c.strides[0], c.dilations[0], c.padding, 0) !== undefined &&
      refAxis(c.x[2], c.w[1], c.strides[1], c.dilations[1], c.padding, 1) !== undefined,
  );

/** Traits of a configuration that the property tests must be seen to exercise. */
export function convTraits(c: ConvConfig): string[] {
  const g = geometryOf(c);
  const axes = [g.h, g.w];
  const traits: string[] = [];
  if (c.padding === 'SAME' && axes.some((a) => (a.before + a.after) % 2 === 1)) traits.push('SAME asymmetric (odd total)');
  if (axes.some((a) => a.s > a.k)) traits.push('stride > kernel');
  if (axes.some((a) => a.s > a.keff)) traits.push('stride > effective kernel');
  if (g.h.out === 1 && g.w.out === 1) traits.push('output 1x1');
  if (axes.some((a) => a.unread !== 0)) traits.push('trailing input rows never read');
  if (axes.some((a) => a.k % 2 === 0)) traits.push('even kernel');
  if (axes.some((a) => a.d > 1)) traits.push('dilation > 1');
  if (Array.isArray(c.padding) && axes.some((a) => a.before !== a.after)) traits.push('explicit asymmetric padding');
  if (axes.some((a) => a.before >= a.keff || a.after >= a.keff)) traits.push('padding ≥ effective kernel');
  if (c.strides[0] !== c.strides[1]) traits.push('strides differ per axis');
  if (c.dilations[0] !== c.dilations[1]) traits.push('dilations differ per axis');
  if (c.x[0] > 1) traits.push('batch > 1');
  if (c.groups > 1 && c.groups < c.x[3]) traits.push('groups > 1, several channels per group');
  if (c.groups > 1 && c.groups === c.x[3]) traits.push('groups = cin');
  return traits;
}

/** Every trait `convTraits` can report: each must occur in a property test's runs. */
export const requiredTraits = [
  'SAME asymmetric (odd total)',
  'stride > kernel',
  'stride > effective kernel',
  'output 1x1',
  'trailing input rows never read',
  'even kernel',
  'dilation > 1',
  'explicit asymmetric padding',
  'padding ≥ effective kernel',
  'strides differ per axis',
  'dilations differ per axis',
  'batch > 1',
  'groups > 1, several channels per group',
  'groups = cin',
] as const;

/** Counts traits over a property test's runs. */
export class TraitCounter {
  readonly counts = new Map<string, number>();
  record(c: ConvConfig): void {
    for (const t of convTraits(c)) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
  }
  /** Required traits that never occurred. */
  missing(): string[] {
    return requiredTraits.filter((t) => (this.counts.get(t) ?? 0) === 0);
  }
}

/** One depthwise conv configuration: w `[kh, kw, c, m]` (m the channel multiplier). */
export interface DepthwiseConfig {
  readonly name: string;
  readonly x: Dims4;
  readonly w: Dims4;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: PaddingSpec;
  readonly seed: number;
}

export function depthwiseGeometryOf(c: DepthwiseConfig): RefConv {
  return refDepthwiseGeometry(c.x, c.w, c.strides, c.padding, c.dilations);
}

/** Valid depthwise configurations: as `convConfigArb`'s geometry, channels 1–4, multiplier 1 (half the runs) or 2–3. */
export const depthwiseConfigArb: fc.Arbitrary<DepthwiseConfig> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 4 }),
    m: fc.constantFrom(1, 1, 2, 3),
    h: axisArb,
    w: axisArb,
    mode: fc.constantFrom('VALID' as const, 'SAME' as const, 'EXPLICIT' as const),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  })
  .map(({ n, c, m, h, w, mode, seed }) => {
    const padding: PaddingSpec = mode === 'EXPLICIT' ? [[h.before, h.after], [w.before, w.after]] : mode;
    const x: Dims4 = [n, h.size, w.size, c];
    const wd: Dims4 = [h.k, w.k, c, m];
    const name = `x=${fmtDims(x)} w=${fmtDims(wd)} s=${fmtPair([h.s, w.s])} d=${fmtPair([h.d, w.d])} p=${fmtPadding(padding)} m=${m}`;
    return { name, x, w: wd, strides: [h.s, w.s] as const, dilations: [h.d, w.d] as const, padding, seed };
  })
  .filter(
    (c) =>
      refAxis(c.x[1], c.w[0], c.strides[0], c.dilations[0], c.padding, 0) !== undefined &&
      refAxis(c.x[2], c.w[1], c.strides[1], c.dilations[1], c.padding, 1) !== undefined,
  );
