/**
 * Every error a user can cause is a typed GraftError, thrown when the graph is built, when it
 * is compiled, or when feeds are checked at the start of `run`, with a message of the form
 * `op: rule (values)` that contains the offending values, and `values` holding every number the
 * message states.
 */
import { describe, expect, it } from 'vitest';
import { AttrError, FeedError, GraftError, Graph, GraphError, ShapeError, compile, cpu, type Node } from 'graft';
import { expectValues } from './util/error-values.ts';

type ErrorClass = typeof ShapeError | typeof AttrError | typeof FeedError | typeof GraphError;

function check(err: unknown, type: ErrorClass, fragments: readonly string[]): GraftError {
  expect(err, `expected a ${type.name}`).toBeInstanceOf(type);
  expect(err).toBeInstanceOf(GraftError);
  const e = err as GraftError;
  expect(e.name).toBe(type.name);
  // `op: rule …`
  expect(e.message.startsWith(`${e.op}: ${e.rule}`), e.message).toBe(true);
  for (const f of fragments) expect(e.message).toContain(f);
  // And its values hold every number the message states.
  expectValues(e, type);
  return e;
}

/** Runs `fn`, expecting a `type` whose message contains every fragment. */
function expectError(fn: () => unknown, type: ErrorClass, ...fragments: string[]): GraftError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  return check(err, type, fragments);
}

async function expectRejection(fn: () => Promise<unknown>, type: ErrorClass, ...fragments: string[]): Promise<GraftError> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  return check(err, type, fragments);
}

function graph(): Graph {
  return new Graph({ dtype: 'float64' });
}

describe('conv2d shapes', () => {
  it('x of rank 3', () => {
    const g = graph();
    expectError(() => g.conv2d(g.input('x', [7, 7, 3]), g.input('w', [3, 3, 3, 4])), ShapeError, 'conv2d: x must have rank 4, got rank 3', '[7,7,3]');
  });

  it('w of rank 2', () => {
    const g = graph();
    expectError(() => g.conv2d(g.input('x', [1, 7, 7, 3]), g.input('w', [3, 3])), ShapeError, 'conv2d: w must have rank 4, got rank 2', '[3,3]');
  });

  it('channel mismatch names both channel counts and both shapes', () => {
    const g = graph();
    const e = expectError(() => g.conv2d(g.input('x', [2, 7, 7, 3]), g.input('w', [3, 3, 4, 8])), ShapeError);
    expect(e.message).toBe('conv2d: x channels (3) must equal w in-channels (4) (x [2,7,7,3], w [3,3,4,8])');
  });

  it('kernel larger than the padded input: x=[1,4,4,1] w=[3,3,1,1] d=2 p=valid (height 5 > 4)', () => {
    const g = graph();
    expectError(
      () => g.conv2d(g.input('x', [1, 4, 4, 1]), g.input('w', [3, 3, 1, 1]), { dilations: 2 }),
      ShapeError,
      'effective kernel height (5 = (3 − 1)·2 + 1) must not exceed padded input height (4)',
    );
  });

  it('kernel larger than the padded input: x=[1,4,4,1] w=[1,6,1,1] p=[[0,0],[1,0]] (width 6 > 5)', () => {
    const g = graph();
    expectError(
      () => g.conv2d(g.input('x', [1, 4, 4, 1]), g.input('w', [1, 6, 1, 1]), { padding: [[0, 0], [1, 0]] }),
      ShapeError,
      'effective kernel width (6',
      'padded input width (5)',
    );
  });

  it('SAME padding never makes the kernel too large: x=[1,1,1,1] w=[4,4,1,1] d=3 p=same is valid', () => {
    const g = graph();
    expect(g.conv2d(g.input('x', [1, 1, 1, 1]), g.input('w', [4, 4, 1, 1]), { dilations: 3, padding: 'SAME' }).shape).toEqual([1, 1, 1, 1]);
  });
});

