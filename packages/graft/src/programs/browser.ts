/**
 * The programs that need no file system, for pages (`import { byHand, demoCnn } from
 * 'graft/programs/browser'`): the hand-written conv gradients of the d_x-four-ways identities,
 * the conv2dTranspose example, the demo CNN and its architecture, the example graphs and the
 * seeded values they use. The MNIST trainer, the demo and anything that writes files stay in
 * `graft/programs` (Node).
 */
export { byHand, fourWays, loweredListing, settings, type ByHand, type Setting, type SettingResult } from './four-ways.ts';
export { convTransposeExample, type ConvTransposeReport } from './conv-transpose.ts';
export { demoArchitecture, mnistCnn as demoCnn, type MnistArchitecture } from './mnist.ts';
export { exampleGraphs, type ExampleGraph } from './graphs.ts';
export { seeded, sizeOf } from './util.ts';
