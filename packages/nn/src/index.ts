/**
 * @graft/nn: layers, seeded initialisers, losses, optimisers as graph updates, a training
 * loop, weight files, MNIST and small image helpers — all built on the graph API
 * (`Graph`, `grad`, `compile`), with no second engine.
 */
export {
  Model,
  apply,
  functional,
  input,
  model,
  sequential,
  type BuildContext,
  type BuildFn,
  type ModelGraph,
  type ModelOptions,
  type Parameter,
  type StateTensor,
  type SymbolicTensor,
} from './model.ts';
export {
  activate,
  activation,
  add,
  avgPool,
  batchNorm,
  concatenate,
  conv2d,
  conv2dTranspose,
  dense,
  depthwiseConv2d,
  dropout,
  flatten,
  globalAvgPool,
  maxPool,
  normalize,
  relu,
  reshape,
  sigmoid,
  softmax,
  tanh,
  separableConv2d,
  transposeOutputSize,
  type Activation,
  type BatchNormOptions,
  type Conv2dLayerOptions,
  type DepthwiseConv2dLayerOptions,
  type MergeLayer,
  type SeparableConv2dLayerOptions,
  type Conv2dTransposeLayerOptions,
  type DenseLayerOptions,
  type Layer,
  type LayerScope,
  type PoolLayerOptions,
} from './layers.ts';
export {
  constant,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  initializers,
  normal,
  ones,
  resolveInitializer,
  uniform,
  zeros,
  type Fans,
  type Initializer,
  type InitializerName,
} from './init.ts';
export { fillNormal, fillUniform, hashString, mulberry32, permutation, streamFor, type Rng } from './random.ts';
export { losses, meanSquaredError, softmaxCrossEntropy, type Loss, type LossName } from './losses.ts';
export { adam, momentum, sgd, type AdamOptions, type Optimizer, type StepScalars, type Update } from './optimizers.ts';
export { Trainer, argmax, softmaxAt, fit, formatEpoch, type EpochRecord, type Evaluation, type FitOptions, type FitResult, type TrainerOptions } from './train.ts';
export { NonFiniteError, describeNode, findFirstNonFinite, type NonFiniteNode } from './diagnose.ts';
export { ProgressBar, formatDuration, type ProgressStream } from './progress.ts';
export {
  WEIGHTS_FORMAT,
  WEIGHTS_MAGIC,
  WEIGHTS_VERSION,
  WeightsError,
  decodeWeights,
  encodeTensors,
  encodeWeights,
  loadWeights,
  saveWeights,
  type DecodedWeights,
  type WeightsErrorReason,
  type WeightsTensor,
} from './weights.ts';
export {
  castDataset,
  checkDataset,
  classification,
  epochOrder,
  randomShift,
  reconstruction,
  subset,
  syntheticShapes,
  take,
  type Augment,
  type Dataset,
  type SyntheticOptions,
} from './data.ts';
export { MNIST_SPLIT_SEED, loadMnist, mnistDigits, type Mnist, type MnistOptions } from './mnist.ts';
export { DatasetError, parseIdx, readIdx, type IdxErrorReason, type IdxTensor, type IdxType } from './idx.ts';
export { imageClassification, loadDataset, type DatasetName, type ImageDataset, type LoadDatasetOptions, type Split } from './datasets.ts';
export { confusionMatrix, crc32, encodePng, invert, svgConfusionMatrix, svgImage, svgImageGrid, svgLineChart, tileImages, type GrayImage, type LabelledImage, type Series, type TileOptions } from './images.ts';