describe('conv attrs', () => {
  const x = () => {
    const g = graph();
    return { g, x: g.input('x', [1, 5, 5, 1]), w: g.input('w', [2, 2, 1, 1]) };
  };
  const badPairs: readonly [unknown, string][] = [
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['2', '"2"'],
    [[2, 0], '[2,0]'],
    [[1, 2, 3], '[1,2,3]'],
    [[2], '[2]'],
    [[NaN, 1], '[NaN,1]'],
  ];
  for (const attr of ['strides', 'dilations'] as const) {
    for (const [v, shown] of badPairs) {
      it(`${attr}: ${shown}`, () => {
        const { g, x: xx, w } = x();
        expectError(() => g.conv2d(xx, w, { [attr]: v } as never), AttrError, `conv2d: ${attr} must be a positive integer`, `${attr} ${shown}`);
      });
    }
  }

  it("padding 'same' (lowercase)", () => {
    const { g, x: xx, w } = x();
    expectError(() => g.conv2d(xx, w, { padding: 'same' as never }), AttrError, 'conv2d: padding must be', 'padding "same"');
  });

  it('negative explicit padding', () => {
    const { g, x: xx, w } = x();
    expectError(() => g.conv2d(xx, w, { padding: [[-1, 0], [0, 0]] }), AttrError, 'explicit padding must be non-negative', '[[-1,0],[0,0]]');
  });

  it('malformed explicit padding: one pair, non-integers, NaN', () => {
    const { g, x: xx, w } = x();
    expectError(() => g.conv2d(xx, w, { padding: [[1, 1]] as never }), AttrError, 'padding [[1,1]]');
    expectError(() => g.conv2d(xx, w, { padding: [[0.5, 0], [0, 0]] }), AttrError, 'padding [[0.5,0],[0,0]]');
    expectError(() => g.conv2d(xx, w, { padding: [[NaN, 0], [0, 0]] }), AttrError, 'padding [[NaN,0],[0,0]]');
  });

  it('options that are not an object', () => {
    const { g, x: xx, w } = x();
    expectError(() => g.conv2d(xx, w, 'SAME' as never), AttrError, 'options "SAME"');
  });

  it('the gradient ops validate the same attrs (conv2dBackpropInput strides NaN, conv2dBackpropFilter dilations 0)', () => {
    const g = graph();
    const dy = g.input('dy', [1, 4, 4, 1]);
    const w = g.input('w', [2, 2, 1, 1]);
    const xx = g.input('x', [1, 5, 5, 1]);
    expectError(() => g.conv2dBackpropInput(dy, w, { inputShape: [1, 5, 5, 1], strides: NaN }), AttrError, 'conv2dBackpropInput: strides', 'strides NaN');
    expectError(() => g.conv2dBackpropFilter(xx, dy, { filterShape: [2, 2, 1, 1], dilations: 0 }), AttrError, 'conv2dBackpropFilter: dilations', 'dilations 0');
    expectError(() => g.conv2dTranspose(dy, w, { outputShape: [1, 5, 5, 1], padding: 'full' as never }), AttrError, 'conv2dTranspose: padding', '"full"');
  });
});

describe('conv gradients and conv2dTranspose shapes', () => {
  it('impossible conv2dTranspose output shape lists the valid sizes: v=[1,4,4,2] w=[3,3,1,2] s=2 p=same, out [1,6,7,1]', () => {
    const g = graph();
    expectError(
      () => g.conv2dTranspose(g.input('v', [1, 4, 4, 2]), g.input('w', [3, 3, 1, 2]), { outputShape: [1, 6, 7, 1], strides: 2, padding: 'SAME' }),
      ShapeError,
      'conv2dTranspose: outputShape [1,6,7,1]',
      'v [1,4,4,2]',
      'valid heights: 7 or 8',
      'valid widths: 7 or 8',
    );
  });

  it('an output size no input reaches says "none": v=[1,2,2,1] w=[1,1,1,1] p=[[3,3],[3,3]], out [1,1,1,1]', () => {
    const g = graph();
    expectError(
      () => g.conv2dTranspose(g.input('v', [1, 2, 2, 1]), g.input('w', [1, 1, 1, 1]), { outputShape: [1, 1, 1, 1], padding: [[3, 3], [3, 3]] }),
      ShapeError,
      'valid heights: none; valid widths: none',
    );
  });

  it('conv2dTranspose: v channels must equal w out-channels; outputShape batch and channels must fit', () => {
    const g = graph();
    const v = g.input('v', [2, 4, 4, 3]);
    const w = g.input('w', [3, 3, 1, 2]);
    expectError(() => g.conv2dTranspose(v, w, { outputShape: [2, 6, 6, 1] }), ShapeError, 'v channels (3) must equal w out-channels (2)');
    const v2 = g.input('v2', [2, 4, 4, 2]);
    expectError(() => g.conv2dTranspose(v2, w, { outputShape: [1, 6, 6, 1] }), ShapeError, 'outputShape batch (1) must equal v batch (2)');
    expectError(() => g.conv2dTranspose(v2, w, { outputShape: [2, 6, 6, 5] }), ShapeError, 'outputShape channels (5) must equal w in-channels (1)');
  });

  it('conv2dBackpropInput: impossible inputShape lists the valid sizes; malformed inputShape', () => {
    const g = graph();
    const dy = g.input('dy', [1, 3, 3, 1]);
    const w = g.input('w', [2, 2, 1, 1]);
    expectError(
      () => g.conv2dBackpropInput(dy, w, { inputShape: [1, 7, 9, 1], strides: 3, padding: 'VALID' }),
      ShapeError,
      'conv2dBackpropInput: inputShape [1,7,9,1]',
      'valid heights: 8 or 9 or 10',
    );
    expectError(() => g.conv2dBackpropInput(dy, w, { inputShape: [1, 4.5, 4, 1] }), AttrError, 'inputShape [1,4.5,4,1]');
    expectError(() => g.conv2dBackpropInput(dy, w, {} as never), AttrError, 'inputShape undefined');
  });

  it('conv2dBackpropFilter: dy must have the forward output shape', () => {
    const g = graph();
    expectError(
      () => g.conv2dBackpropFilter(g.input('x', [1, 4, 4, 1]), g.input('dy', [1, 2, 2, 1]), { filterShape: [2, 2, 1, 1] }),
      ShapeError,
      'dy shape [1,2,2,1] must equal conv2d(x, filterShape) output [1,3,3,1]',
    );
  });
});

