import type { Pass, Stage } from '../stage.ts';
import { copyNodes, mapOutputs, topologicalOrder } from '../traverse.ts';

/**
 * Dead-code elimination: a new graph holding only the nodes the outputs need. Inputs the
 * outputs no longer read are dropped too (the program still asks for every input the
 * original outputs needed, so feeds stay the same).
 */
export function eliminateDeadCode(stage: Stage): Stage {
  const { graph, map } = copyNodes(stage.graph, topologicalOrder(Object.values(stage.outputs), 'dce'));
  return Object.freeze({ graph, outputs: Object.freeze(mapOutputs(stage.outputs, map)) });
}

/** Keeps only what the outputs need. */
export const dcePass: Pass = Object.freeze({
  name: 'dce',
  doc: 'dead-code elimination: keeps only the nodes the outputs need',
  run: (stage: Stage) => ({ stage: eliminateDeadCode(stage) }),
});
