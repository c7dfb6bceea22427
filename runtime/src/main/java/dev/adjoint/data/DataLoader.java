package dev.adjoint.data;

import dev.adjoint.Generator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches of a {@link Dataset} ({@code torch.utils.data.DataLoader}), iterated with a for-each loop:
 *
 * <pre>{@code
 * var train = new DataLoader(trainingData, 64);                                    // in order
 * var shuffled = new DataLoader(trainingData, 64, true, new Generator(42), false); // seeded shuffle
 * for (Batch b : train) { ... b.x() ... b.y() ... }
 * }</pre>
 *
 * <p>With {@code shuffle}, each iteration (each epoch) draws a fresh permutation from the generator, so
 * a generator with a fixed seed gives the same sequence of epochs on every run. With {@code dropLast} the
 * last, smaller batch is left out. Batches are built on the calling thread (PyTorch's {@code
 * num_workers=0}).
 */
public final class DataLoader implements Iterable<Batch> {
  private final Dataset dataset;
  private final int batchSize;
  private final boolean shuffle;
  private final Generator generator;
  private final boolean dropLast;

  /** Batches of {@code batchSize} in dataset order, the last one possibly smaller. */
  public DataLoader(Dataset dataset, int batchSize) {
    this(dataset, batchSize, false, null, false);
  }

  /**
   * Batches of {@code batchSize}; with {@code shuffle}, in an order drawn from {@code generator} (the
   * default generator when {@code null}); with {@code dropLast}, without the last incomplete batch.
   */
  public DataLoader(Dataset dataset, int batchSize, boolean shuffle, Generator generator, boolean dropLast) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("DataLoader: batch_size should be a positive integer value, but got "
          + "batch_size=" + batchSize);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.generator = generator != null ? generator : Generator.defaultGenerator();
    this.dropLast = dropLast;
  }

  /** The dataset ({@code dataloader.dataset}). */
  public Dataset dataset() {
    return dataset;
  }

  /** The batch size. */
  public int batchSize() {
    return batchSize;
  }

  /** The number of batches per iteration ({@code len(dataloader)}). */
  public int size() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  @Override
  public Iterator<Batch> iterator() {
    int n = dataset.size();
    int[] order;
    if (shuffle) {
      order = generator.permutation(n);
    } else {
      order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
    }
    int batches = size();
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < batches;
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("DataLoader: no more batches (" + batches + " per epoch)");
        }
        int from = next * batchSize;
        int to = Math.min(n, from + batchSize);
        next++;
        int[] idx = new int[to - from];
        System.arraycopy(order, from, idx, 0, idx.length);
        return dataset.batch(idx);
      }
    };
  }
}
