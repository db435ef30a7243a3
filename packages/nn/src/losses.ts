import { ShapeError, fmtShape, shapesEqual, type Graph, type Node } from '@graft/ir';

/** A loss: a scalar node from the model's output and the fed target (same shape). */
export type Loss = (g: Graph, output: Node, target: Node) => Node;

function checkSameShape(op: string, output: Node, target: Node): void {
  if (!shapesEqual(output.shape, target.shape)) {
    throw new ShapeError(op, `output and target must have one shape, got output ${fmtShape(output.shape)} and target ${fmtShape(target.shape)}`, { output: output.shape, target: target.shape });
  }
}

/**
 * Softmax cross-entropy from logits, mean over the batch:
 * `L = −(1/N) Σₙ Σₖ tₙₖ · logSoftmax(zₙ)ₖ`, with `logSoftmax(z) = z − max z − log Σ exp(z − max z)`
 * (stable for any logits). Targets are one-hot rows or any distributions. Its gradient in
 * the logits is `(softmax(z) − t) / N`.
 */
export const softmaxCrossEntropy: Loss = (g, logits, target) => {
  checkSameShape('softmaxCrossEntropy', logits, target);
  if (logits.rank !== 2) throw new ShapeError('softmaxCrossEntropy', `logits must be [batch, classes], got ${fmtShape(logits.shape)}`, { logits: logits.shape });
  return g.neg(g.mean(g.sum(g.mul(target, g.logSoftmax(logits)), [1])));
};

/** Mean squared error over every element: `L = (1/|y|) Σ (y − t)²`. */
export const meanSquaredError: Loss = (g, output, target) => {
  checkSameShape('meanSquaredError', output, target);
  return g.mean(g.square(g.sub(output, target)));
};

export const losses = { softmaxCrossEntropy, meanSquaredError } as const;
export type LossName = keyof typeof losses;
