package dev.adjoint.spark;

import java.io.Serial;
import java.io.Serializable;

/**
 * A partial sum travelling up the {@link ReducePlan}: float arrays added element by element (gradients, or
 * weighted parameters and optimizer buffers), the loss summed over examples, the example count and the count
 * of correct predictions, and for parameter averaging the optimizer state's structure of the leftmost
 * partition that had data.
 */
final class Partial implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** One array per parameter (or state buffer); {@code null} entries where a partition had nothing. */
  float[][] arrays;
  double lossSum;
  long count;
  long correct;
  /** The optimizer state without its tensors' elements ({@link OptimizerStates#encode(dev.adjoint.optim.StateDict, boolean)}). */
  byte[] template;

  Partial(float[][] arrays, double lossSum, long count, long correct, byte[] template) {
    this.arrays = arrays;
    this.lossSum = lossSum;
    this.count = count;
    this.correct = correct;
    this.template = template;
  }

  /** A partition that contributed nothing. */
  static Partial empty() {
    return new Partial(null, 0, 0, 0, null);
  }

  /** Adds {@code right} into this partial (this one is the left operand of every addition). */
  void add(Partial right) {
    if (arrays == null) {
      arrays = right.arrays;
    } else if (right.arrays != null) {
      if (arrays.length != right.arrays.length) {
        throw new IllegalStateException("aggregation: partitions returned " + arrays.length + " and "
            + right.arrays.length + " arrays; every replica must have the same parameters");
      }
      for (int i = 0; i < arrays.length; i++) {
        float[] a = arrays[i];
        float[] b = right.arrays[i];
        if (a == null) {
          arrays[i] = b;
        } else if (b != null) {
          if (a.length != b.length) {
            throw new IllegalStateException("aggregation: array " + i + " has " + a.length + " elements in one "
                + "partition and " + b.length + " in another");
          }
          for (int j = 0; j < a.length; j++) {
            a[j] += b[j];
          }
        }
      }
    }
    lossSum += right.lossSum;
    count += right.count;
    correct += right.correct;
    if (template == null) {
      template = right.template;
    }
  }
}
