import type { DType } from '../dtype.ts';
import { AttrError } from '../errors.ts';
import type { Shape } from '../shape/shape.ts';

/** What an op knows about an operand when a node is built: its shape and dtype. */
export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A configuration that tests sweep: operand shapes and the op's options. */
export interface OpExample<Opts> {
  readonly name: string;
  readonly inputs: readonly Shape[];
  readonly attrs: Opts;
}

/**
 * Everything about one op: its operands, how options are validated and normalised into
 * attrs, and its shape rule. Normalised attrs are themselves valid options, so a rewrite
 * can rebuild a node from another node's attrs.
 */
export interface OpRecord<Name extends string, Opts, Attrs extends Opts> {
  readonly name: Name;
  /** Operand names, in order (used in messages and the printer). */
  readonly operands: readonly string[];
  /** One-line definition of the op. */
  readonly doc: string;
  /** Validates options against the operand types; returns normalised attrs and the output shape. */
  infer(inputs: readonly TensorType[], opts: Opts): { readonly attrs: Attrs; readonly shape: Shape };
  /** Configurations for tests to sweep. */
  readonly examples: readonly OpExample<Opts>[];
}

/** Identity helper that keeps an op record's literal name type. */
export function defineOp<Name extends string, Opts, Attrs extends Opts>(
  r: OpRecord<Name, Opts, Attrs>,
): OpRecord<Name, Opts, Attrs> {
  return Object.freeze(r);
}

/** Rejects NaN / non-number attrs early. */
export function checkFiniteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new AttrError(op, `${name} must be a finite number`, { [name]: v });
  }
  return v;
}

