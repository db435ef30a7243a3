/**
 * Typed errors. Every message has the form `op: what must hold, got values`, e.g.
 * `conv2d: x channels (3) must equal w in-channels (4) (x [2,7,7,3], w [3,3,4,8])`.
 */
export class GraftError extends Error {
  /** The op (or pass, or API function) that refused. */
  readonly op: string;
  /** What must hold, in words. */
  readonly rule: string;
  /** The offending values, by name. */
  readonly values: Readonly<Record<string, unknown>>;

  /**
   * `values` names every number the message states (shapes, sizes, limits…) so a program can
   * read them; `detail`, when given, replaces their generic `(name value, …)` rendering in the
   * message with a sentence of its own.
   */
  constructor(op: string, rule: string, values: Record<string, unknown>, detail?: string, options?: { readonly cause?: unknown }) {
    super(`${op}: ${rule}${detail === undefined ? formatValues(values) : ` (${detail})`}`, options);
    this.op = op;
    this.rule = rule;
    this.values = values;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** Shapes or ranks that do not fit an op's rule. */
export class ShapeError extends GraftError {}
/** An attribute that is missing, of the wrong type, NaN, or out of range. */
export class AttrError extends GraftError {}
/** A feed that is missing, of the wrong type, or of the wrong length. */
export class FeedError extends GraftError {}
/** A gradient that cannot be formed (e.g. of a non-scalar output without a cotangent). */
export class GradientError extends GraftError {}
/** A graph that is malformed: nodes of another graph, cycles, unknown outputs. */
export class GraphError extends GraftError {}
/**
 * A tensor or a program too large for an executor: more elements than its per-tensor limit,
 * or a memory plan above `compile`'s `memoryLimit`. Its values name the largest buffers and
 * the total.
 */
export class ResourceError extends GraftError {}
/**
 * A saved graph (`loadGraph`) that is not one: malformed JSON, an unknown format, version or
 * op, wrong types, references forward or out of range, prototype keys, sizes that lie; or a
 * graph `saveGraph` cannot write. `values.path` locates the offending part (`nodes[3].attrs`).
 */
export class FormatError extends GraftError {}

/** Formats a shape as `[2,7,7,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Formats any attr or shape value compactly for an error message. */
export function fmtValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(fmtValue).join(',')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

function formatValues(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k} ${fmtValue(v)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