describe('grouped and depthwise conv, concat, fused', () => {
  it('groups that do not divide the channels', () => {
    const g = graph();
    const x = g.input('x', [1, 5, 5, 6]);
    expectError(() => g.conv2d(g.input('x5', [1, 5, 5, 5]), g.input('w', [3, 3, 2, 4]), { groups: 2 }), ShapeError, 'conv2d: x channels (5) must be divisible by groups (2)', 'groups 2');
    expectError(() => g.conv2d(x, g.input('w1', [3, 3, 3, 5]), { groups: 2 }), ShapeError, 'conv2d: w out-channels (5) must be divisible by groups (2)', 'w [3,3,3,5]');
    expectError(() => g.conv2d(x, g.input('w2', [3, 3, 2, 4]), { groups: 2 }), ShapeError, 'conv2d: x channels (6) must equal w in-channels (2) × groups (2)', 'x [1,5,5,6]');
    expectError(() => g.conv2dBackpropInput(g.input('dy', [1, 3, 3, 4]), g.input('w3', [3, 3, 2, 4]), { inputShape: [1, 5, 5, 6], groups: 2 }), ShapeError, 'conv2dBackpropInput: inputShape channels (6) must equal w in-channels (2) × groups (2)');
    expectError(() => g.conv2dBackpropFilter(x, g.input('dy2', [1, 3, 3, 4]), { filterShape: [3, 3, 3, 4], groups: 4 }), ShapeError, 'conv2dBackpropFilter: x channels (6) must be divisible by groups (4)');
  });

  it('groups that are not a positive integer', () => {
    const g = graph();
    const x = g.input('x', [1, 5, 5, 4]);
    const w = g.input('w', [3, 3, 2, 4]);
    for (const groups of [0, 1.5, -2, NaN]) expectError(() => g.conv2d(x, w, { groups }), AttrError, 'conv2d: groups must be a positive integer');
    expectError(() => g.conv2dTranspose(g.input('v', [1, 3, 3, 4]), w, { outputShape: [1, 5, 5, 4], groups: '2' as never }), AttrError, 'conv2dTranspose: groups must be a positive integer');
  });

  it('depthwise channels and shapes', () => {
    const g = graph();
    const x = g.input('x', [2, 6, 6, 3]);
    expectError(() => g.depthwiseConv2d(x, g.input('w', [3, 3, 4, 2])), ShapeError, 'depthwiseConv2d: x channels (3) must equal w in-channels (4)', 'x [2,6,6,3], w [3,3,4,2]');
    expectError(() => g.depthwiseConv2d(x, g.input('w2', [3, 3, 3])), ShapeError, 'depthwiseConv2d: w must have rank 4, got rank 3');
    expectError(() => g.depthwiseConv2d(x, g.input('w3', [7, 7, 3, 1])), ShapeError, 'depthwiseConv2d: effective kernel height (7 = (7 − 1)·1 + 1) must not exceed padded input height (6)');
    const w = g.input('w4', [3, 3, 3, 2]);
    expectError(() => g.depthwiseConv2dBackpropInput(g.input('dy', [2, 4, 4, 6]), w, { inputShape: [2, 6, 6, 4] }), ShapeError, 'depthwiseConv2dBackpropInput: inputShape channels (4) must equal w in-channels (3)');
    expectError(() => g.depthwiseConv2dBackpropInput(g.input('dy2', [2, 4, 4, 6]), w, { inputShape: [2, 9, 6, 3] }), ShapeError, 'valid heights: 6');
    expectError(() => g.depthwiseConv2dBackpropFilter(x, g.input('dy3', [2, 4, 4, 3]), { filterShape: [3, 3, 3, 2] }), ShapeError, 'depthwiseConv2dBackpropFilter: dy shape [2,4,4,3] must equal depthwiseConv2d(x, filterShape) output [2,4,4,6]');
    expectError(() => g.depthwiseConv2d(x, w, { groups: 3 } as never), AttrError, 'depthwiseConv2d: unknown option "groups"');
  });

  it('concat of shapes that differ off the axis, or of nothing', () => {
    const g = graph();
    const a = g.input('a', [2, 3, 4]);
    expectError(() => g.concat([a, g.input('b', [2, 2, 5])]), ShapeError, 'concat: operands must have equal shapes except along axis 2: xs[0] is [2,3,4], xs[1] is [2,2,5]');
    expectError(() => g.concat([]), AttrError, 'concat: takes at least 1 operand, got 0');
    expectError(() => g.concat([a], 3), AttrError, 'concat: axis must be an integer in [-3, 2]');
    expectError(() => g.concat([g.constant(1)]), ShapeError, 'concat: operands must have rank ≥ 1');
  });

  it('apply refuses a record without arithmetic', () => {
    const g = graph();
    expectError(() => g.apply({ name: 'nothing' } as never, [g.input('x', [2])]), AttrError, 'apply: record must be an elementwise op record');
  });
});

