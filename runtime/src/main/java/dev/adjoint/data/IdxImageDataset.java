package dev.adjoint.data;

import dev.adjoint.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A classification dataset of 8-bit grey images and their labels read from a pair of IDX files (MNIST
 * and FashionMNIST). Sample {@code i} is {@code x} of shape {@code (1, rows, cols)} with pixels scaled to
 * {@code [0, 1]} ({@link ToTensor}) and {@code y}, a 0-D INT64 class index; batches are
 * {@code (n, 1, rows, cols)} and {@code (n)}.
 *
 * <p>The files are {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte} (training split) and
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte} (test split), each gzip-compressed
 * ({@code .gz}) or raw, in one directory. All of a split is read into memory once (47 MB for 60,000
 * images); pixels become floats only when a batch is built.
 */
public abstract class IdxImageDataset implements Dataset {
  private final Path root;
  private final boolean train;
  private final int count;
  private final int rows;
  private final int cols;
  private final byte[] images;
  private final byte[] labels;

  /**
   * Reads the split ({@code train} or test) from {@code root}; {@code hint} tells, in every error, how to
   * get the files.
   */
  protected IdxImageDataset(Path root, boolean train, String hint) {
    this.root = root;
    this.train = train;
    String prefix = train ? "train" : "t10k";
    if (!Files.isDirectory(root)) {
      throw new DatasetException(getClass().getSimpleName() + ": dataset directory " + root + " does not exist; "
          + "expected a directory holding " + fileList() + ". " + hint);
    }
    Idx.Data img = Idx.read(find(root, prefix + "-images-idx3-ubyte", hint), Idx.IMAGES_MAGIC, hint);
    Idx.Data lab = Idx.read(find(root, prefix + "-labels-idx1-ubyte", hint), Idx.LABELS_MAGIC, hint);
    if (img.dims().length != 3 || lab.dims().length != 1) {
      throw new DatasetException(getClass().getSimpleName() + ": in " + root + " expected images of 3 sizes and labels "
          + "of 1, got " + Arrays.toString(img.dims()) + " and " + Arrays.toString(lab.dims()) + ". " + hint);
    }
    if (img.count() != lab.count()) {
      throw new DatasetException(getClass().getSimpleName() + ": in " + root + " the " + prefix + " images hold "
          + img.count() + " items but the labels " + lab.count() + "; the files do not belong together. " + hint);
    }
    this.count = img.count();
    this.rows = img.dims()[1];
    this.cols = img.dims()[2];
    this.images = img.values();
    this.labels = lab.values();
  }

  private Path find(Path dir, String base, String hint) {
    Path gz = dir.resolve(base + ".gz");
    if (Files.exists(gz)) {
      return gz;
    }
    Path raw = dir.resolve(base);
    if (Files.exists(raw)) {
      return raw;
    }
    throw new DatasetException(getClass().getSimpleName() + ": " + gz + " does not exist (nor " + raw.getFileName()
        + "); expected " + fileList() + " in " + dir + ". " + hint);
  }

  /** The names of the four files, for messages. */
  static String fileList() {
    return "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        + "t10k-labels-idx1-ubyte.gz";
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public Example get(int i) {
    check(i);
    int px = rows * cols;
    float[] x = new float[px];
    ToTensor.convert(images, i * px, x, 0, px);
    return new Example(Tensor.wrap(x, 1, rows, cols),
        Tensor.wrap(new float[] {labels[i] & 0xFF}, new int[0], Tensor.DType.INT64));
  }

  @Override
  public Batch batch(int[] indices) {
    int px = rows * cols;
    float[] x = new float[indices.length * px];
    float[] y = new float[indices.length];
    for (int j = 0; j < indices.length; j++) {
      int i = indices[j];
      check(i);
      ToTensor.convert(images, i * px, x, j * px, px);
      y[j] = labels[i] & 0xFF;
    }
    return new Batch(Tensor.wrap(x, indices.length, 1, rows, cols),
        Tensor.wrap(y, new int[] {indices.length}, Tensor.DType.INT64));
  }

  private void check(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException(getClass().getSimpleName() + ": index " + i + " is out of range for "
          + count + " samples");
    }
  }

  /** The class index of sample {@code i}, without building its image. */
  public int label(int i) {
    check(i);
    return labels[i] & 0xFF;
  }

  /** The directory the files were read from. */
  public Path root() {
    return root;
  }

  /** Whether this is the training split. */
  public boolean isTrain() {
    return train;
  }

  /** The image height. */
  public int rows() {
    return rows;
  }

  /** The image width. */
  public int cols() {
    return cols;
  }
}
