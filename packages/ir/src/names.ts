import { AttrError } from './errors.ts';

/**
 * Names every plain object inherits (`__proto__`, `constructor`, `toString`, …). An input or
 * output named so could not be told from the inherited key in a record of feeds or results
 * (`{ __proto__: x }` sets a prototype instead of a feed), so graft refuses them as names.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Throws unless `name` is a non-empty string that is not a key of `Object.prototype`. */
export function checkName(op: string, what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new AttrError(op, `${what} must be a non-empty string`, { [what]: name });
  if (RESERVED_NAMES.has(name)) {
    throw new AttrError(op, `${what} must not be a key every object inherits (${[...RESERVED_NAMES].join(', ')}), got "${name}"`, { [what]: name });
  }
  return name;
}