describe('pooling, dilate, pad', () => {
  it('pool window larger than the input, explicit padding not smaller than the window, bad ksize', () => {
    const g = graph();
    const x = g.input('x', [1, 4, 4, 1]);
    expectError(() => g.maxPool(x, { ksize: 5 }), ShapeError, 'maxPool: effective kernel height (5');
    expectError(() => g.avgPool(x, { ksize: 2, padding: [[2, 0], [0, 0]] }), AttrError, 'avgPool: explicit padding must be smaller than the window', '[[2,0],[0,0]]');
    expectError(() => g.maxPool(x, { ksize: '2' as never }), AttrError, 'ksize "2"');
    expectError(() => g.maxPool(x, { ksize: 2, strides: 0 }), AttrError, 'strides 0');
    expectError(() => g.maxPool(x, { ksize: 2, padding: 'valid' as never }), AttrError, 'padding "valid"');
    expectError(() => g.maxPool(g.input('x3', [4, 4, 1]), { ksize: 2 }), ShapeError, 'maxPool: x must have rank 4, got rank 3');
  });

  it('dilate: rank and rates', () => {
    const g = graph();
    expectError(() => g.dilate(g.input('x', [2, 3]), 2), ShapeError, 'dilate: x must have rank 4, got rank 2');
    expectError(() => g.dilate(g.input('y', [1, 2, 2, 1]), 0), AttrError, 'rates 0');
  });

  it('pad: wrong number of pairs, non-integers, a crop that empties an axis', () => {
    const g = graph();
    const x = g.input('x', [2, 5]);
    expectError(() => g.pad(x, [[1, 1]]), AttrError, 'pad: pads must be 2 [before, after] integer pairs', '[[1,1]]');
    expectError(() => g.pad(x, [[0, 0], [NaN, 1]]), AttrError, '[[0,0],[NaN,1]]');
    expectError(() => g.pad(x, [[0, 0], [-3, -2]]), ShapeError, 'every padded size', '[2,0]');
  });
});

