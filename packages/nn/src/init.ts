import { AttrError } from '@graft/ir';
import { fillNormal, fillUniform, type Rng } from './random.ts';

/** Fan-in and fan-out of a weight tensor, as the layer that owns it defines them. */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/**
 * Fills a parameter: `length` values in float64 from a seeded stream (one stream per
 * parameter, see `streamFor`), so the same seed gives the same weights everywhere.
 */
export interface Initializer {
  readonly name: string;
  init(length: number, fans: Fans, rng: Rng): Float64Array;
}

function checkFinite(op: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new AttrError(op, `${k} must be a finite number`, { [k]: v });
  }
}

/** Every value `value` (default 0). */
export function constant(value = 0): Initializer {
  checkFinite('constant', { value });
  return { name: `constant(${value})`, init: (n) => new Float64Array(n).fill(value) };
}

export const zeros: Initializer = constant(0);
export const ones: Initializer = constant(1);

/** Uniform on [lo, hi). */
export function uniform(lo: number, hi: number): Initializer {
  checkFinite('uniform', { lo, hi });
  if (!(hi > lo)) throw new AttrError('uniform', 'hi must exceed lo', { lo, hi });
  return { name: `uniform(${lo}, ${hi})`, init: (n, _f, rng) => fillUniform(new Float64Array(n), rng, lo, hi) as Float64Array };
}

/** Normal with the given mean and standard deviation (Box–Muller; not truncated). */
export function normal(mean = 0, std = 1): Initializer {
  checkFinite('normal', { mean, std });
  if (!(std > 0)) throw new AttrError('normal', 'std must be positive', { std });
  return { name: `normal(${mean}, ${std})`, init: (n, _f, rng) => fillNormal(new Float64Array(n), rng, mean, std) };
}

/**
 * Glorot & Bengio (2010): keep activation and gradient variance equal across layers,
 * `Var(w) = 2 / (fanIn + fanOut)`. Uniform on ±√(6 / (fanIn + fanOut)) has that variance.
 */
export const glorotUniform: Initializer = {
  name: 'glorotUniform',
  init(n, { fanIn, fanOut }, rng) {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return fillUniform(new Float64Array(n), rng, -limit, limit) as Float64Array;
  },
};

/** Glorot normal: N(0, 2 / (fanIn + fanOut)), not truncated. */
export const glorotNormal: Initializer = {
  name: 'glorotNormal',
  init: (n, { fanIn, fanOut }, rng) => fillNormal(new Float64Array(n), rng, 0, Math.sqrt(2 / (fanIn + fanOut))),
};

/**
 * He et al. (2015): a relu halves the second moment, so `Var(w) = 2 / fanIn` keeps it
 * constant through relu layers. Uniform on ±√(6 / fanIn) has that variance.
 */
export const heUniform: Initializer = {
  name: 'heUniform',
  init(n, { fanIn }, rng) {
    const limit = Math.sqrt(6 / fanIn);
    return fillUniform(new Float64Array(n), rng, -limit, limit) as Float64Array;
  },
};

/** He normal: N(0, 2 / fanIn), not truncated. */
export const heNormal: Initializer = {
  name: 'heNormal',
  init: (n, { fanIn }, rng) => fillNormal(new Float64Array(n), rng, 0, Math.sqrt(2 / fanIn)),
};

/** Initialisers by name, for options given as strings. */
export const initializers = { zeros, ones, glorotUniform, glorotNormal, heUniform, heNormal } as const;
export type InitializerName = keyof typeof initializers;

/** Resolves an initialiser given by name or object. */
export function resolveInitializer(op: string, init: Initializer | InitializerName): Initializer {
  if (typeof init === 'string') {
    const found = (initializers as Record<string, Initializer>)[init];
    if (found === undefined) {
      throw new AttrError(op, `init must be an Initializer or one of ${Object.keys(initializers).join(', ')}`, { init });
    }
    return found;
  }
  if (init === null || typeof init !== 'object' || typeof init.init !== 'function') {
    throw new AttrError(op, 'init must be an Initializer or a name', { init });
  }
  return init;
}
