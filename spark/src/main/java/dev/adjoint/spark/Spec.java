package dev.adjoint.spark;

import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/**
 * What an executor needs to run a step: the factories, the loss and the layout of a sample. {@code id} names
 * the trainer, so an executor thread keeps one replica per trainer.
 */
record Spec(String id, ModelFactory model, LossFunction loss, OptimizerFactory optimizer, int[] inputShape,
    int[] targetShape, boolean classification) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** The samples stacked into a batch: {@code x} of shape {@code (n, inputShape...)}, {@code y} likewise. */
  Batch batch(List<Sample> samples) {
    int n = samples.size();
    int xLen = numel(inputShape);
    float[] x = new float[n * xLen];
    int yLen = classification ? 1 : numel(targetShape);
    float[] y = new float[n * yLen];
    for (int i = 0; i < n; i++) {
      Sample s = samples.get(i);
      if (s.x().length != xLen) {
        throw new IllegalArgumentException("SparkTrainer: a sample has " + s.x().length + " input elements, "
            + "the input shape " + java.util.Arrays.toString(inputShape) + " needs " + xLen);
      }
      if (s.y().length != yLen) {
        throw new IllegalArgumentException("SparkTrainer: a sample has " + s.y().length + " target elements, "
            + (classification ? "a class index is one" : "the target shape " + java.util.Arrays.toString(targetShape)
            + " needs " + yLen));
      }
      System.arraycopy(s.x(), 0, x, i * xLen, xLen);
      System.arraycopy(s.y(), 0, y, i * yLen, yLen);
    }
    Tensor xt = Tensor.wrap(x, prepend(n, inputShape));
    Tensor yt = classification ? Tensor.wrap(y, new int[] {n}, Tensor.DType.INT64)
        : Tensor.wrap(y, prepend(n, targetShape));
    return new Batch(xt, yt);
  }

  private static int[] prepend(int n, int[] shape) {
    int[] s = new int[shape.length + 1];
    s[0] = n;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  static int numel(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