describe('elementwise, matmul, reshape, transpose, axes', () => {
  it('broadcasting mismatch', () => {
    const g = graph();
    expectError(
      () => g.add(g.input('a', [2, 3]), g.input('b', [4])),
      ShapeError,
      'add: shapes must broadcast: sizes 3 and 4 at axis -1 must be equal or 1',
      'a [2,3], b [4]',
    );
  });

  it('a NaN or non-number operand', () => {
    const g = graph();
    const x = g.input('x', [2]);
    expectError(() => g.mul(x, NaN), AttrError, 'mul: operands must be nodes or numbers', 'operand NaN');
    expectError(() => g.sub(x, '2' as never), AttrError, 'operand "2"');
  });

  it('operands of different dtypes', () => {
    const g = graph();
    expectError(() => g.add(g.input('a', [2]), g.input('b', [2], 'float32')), ShapeError, 'a is float64, b is float32');
  });

  it('matmul: inner sizes, rank, batch broadcasting', () => {
    const g = graph();
    expectError(
      () => g.matmul(g.input('a', [3, 4]), g.input('b', [5, 2])),
      ShapeError,
      'matmul: inner sizes must match: a columns (4) must equal b rows (5)',
      'a [3,4], b [5,2]',
    );
    expectError(() => g.matmul(g.input('v', [3]), g.input('m', [3, 2])), ShapeError, 'matmul: a and b must have rank ≥ 2', 'a [3]');
    expectError(() => g.matmul(g.input('p', [2, 3, 4]), g.input('q', [3, 4, 5])), ShapeError, 'matmul:', 'sizes 2 and 3');
  });

  it('biasAdd: bias length and rank', () => {
    const g = graph();
    expectError(() => g.biasAdd(g.input('x', [2, 3]), g.input('b', [2])), ShapeError, 'biasAdd:', 'x [2,3], b [2]');
    expectError(() => g.biasAdd(g.input('y', [2, 3]), g.input('c', [1, 3])), ShapeError, 'biasAdd: b must have rank 1, got rank 2');
  });

  it('reshape: element count, −1 that does not divide, two −1, non-positive sizes', () => {
    const g = graph();
    const x = g.input('x', [2, 3]);
    expectError(() => g.reshape(x, [4, 2]), ShapeError, 'reshape: element count must be preserved: [2,3] has 6 elements, [4,2] has 8');
    expectError(() => g.reshape(x, [4, -1]), ShapeError, '[4,-1] has a multiple of 4');
    expectError(() => g.reshape(x, [-1, -1]), AttrError, 'at most one −1', 'shape [-1,-1]');
    expectError(() => g.reshape(x, [0, 6]), AttrError, 'shape [0,6]');
  });

  it('transpose: a perm that is not a permutation, or of the wrong length', () => {
    const g = graph();
    const x = g.input('x', [2, 3, 4]);
    expectError(() => g.transpose(x, [0, 0, 1]), AttrError, 'transpose: perm must be a permutation of 0..2', 'perm [0,0,1], rank 3');
    expectError(() => g.transpose(x, [1, 0]), AttrError, 'perm [1,0]');
    expectError(() => g.transpose(x, [0, 1, 3]), AttrError, 'perm [0,1,3]');
  });

  it('axes: out of range, repeated, non-integer, not an array; keepDims not a boolean', () => {
    const g = graph();
    const x = g.input('x', [2, 3]);
    expectError(() => g.sum(x, [2]), AttrError, 'sum: axis must be an integer in [-2, 1]', 'axis 2, rank 2');
    expectError(() => g.mean(x, [-3]), AttrError, 'axis -3');
    expectError(() => g.max(x, [0, -2]), AttrError, 'max: axes must be distinct', 'axes [0,-2]');
    expectError(() => g.sum(x, [0.5]), AttrError, 'axis 0.5');
    expectError(() => g.sum(x, 1 as never), AttrError, 'axes 1');
    expectError(() => g.sum(x, [0], 'yes' as never), AttrError, 'keepDims "yes"');
    expectError(() => g.reverse(x, [5]), AttrError, 'reverse: axis must be an integer', 'axis 5');
    expectError(() => g.softmax(x, 2), AttrError, 'softmax: axis must be an integer in [-2, 1]', 'axis 2');
    expectError(() => g.logSoftmax(x, NaN), AttrError, 'logSoftmax:', 'axis NaN');
  });
});

