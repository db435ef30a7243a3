/**
 * Building blocks of generated kernel source. Every kernel runs once per element of a flat
 * output (`this.thread.x`), reads flat float32 operands by computed offsets, and is written
 * in the JavaScript subset gpu.js translates to GLSL, WGSL, WebAssembly and JS alike.
 *
 * Only numbers are ever interpolated, and only through `int()` / `float()`, which refuse
 * anything that is not a finite number of the expected kind. Index arithmetic is float32 in
 * some backends, so every index stays an integer below 2²⁴, where float32 is exact.
 */

import { GraphError, ResourceError } from '@graft/ir';

/** Largest element count of one tensor: float32 represents every integer below 2²⁴ exactly. */
export const MAX_ELEMENTS = 1 << 24;

/** An integer literal for generated source (index arithmetic, loop bounds). */
export function int(n: number): string {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || Math.abs(n) > MAX_ELEMENTS) {
    throw new ResourceError('gpujs', `every size, stride and offset of a kernel must be an integer within ±${MAX_ELEMENTS}, where float32 is exact, got ${String(n)}`, {
      value: n,
      limit: MAX_ELEMENTS,
    });
  }
  return String(n);
}

/** A float literal for generated source (always with a decimal point, so it types as float). */
export function float(n: number): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new GraphError('gpujs', `a float literal must be finite, got ${String(n)}`, { value: n });
  }
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Generated statements with fresh variable names. */
export class Source {
  readonly lines: string[] = [];
  #next = 0;

  /** A fresh variable name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}${this.#next++}`;
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  /** Declares a float variable initialised to `expr`; returns its name. */
  let(prefix: string, expr: string): string {
    const v = this.fresh(prefix);
    this.emit(`var ${v} = ${expr};`);
    return v;
  }

  /**
   * `q = floor(t / d)` and `r = t − q·d` for integer-valued `t ≥ 0`, exactly: the float
   * quotient may be off by one ulp, so the remainder is brought back into `[0, d)`.
   */
  divmod(t: string, d: number): { q: string; r: string } {
    if (d === 1) return { q: t, r: '0.0' };
    const q = this.let('q', `Math.floor(${t} / ${float(d)})`);
    const r = this.let('r', `${t} - ${q} * ${float(d)}`);
    this.emit(`if (${r} < 0.0) { ${q} = ${q} - 1.0; ${r} = ${r} + ${float(d)}; }`);
    this.emit(`if (${r} >= ${float(d)}) { ${q} = ${q} + 1.0; ${r} = ${r} - ${float(d)}; }`);
    return { q, r };
  }

  /**
   * Row-major coordinates of flat index `t` in `shape` (`'0.0'` for axes of size 1, and
   * the first axis needs no division).
   */
  unravel(t: string, shape: readonly number[]): string[] {
    const coords = new Array<string>(shape.length);
    let rest = t;
    for (let d = shape.length - 1; d >= 1; d--) {
      const size = shape[d]!;
      if (size === 1) {
        coords[d] = '0.0';
        continue;
      }
      const { q, r } = this.divmod(rest, size);
      coords[d] = r;
      rest = q;
    }
    if (shape.length > 0) coords[0] = shape[0] === 1 ? '0.0' : rest;
    return coords;
  }

  /** The function source gpu.js compiles: `function (x0, x1, …) { … return value; }`. */
  function(args: number, value: string): string {
    const params = Array.from({ length: args }, (_, i) => `x${i}`).join(', ');
    const body = this.lines.map((l) => `  ${l}`).join('\n');
    return `function (${params}) {\n  var o = this.thread.x * 1.0;\n${body}\n  return ${value};\n}`;
  }
}

/** `Σ coords[d]·strides[d]` as source, skipping zero strides and constant-zero coordinates. */
export function dot(coords: readonly string[], str: readonly number[]): string {
  const terms: string[] = [];
  coords.forEach((c, d) => {
    const s = str[d]!;
    if (s === 0 || c === '0.0') return;
    terms.push(s === 1 ? c : `${c} * ${float(s)}`);
  });
  return terms.length === 0 ? '0.0' : terms.join(' + ');
}

