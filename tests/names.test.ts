/**
 * Input and output names that collide with keys every object inherits (`__proto__`,
 * `constructor`, `toString`, …) are refused, and records of feeds are read through their own
 * properties only, never through what they inherit.
 */
import { describe, expect, it } from 'vitest';
import { AttrError, FeedError, GraphError, Graph, RESERVED_NAMES, compile, cpu, gradcheck } from 'graft';
import { expectValues } from './util/error-values.ts';

const reserved = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('names that every object inherits', () => {
  it('are the own property names of Object.prototype', () => {
    for (const name of reserved) expect(RESERVED_NAMES.has(name)).toBe(true);
    expect(RESERVED_NAMES.has('x')).toBe(false);
    expect(RESERVED_NAMES.has('proto')).toBe(false);
  });

  for (const name of reserved) {
    it(`an input named ${name} is an AttrError naming it`, () => {
      const g = new Graph();
      const e = expectValues(thrown(() => g.input(name, [2])), AttrError);
      expect(e.values).toEqual({ name });
      expect(e.message).toContain(`got "${name}"`);
      expect(g.nodes.length).toBe(0);
    });

    it(`an output named ${name} is a GraphError naming it`, () => {
      const g = new Graph();
      const y = g.relu(g.input('x', [2]));
      // A computed key makes an own property even for __proto__ (a literal `__proto__: y` would set the prototype).
      const e = expectValues(thrown(() => compile({ [name]: y }, { backend: cpu() })), GraphError);
      expect(e.values['name']).toBe(name);
    });
  }

  it('an option named constructor or __proto__ is an unknown option, not an inherited one', () => {
    const g = new Graph();
    const x = g.input('x', [1, 4, 4, 1]);
    const w = g.input('w', [2, 2, 1, 1]);
    expect(() => g.conv2d(x, w, { constructor: 1 } as never)).toThrow(/conv2d: unknown option "constructor"/);
    expect(() => g.conv2d(x, w, JSON.parse('{"__proto__": {"strides": 2}}') as never)).toThrow(/conv2d: unknown option "__proto__"/);
  });
});

describe('feeds are read as own properties', () => {
  it('a feed inherited from a prototype is missing', async () => {
    const g = new Graph();
    const p = compile({ y: g.relu(g.input('x', [2])) }, { backend: cpu() });
    const inherited = Object.create({ x: Float32Array.of(1, -1) }) as Record<string, Float32Array>;
    const e = expectValues(await p.run(inherited).catch((x: unknown) => x), FeedError);
    expect(e.values['missing']).toEqual(['x']);
    expect(Array.from((await p.run({ x: Float32Array.of(1, -1) })).y)).toEqual([1, 0]);
    p.dispose();
  });

  it('gradcheck refuses a feed named __proto__ instead of setting a prototype', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2]);
    // An own property named __proto__ holding a typed array (copying it by assignment would set a prototype).
    const feeds: Record<string, Float64Array> = { x: Float64Array.of(1, 2) };
    Object.defineProperty(feeds, '__proto__', { value: Float64Array.of(3), enumerable: true });
    const e = expectValues(await gradcheck(g.sum(g.square(x)), [x], { feeds }).catch((r: unknown) => r), FeedError);
    expect(e.values['name']).toBe('__proto__');
  });
});
