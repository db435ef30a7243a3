import { shapesEqual, sizeOf, stridesOf, type Graph, type Node, type Shape } from '@graft/ir';
import { any, op, rule, type RuleSet } from '@graft/rewrite';

// Algebraic simplification. Every rule is exact in IEEE arithmetic — NaN and ±∞ included —
// except where its identity says that only the sign of a zero can change (−0 + 0 = +0).
// What is left out on purpose: x · 0 → 0 for a general x, since NaN · 0 = NaN and ∞ · 0 = NaN
// (it is applied only to finite constants); x − x → 0 and x / x → 1 for the same reason.

/** c when `n` is a constant whose values all equal c, or a reshape or broadcast of one. */
export function filledWith(n: Node): number | undefined {
  if (n.is('reshape') || n.is('broadcastTo')) return filledWith(n.inputs[0]!);
  if (!n.is('constant')) return undefined;
  const v = n.attrs.values;
  const c = v[0];
  if (c === undefined) return undefined;
  for (let i = 1; i < v.length; i++) if (v[i] !== c) return undefined;
  return c;
}

/** x as a node of `shape`: x itself, or x broadcast when the other operand was larger. */
function broadcastAs(g: Graph, x: Node, shape: Shape): Node {
  return shapesEqual(x.shape, shape) ? x : g.broadcastTo(x, shape);
}

/** The axes in exactly one of a and b, sorted. */
function symmetricDifference(a: readonly number[], b: readonly number[]): number[] {
  return [...a.filter((x) => !b.includes(x)), ...b.filter((x) => !a.includes(x))].sort((x, y) => x - y);
}

const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);

// reverse(reverse(x, a), b) → reverse(x, a △ b), which is x when a = b
const reverseReverse = rule({
  name: 'reverse.reverse',
  identity: 'reverse(reverse(x, a), b) → reverse(x, a △ b); → x when a = b',
  pattern: op('reverse', [op('reverse', [any('x')], { as: 'inner' })]),
  rewrite: ({ x, inner }, outer, g) => {
    if (!inner.is('reverse')) return undefined;
    const axes = symmetricDifference(inner.attrs.axes, outer.attrs.axes);
    return axes.length === 0 ? x : g.reverse(x, axes);
  },
});

// reverse(x, a) → reverse(x, a without axes of size 1), which is x when none is left
const reverseUnit = rule({
  name: 'reverse.unitAxes',
  identity: 'reverse(x, a) → reverse(x, {i ∈ a : size_i > 1}); → x when that is empty',
  pattern: op('reverse', [any('x')], { where: (a, n) => a.axes.some((i) => n.shape[i] === 1) }),
  rewrite: ({ x }, node, g) => {
    const axes = node.attrs.axes.filter((i) => node.shape[i]! > 1);
    return axes.length === 0 ? x : g.reverse(x, axes);
  },
});

// transpose(x, [0, 1, …]) → x
const transposeIdentity = rule({
  name: 'transpose.identity',
  identity: 'transpose(x, [0, 1, …, r−1]) → x',
  pattern: op('transpose', [any('x')], { where: (a) => isIdentity(a.perm) }),
  rewrite: ({ x }) => x,
});

// transpose(transpose(x, p), q) → transpose(x, p∘q): z.shape[k] = y.shape[q[k]] = x.shape[p[q[k]]]
const transposeTranspose = rule({
  name: 'transpose.transpose',
  identity: 'transpose(transpose(x, p), q) → transpose(x, p∘q) with (p∘q)[k] = p[q[k]]; → x when that is the identity',
  pattern: op('transpose', [op('transpose', [any('x')], { as: 'inner' })]),
  rewrite: ({ x, inner }, outer, g) => {
    if (!inner.is('transpose')) return undefined;
    const p = inner.attrs.perm;
    const perm = outer.attrs.perm.map((q) => p[q]!);
    return isIdentity(perm) ? x : g.transpose(x, perm);
  },
});

// transpose(x, p) → reshape(x, shape(y)) when p moves only axes of size 1 (row-major order kept)
const transposeUnitAxes = rule({
  name: 'transpose.unitAxes',
  identity: 'transpose(x, p) → reshape(x, shape(y)) when p keeps the order of the axes of size > 1',
  pattern: op('transpose', [any('x')], {
    where: (a, n) => {
      const moved = a.perm.filter((p) => n.inputs[0]!.shape[p]! > 1);
      return moved.every((p, i) => i === 0 || moved[i - 1]! < p);
    },
  }),
  rewrite: ({ x }, node, g) => g.reshape(x, node.shape),
});

// pad(x, 0) → x
const padZero = rule({
  name: 'pad.zero',
  identity: 'pad(x, [[0, 0], …]) → x',
  pattern: op('pad', [any('x')], { where: (a) => a.pads.every(([b, e]) => b === 0 && e === 0) }),
  rewrite: ({ x }) => x,
});

