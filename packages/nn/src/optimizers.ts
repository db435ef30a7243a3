import { AttrError, type Graph, type Node } from '@graft/ir';

/** Scalars fed to the training program each step. */
export interface StepScalars {
  /** Learning rate η (a scalar input, so schedules need no recompilation). */
  readonly lr: Node;
  /** Update count t: 1 for the first update. */
  readonly t: Node;
}

/** New values of one parameter and its state slots, as graph nodes. */
export interface Update {
  readonly param: Node;
  readonly state: Readonly<Record<string, Node>>;
}

/**
 * An optimiser as graph updates: for each parameter θ with gradient ∇ and state slots
 * (zero-initialised tensors of θ's shape), `update` builds the new θ and slots from
 * θ, ∇, the slots, η and t. The trainer compiles these with the loss into one program
 * and copies the new values back after each run.
 */
export interface Optimizer {
  readonly name: string;
  /** Default learning rate. */
  readonly learningRate: number;
  /** Names of the per-parameter state tensors, e.g. `['m', 'v']`. */
  readonly slots: readonly string[];
  update(g: Graph, param: Node, gradient: Node, state: Readonly<Record<string, Node>>, s: StepScalars): Update;
}

function checkRate(op: string, name: string, v: unknown, lo: number, hi: number, hiOpen = true): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new AttrError(op, `${name} must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}`, { [name]: v, range: [lo, hi] });
  }
  return v;
}

function checkLearningRate(op: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new AttrError(op, 'learningRate must be a positive finite number', { learningRate: lr });
  return lr;
}

/** Plain gradient descent: `θ ← θ − η ∇`. */
export function sgd(options: { readonly learningRate?: number } = {}): Optimizer {
  return {
    name: 'sgd',
    learningRate: checkLearningRate('sgd', options.learningRate ?? 0.01),
    slots: [],
    update: (g, p, dp, _state, { lr }) => ({ param: g.sub(p, g.mul(lr, dp)), state: {} }),
  };
}

/**
 * Heavy-ball momentum (TensorFlow's `MomentumOptimizer`, PyTorch's SGD without dampening):
 * `v ← μ v + ∇`, `θ ← θ − η v`. Nesterov: `θ ← θ − η (∇ + μ v)` with the new v.
 */
export function momentum(options: { readonly learningRate?: number; readonly momentum?: number; readonly nesterov?: boolean } = {}): Optimizer {
  const mu = checkRate('momentum', 'momentum', options.momentum ?? 0.9, 0, 1);
  const nesterov = options.nesterov ?? false;
  return {
    name: nesterov ? 'nesterov' : 'momentum',
    learningRate: checkLearningRate('momentum', options.learningRate ?? 0.01),
    slots: ['v'],
    update(g, p, dp, { v }, { lr }) {
      const v1 = g.add(g.mul(v!, mu), dp);
      const step = nesterov ? g.add(dp, g.mul(v1, mu)) : v1;
      return { param: g.sub(p, g.mul(lr, step)), state: { v: v1 } };
    },
  };
}

export interface AdamOptions {
  /** Default 0.001. */
  readonly learningRate?: number;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8 (the paper's; Keras uses 1e-7). */
  readonly epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1), with bias correction:
 *
 *     m ← β₁ m + (1 − β₁) ∇          v ← β₂ v + (1 − β₂) ∇²
 *     m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
 *     θ ← θ − η m̂ / (√v̂ + ε)
 *
 * βᵗ is built in the graph as `exp(t · ln β)` from the fed t.
 */
export function adam(options: AdamOptions = {}): Optimizer {
  const beta1 = checkRate('adam', 'beta1', options.beta1 ?? 0.9, 0, 1);
  const beta2 = checkRate('adam', 'beta2', options.beta2 ?? 0.999, 0, 1);
  const epsilon = options.epsilon ?? 1e-8;
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) throw new AttrError('adam', 'epsilon must be a positive finite number', { epsilon });
  const lnBeta1 = Math.log(beta1);
  const lnBeta2 = Math.log(beta2);
  return {
    name: 'adam',
    learningRate: checkLearningRate('adam', options.learningRate ?? 0.001),
    slots: ['m', 'v'],
    update(g, p, dp, { m, v }, { lr, t }) {
      const m1 = g.add(g.mul(m!, beta1), g.mul(dp, 1 - beta1));
      const v1 = g.add(g.mul(v!, beta2), g.mul(g.square(dp), 1 - beta2));
      // β = 0 gives ln β = −∞; exp(t·−∞) = 0 is the right limit, but −∞·t is kept out of the graph.
      const c1 = beta1 === 0 ? g.constant(1, [], p.dtype) : g.sub(1, g.exp(g.mul(t, lnBeta1)));
      const c2 = beta2 === 0 ? g.constant(1, [], p.dtype) : g.sub(1, g.exp(g.mul(t, lnBeta2)));
      const mHat = g.div(m1, c1);
      const vHat = g.div(v1, c2);
      const param = g.sub(p, g.div(g.mul(lr, mHat), g.add(g.sqrt(vHat), epsilon)));
      return { param, state: { m: m1, v: v1 } };
    },
  };
}