describe('graph construction', () => {
  it('bad dtype, input names and shapes', () => {
    expectError(() => new Graph({ dtype: 'float16' as never }), AttrError, 'dtype "float16"');
    const g = graph();
    g.input('x', [2]);
    expectError(() => g.input('x', [3]), AttrError, 'input: name must be unique', '"x"');
    expectError(() => g.input('', [3]), AttrError, 'name ""');
    expectError(() => g.input('z', [2, 0]), AttrError, 'shape [2,0]');
    expectError(() => g.input('z', [1.5]), AttrError, 'shape [1.5]');
  });

  it('constant: values length and type', () => {
    const g = graph();
    expectError(() => g.constant([1, 2, 3], [2, 2]), ShapeError, 'constant: values length (3) must equal the shape\'s size (4)');
    expectError(() => g.constant(['a'] as never, [1]), AttrError, 'value "a"');
  });

  it('nodes from another graph', () => {
    const g1 = graph();
    const g2 = graph();
    const a = g1.input('a', [2]);
    const b = g2.input('b', [2]);
    expectError(() => g1.add(a, b), GraphError, 'add: operands must belong to this graph', `${b}`);
    expectError(() => g1.conv2d(g1.input('x', [1, 3, 3, 1]), g2.input('w', [1, 1, 1, 1])), GraphError, 'conv2d: operands must belong to this graph');
    expectError(() => compile({ a, b }, { backend: cpu() }), GraphError, 'all outputs must belong to one graph', 'output "b"');
  });

  it('compile: outputs that are not nodes, no outputs, no backend', () => {
    const g = graph();
    const y: Node = g.relu(g.input('x', [2]));
    expectError(() => compile({ y: 3 } as never, { backend: cpu() }), GraphError, 'compile: output "y" must be a Node', 'y 3');
    expectError(() => compile({ y: 'x' } as never, { backend: cpu() }), GraphError, 'output "y" must be a Node', 'y "x"');
    expectError(() => compile({ y, z: undefined } as never, { backend: cpu() }), GraphError, 'output "z" must be a Node');
    expectError(() => compile({}, { backend: cpu() }), GraphError, 'at least one node');
    expectError(() => compile(null as never, { backend: cpu() }), GraphError, 'outputs null');
    expectError(() => compile({ y }, {} as never), GraphError, 'options.backend');
  });
});

describe('feeds (checked when run starts)', () => {
  function program() {
    const g = graph();
    const x = g.input('x', [1, 2, 2, 3]);
    const w = g.input('w', [1, 1, 3, 2]);
    const h = g.input('h', [2], 'float32');
    return { p: compile({ y: g.conv2d(x, w), k: g.neg(h) }, { backend: cpu() }), x: new Float64Array(12), w: new Float64Array(6), h: new Float32Array(2) };
  }

  it('a missing feed', async () => {
    const { p, x, h } = program();
    await expectRejection(() => p.run({ x, h }), FeedError, 'run: every input must be fed; missing "w"');
  });

  it('a feed of the wrong length', async () => {
    const { p, w, h } = program();
    await expectRejection(() => p.run({ x: new Float64Array(11), w, h }), FeedError, 'feed "x" must have 12 elements for shape [1,2,2,3], got 11');
  });

  it('a Float32Array for a float64 input, a Float64Array for a float32 input', async () => {
    const { p, x, w, h } = program();
    await expectRejection(() => p.run({ x: new Float32Array(12), w, h }), FeedError, 'feed "x" must be a Float64Array (input is float64), got Float32Array');
    await expectRejection(() => p.run({ x, w, h: new Float64Array(2) }), FeedError, 'feed "h" must be a Float32Array (input is float32), got Float64Array');
  });

  it('a plain array, an Int32Array, undefined', async () => {
    const { p, x, w, h } = program();
    await expectRejection(() => p.run({ x: new Array(12).fill(0), w, h } as never), FeedError, 'feed "x" must be a Float64Array', 'got Array');
    await expectRejection(() => p.run({ x, w: new Int32Array(6), h } as never), FeedError, 'feed "w"', 'got Int32Array');
    await expectRejection(() => p.run({ x, w: undefined, h } as never), FeedError, 'feed "w"', 'got undefined');
  });

  it('an unknown feed name', async () => {
    const { p, x, w, h } = program();
    await expectRejection(() => p.run({ x, w, h, z: new Float64Array(1) }), FeedError, 'unknown "z"');
  });

  it('feeds that are not a record', async () => {
    const { p } = program();
    await expectRejection(() => p.run(null as never), FeedError, 'feeds null');
  });

  it('a rejected run leaves the program usable', async () => {
    const { p, x, w } = program();
    await expectRejection(() => p.run({ x, w }), FeedError, 'missing "h"');
    const out = await p.run({ x, w, h: Float32Array.from([1, -2]) });
    expect(Array.from(out.k)).toEqual([-1, 2]);
  });
});
