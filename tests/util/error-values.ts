/**
 * What every typed error must carry: a `GraftError` whose `values` is non-empty and holds every
 * number its message states, so a program can read them instead of parsing the text.
 */
import { expect } from 'vitest';
import { GraftError } from 'graft';

/**
 * The numbers a message states, as numbers: `conv2d: x channels (3) must equal w in-channels
 * (4) (x [2,7,7,3], w [3,3,4,8])` → 3, 4, 2, 7, 7, 3, 3, 3, 4, 8. Not numbers: digits inside
 * words (`conv2d`, `float32`, `b12`), node ids (`relu#3`, a node is a name), versions
 * (`gpu.js@2.24.1`), and anything inside double quotes (input and option names). 0 and 1 are
 * left out: they appear in identities such as `(k − 1)·d + 1` and `rank ≥ 1` as constants of
 * the rule rather than values.
 */
export function numbersInMessage(message: string): number[] {
  const text = message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const out: number[] = [];
  for (const m of text.matchAll(/(?<![\w#@.\-−])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w])/g)) {
    const n = Number(m[0]);
    if (n !== 0 && n !== 1) out.push(n);
  }
  return out;
}

/** Every number in `values`, however nested in arrays and records (strings are not searched). */
export function numbersInValues(values: unknown, out = new Set<number>(), seen = new Set<unknown>()): Set<number> {
  if (typeof values === 'number') out.add(values);
  else if (values !== null && typeof values === 'object' && !seen.has(values)) {
    seen.add(values);
    const items = ArrayBuffer.isView(values) ? Array.from(values as unknown as ArrayLike<number>) : Object.values(values);
    for (const v of items) numbersInValues(v, out, seen);
  }
  return out;
}

/** Numbers a message states that its error's values do not hold. */
export function missingValues(e: GraftError): number[] {
  const held = numbersInValues(e.values);
  return numbersInMessage(e.message).filter((n) => !held.has(n));
}

/**
 * Asserts that `err` is a GraftError (of `type` when given) with non-empty values holding
 * every number its message states; returns it.
 */
export function expectValues(err: unknown, type: abstract new (...args: never[]) => GraftError = GraftError): GraftError {
  expect(err, `expected a ${type.name}, got ${String(err)}`).toBeInstanceOf(type);
  const e = err as GraftError;
  expect(Object.keys(e.values).length, `values of "${e.message}" must not be empty`).toBeGreaterThan(0);
  expect(missingValues(e), `numbers of "${e.message}" missing from values ${JSON.stringify(e.values)}`).toEqual([]);
  return e;
}
