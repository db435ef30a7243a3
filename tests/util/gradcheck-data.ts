/**
 * Test data and bookkeeping for the gradient checks: operand data that keeps every op away
 * from its non-differentiable points, graph construction from an op record's example, and
 * the largest error seen over a file's checks.
 */
import { ops, type Graph, type Node, type OpName } from 'graft';
import type { GradcheckReport } from '@graft/gradcheck';
import { mulberry32, signedAwayFromZero, uniform } from './random.ts';

/** The parts of an op record the sweeps read, without the per-op generic types. */
export interface LooseRecord {
  readonly name: string;
  readonly operands: readonly string[];
  readonly variadic?: boolean;
  readonly vjp: Readonly<Record<string, unknown>>;
  readonly examples: readonly { readonly name: string; readonly inputs: readonly (readonly number[])[]; readonly attrs: unknown }[];
}

export function recordOf(op: OpName): LooseRecord {
  return ops[op] as unknown as LooseRecord;
}

/** Every op but input and constant (which have no operands). */
export function opsWithOperands(): OpName[] {
  return (Object.keys(ops) as OpName[]).filter((op) => op !== 'input' && op !== 'constant');
}

/** The record's name for operand i (a variadic operand's name repeats). */
export function operandNameOf(op: OpName, i: number): string {
  const r = recordOf(op);
  return r.operands[Math.min(i, r.operands.length - 1)]!;
}

/** Input names for `count` operands: the operand names, numbered for a variadic op (`xs0`, `xs1`, …). */
export function inputNames(op: OpName, count: number): string[] {
  const r = recordOf(op);
  return Array.from({ length: count }, (_, i) => (r.variadic === true ? `${operandNameOf(op, i)}${i}` : r.operands[i]!));
}

/**
 * `n` distinct values, magnitudes spread evenly over [0.1, 1] (neighbours at least 0.45/n
 * apart), alternately positive and negative (so one value is positive), in random order: no ties for max / maxPool to break and no
 * value within 0.1 of relu's and step's kink, far more than a central-difference step.
 */
export function distinctAwayFromZero(rng: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = (k % 2 === 0 ? 1 : -1) * (0.1 + (0.9 * (k + 0.5 * rng())) / n);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [out[k], out[j]] = [out[j]!, out[k]!];
  }
  return out;
}

const kinked: ReadonlySet<string> = new Set(['relu', 'step', 'max', 'maxPool', 'maxPoolGrad', 'maxPoolGradGrad']);

/**
 * Data for one operand: positive for log and sqrt, divisors away from zero, distinct values
 * away from zero for ops with kinks or ties (relu, step, max, maxPool and its gradient pair,
 * whose argmax must not change under a step), uniform in [−1, 1) otherwise.
 */
export function operandData(op: OpName, operand: string, size: number, rng: () => number): Float64Array {
  if (op === 'log' || op === 'sqrt') return uniform(rng, size, 0.5, 2);
  if (op === 'div' && operand === 'b') return signedAwayFromZero(rng, size, 0.5, 2);
  if (kinked.has(op) && operand === 'x') return distinctAwayFromZero(rng, size);
  return uniform(rng, size);
}

/** One op applied to fresh inputs named after its operands, and the check's scalar. */
export interface OpCase {
  readonly g: Graph;
  /** The inputs' names (`inputNames`). */
  readonly names: readonly string[];
  readonly inputs: Node[];
  readonly out: Node;
  /** `Σ out ⊙ r` with fixed random weights r, so no element's gradient is trivially 1. */
  readonly y: Node;
  readonly feeds: Record<string, Float64Array>;
}

export function buildOpCase(g: Graph, op: OpName, shapes: readonly (readonly number[])[], attrs: unknown, seed: number): OpCase {
  const rng = mulberry32(seed);
  const names = inputNames(op, shapes.length);
  const inputs = names.map((name, i) => g.input(name, shapes[i]!));
  const out = g.node(op as Exclude<OpName, 'input' | 'constant'>, inputs, attrs as never) as Node;
  const y = g.sum(g.mul(out, g.constant(uniform(rng, out.size), out.shape)));
  const feeds: Record<string, Float64Array> = {};
  inputs.forEach((x, i) => (feeds[names[i]!] = operandData(op, operandNameOf(op, i), x.size, rng)));
  return { g, names, inputs, out, y, feeds };
}

/** `[2,5,5,3]` */
export function dims(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** The largest errors over a file's gradient checks, for the summary printed at the end. */
export class ErrorTracker {
  checks = 0;
  entries = 0;
  maxError = { value: 0, label: '' };
  maxRatio = { value: 0, label: '' };

  record(label: string, r: GradcheckReport): void {
    this.checks++;
    this.entries += r.checked;
    const where = r.worst === undefined ? '' : ` at ${r.worst.direction === undefined ? `${r.worst.input}[${r.worst.index.join(',')}]` : `⟨∇${r.worst.input}, v${r.worst.direction}⟩`}`;
    if (r.maxError >= this.maxError.value) this.maxError = { value: r.maxError, label };
    if (r.maxRatio >= this.maxRatio.value) this.maxRatio = { value: r.maxRatio, label: `${label}${where}` };
  }

  summary(title: string, rtol: number, atol: number): string {
    return [
      `${title}: ${this.checks} checks, ${this.entries} compared values`,
      `  largest |analytic − numeric|: ${this.maxError.value.toExponential(3)} (${this.maxError.label})`,
      `  largest |analytic − numeric| / (atol ${atol.toExponential(0)} + rtol ${rtol.toExponential(0)}·max(|a|, |n|)): ${this.maxRatio.value.toExponential(3)} (${this.maxRatio.label})`,
      `    i.e. |a − n| ≤ ${(this.maxRatio.value * rtol).toExponential(3)} × (${atol / rtol} + max(|a|, |n|)) in every check`,
    ].join('\n');
  }
}