// pad(pad(x, p), q) → pad(x, p + q) when nothing is cropped (p, q ≥ 0): zeros padded to zeros
const padPad = rule({
  name: 'pad.pad',
  identity: 'pad(pad(x, p), q) → pad(x, p + q) for p, q ≥ 0',
  pattern: op('pad', [op('pad', [any('x')], { as: 'inner' })]),
  rewrite: ({ x, inner }, outer, g) => {
    if (!inner.is('pad')) return undefined;
    const p = inner.attrs.pads;
    const q = outer.attrs.pads;
    if (![...p, ...q].every(([b, e]) => b >= 0 && e >= 0)) return undefined;
    return g.pad(x, p.map(([b, e], i) => [b + q[i]![0], e + q[i]![1]] as const));
  },
});

// dilate(x, 1) → x (also when the dilated axes have size 1: (1 − 1)·r + 1 = 1)
const dilateOne = rule({
  name: 'dilate.one',
  identity: 'dilate(x, [1, 1]) → x; also for rates on axes of size 1',
  pattern: op('dilate', [any('x')], { where: (_a, n) => shapesEqual(n.shape, n.inputs[0]!.shape) }),
  rewrite: ({ x }) => x,
});

// reshape(x, shape(x)) → x
const reshapeSame = rule({
  name: 'reshape.same',
  identity: 'reshape(x, shape(x)) → x',
  pattern: op('reshape', [any('x')], { where: (_a, n) => shapesEqual(n.shape, n.inputs[0]!.shape) }),
  rewrite: ({ x }) => x,
});

// reshape(reshape(x, s), t) → reshape(x, t): both keep row-major order
const reshapeReshape = rule({
  name: 'reshape.reshape',
  identity: 'reshape(reshape(x, s), t) → reshape(x, t)',
  pattern: op('reshape', [op('reshape', [any('x')])]),
  rewrite: ({ x }, node, g) => g.reshape(x, node.shape),
});

// broadcastTo(x, t) → reshape(x, t) when size(x) = size(t): only axes of size 1 are added
const broadcastSameSize = rule({
  name: 'broadcastTo.sameSize',
  identity: 'broadcastTo(x, t) → reshape(x, t) when size(x) = size(t); → x when shape(x) = t',
  pattern: op('broadcastTo', [any('x')], { where: (_a, n) => n.inputs[0]!.size === n.size }),
  rewrite: ({ x }, node, g) => (shapesEqual(x.shape, node.shape) ? x : g.reshape(x, node.shape)),
});

// broadcastTo(broadcastTo(x, s), t) → broadcastTo(x, t)
const broadcastBroadcast = rule({
  name: 'broadcastTo.broadcastTo',
  identity: 'broadcastTo(broadcastTo(x, s), t) → broadcastTo(x, t)',
  pattern: op('broadcastTo', [op('broadcastTo', [any('x')])]),
  rewrite: ({ x }, node, g) => g.broadcastTo(x, node.shape),
});

// sum(x, a) → reshape(x, shape(y)) when every axis in a has size 1 (sum over no axes → x); also mean, max
const reduceUnitAxes = rule({
  name: 'reduce.unitAxes',
  identity: 'sum(x, a) → reshape(x, shape(y)) when every axis in a has size 1, likewise mean and max; sum(x, []) → x (0 + −0 = +0 aside)',
  pattern: op(['sum', 'mean', 'max'], [any('x')], { where: (a, n) => a.axes.every((i) => n.inputs[0]!.shape[i] === 1) }),
  rewrite: ({ x }, node, g) => (shapesEqual(x.shape, node.shape) ? x : g.reshape(x, node.shape)),
});

// −(−x) → x
const negNeg = rule({
  name: 'neg.neg',
  identity: '−(−x) → x',
  pattern: op('neg', [op('neg', [any('x')])]),
  rewrite: ({ x }) => x,
});

// (−x)² → x²
const squareNeg = rule({
  name: 'square.neg',
  identity: '(−x)² → x²',
  pattern: op('square', [op('neg', [any('x')])]),
  rewrite: ({ x }, _node, g) => g.square(x),
});

// x · 1 → x and 1 · x → x (x broadcast when the ones are larger)
const mulOne = rule({
  name: 'mul.one',
  identity: 'x · 1 → x, 1 · x → x',
  pattern: op('mul', [any('a'), any('b')]),
  rewrite: ({ a, b }, node, g) => {
    if (filledWith(b) === 1) return broadcastAs(g, a, node.shape);
    if (filledWith(a) === 1) return broadcastAs(g, b, node.shape);
    return undefined;
  },
});

// x · (−1) → −x and (−1) · x → −x
const mulMinusOne = rule({
  name: 'mul.minusOne',
  identity: 'x · (−1) → −x, (−1) · x → −x',
  pattern: op('mul', [any('a'), any('b')]),
  rewrite: ({ a, b }, node, g) => {
    if (filledWith(b) === -1) return broadcastAs(g, g.neg(a), node.shape);
    if (filledWith(a) === -1) return broadcastAs(g, g.neg(b), node.shape);
    return undefined;
  },
});

