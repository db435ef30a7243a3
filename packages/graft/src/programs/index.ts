/**
 * The programs behind the `graft` CLI, importable for reuse (Node only: the demo and the
 * trainer write report files): the conv2dTranspose identities, d_x four ways and d_w three
 * ways, the small CNN used for gradient checks and benchmarks, the MNIST demo trainer, the
 * demo itself and the example graphs `graft viz` draws.
 */
export { convTransposeExample } from './conv-transpose.ts';
export { fourWays, fourWaysTable, loweredListing, settings, byHand, type ByHand, type Setting, type SettingResult } from './four-ways.ts';
export { smallCnn, smallCnnFeeds, castFeeds, mnistCnn, tinyCnn, type SmallCnn, type SmallCnnConfig } from './small-cnn.ts';
export { gradcheckCnn, type CnnGradcheck } from './gradcheck-cnn.ts';
export {
  trainMnist,
  predictionsSvg,
  lossCurveSvg,
  demoArchitecture,
  /** The demo's nn model (`mnistCnn` here is the raw-graph benchmark net's config). */
  mnistCnn as demoCnn,
  type MnistResult,
  type MnistOptions,
  type MnistSample,
  type MnistArchitecture,
} from './mnist.ts';
export { runDemo, type DemoOptions, type DemoResult } from './demo.ts';
export { exampleGraphs, type ExampleGraph } from './graphs.ts';
export { seeded, sizeOf } from './util.ts';
export { trainImages, trainingPictures, models, randomFlip, type TrainImagesOptions, type TrainImagesResult, type ModelChoice, type DatasetChoice, type Mistake, type ModelSpec } from './train.ts';
