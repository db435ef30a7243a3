import { lowerConvGradients, rewrite, type RuleSet } from '@graft/rewrite';
import { simplifyRules } from '../rules/simplify.ts';
import type { Pass, Stage } from '../stage.ts';

/** A pass that rewrites the stage with `rules` to a fixed point (see `rewrite`); its trace lists every firing. */
export function rewritePass(name: string, doc: string, rules: RuleSet): Pass {
  return Object.freeze({
    name,
    doc,
    run(stage: Stage) {
      const r = rewrite(stage.outputs, rules, { name });
      return { stage: Object.freeze({ graph: r.graph, outputs: r.outputs }), trace: r.trace };
    },
  });
}

/** Algebraic simplification with `simplifyRules` (reverse∘reverse, transposes, x·1, x+0, pad 0, …). */
export const simplifyPass: Pass = rewritePass(
  'simplify',
  'algebraic simplification: reverse∘reverse, transpose∘transpose, pad 0, dilate 1, x·1, x+0, −(−x), reshape to the same shape, …',
  simplifyRules,
);

/** Lowers conv2dBackpropInput / conv2dBackpropFilter / conv2dTranspose to conv2d of padded, dilated, reversed, transposed tensors. */
export const lowerConvGradientsPass: Pass = rewritePass(
  'lowerConvGradients',
  'lowers the conv gradients to conv2d + pad + dilate + reverse + transpose',
  lowerConvGradients,
);