// x / 1 → x
const divOne = rule({
  name: 'div.one',
  identity: 'x / 1 → x',
  pattern: op('div', [any('x'), any('one', (n) => filledWith(n) === 1)]),
  rewrite: ({ x }, node, g) => broadcastAs(g, x, node.shape),
});

// x + 0 → x and 0 + x → x
const addZero = rule({
  name: 'add.zero',
  identity: 'x + 0 → x, 0 + x → x (only the sign of a zero can change: −0 + 0 = +0)',
  pattern: op('add', [any('a'), any('b')]),
  rewrite: ({ a, b }, node, g) => {
    if (filledWith(b) === 0) return broadcastAs(g, a, node.shape);
    if (filledWith(a) === 0) return broadcastAs(g, b, node.shape);
    return undefined;
  },
});

// x − 0 → x
const subZero = rule({
  name: 'sub.zero',
  identity: 'x − 0 → x',
  pattern: op('sub', [any('x'), any('zero', (n) => filledWith(n) === 0)]),
  rewrite: ({ x }, node, g) => broadcastAs(g, x, node.shape),
});

// 0 − x → −x
const zeroSub = rule({
  name: 'sub.fromZero',
  identity: '0 − x → −x (only the sign of a zero can change: 0 − 0 = +0)',
  pattern: op('sub', [any('zero', (n) => filledWith(n) === 0), any('x')]),
  rewrite: ({ x }, node, g) => broadcastAs(g, g.neg(x), node.shape),
});

// x + (−y) → x − y and (−x) + y → y − x
const addNeg = rule({
  name: 'add.neg',
  identity: 'x + (−y) → x − y, (−x) + y → y − x',
  pattern: op('add', [any('a'), any('b')]),
  rewrite: ({ a, b }, _node, g) => {
    if (b.is('neg')) return g.sub(a, b.inputs[0]!);
    if (a.is('neg')) return g.sub(b, a.inputs[0]!);
    return undefined;
  },
});

// x − (−y) → x + y
const subNeg = rule({
  name: 'sub.neg',
  identity: 'x − (−y) → x + y',
  pattern: op('sub', [any('x'), op('neg', [any('y')])]),
  rewrite: ({ x, y }, _node, g) => g.add(x, y),
});

// x · 0 → 0 for a constant x of finite values; the zeros keep x's signs (−3 · 0 = −0)
const mulZero = rule({
  name: 'mul.zero',
  identity: 'x · 0 → 0 when x is a constant of finite values (NaN · 0 = ∞ · 0 = NaN, so not for general x)',
  pattern: op('mul', [any('a', (n) => n.is('constant')), any('b', (n) => n.is('constant'))]),
  rewrite: ({ a, b }, node, g) => {
    const finite = (n: Node) => (n as Node<'constant'>).attrs.values.every(Number.isFinite);
    if (node.size > 4096 || !finite(a) || !finite(b)) return undefined;
    if (filledWith(a) !== 0 && filledWith(b) !== 0) return undefined;
    const x = broadcastValues(a as Node<'constant'>, node.shape);
    const y = broadcastValues(b as Node<'constant'>, node.shape);
    return g.constant(x.map((v, i) => v * y[i]!), node.shape, node.dtype);
  },
});

// biasAdd(x, 0) → x
const biasAddZero = rule({
  name: 'biasAdd.zero',
  identity: 'biasAdd(x, 0) → x (only the sign of a zero can change)',
  pattern: op('biasAdd', [any('x'), any('zero', (n) => filledWith(n) === 0)]),
  rewrite: ({ x }) => x,
});

/** A constant's values repeated to `shape` by TensorFlow broadcasting. */
function broadcastValues(c: Node<'constant'>, shape: Shape): Float64Array {
  const from = c.shape;
  const own = stridesOf(from);
  const lead = shape.length - from.length;
  const strides = shape.map((d, i) => (i < lead || from[i - lead] !== d ? 0 : own[i - lead]!));
  const out = new Float64Array(sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += index[d]! * strides[d]!;
    out[o] = c.attrs.values[src]!;
    for (let d = shape.length - 1; d >= 0 && ++index[d]! === shape[d]!; d--) index[d] = 0;
  }
  return out;
}

/**
 * The algebraic simplifications the compiler applies (pass `simplify`), tried in order at
 * every node until none fires.
 */
export const simplifyRules: RuleSet = Object.freeze([
  reverseReverse,
  reverseUnit,
  transposeIdentity,
  transposeTranspose,
  transposeUnitAxes,
  padZero,
  padPad,
  dilateOne,
  reshapeSame,
  reshapeReshape,
  broadcastSameSize,
  broadcastBroadcast,
  reduceUnitAxes,
  negNeg,
  squareNeg,
  mulOne,
  mulMinusOne,
  divOne,
  addZero,
  subZero,
  zeroSub,
  addNeg,
  subNeg,
  mulZero,
  biasAddZero,
]);
