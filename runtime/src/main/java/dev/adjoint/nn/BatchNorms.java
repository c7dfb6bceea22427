package dev.adjoint.nn;

import dev.adjoint.Tensor;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share beyond the rule: PyTorch's {@code num_batches_tracked}
 * buffer, counted in each training forward, and the factor by which the running statistics move.
 */
final class BatchNorms {
  private BatchNorms() {}

  /** The buffer's name, as in PyTorch's state dicts ({@code "bn1.num_batches_tracked"}). */
  static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

  /** A 0-d INT64 zero: {@code torch.tensor(0, dtype=torch.long)}. */
  static Tensor zeroCount() {
    return Tensor.wrap(new float[1], new int[0], Tensor.DType.INT64);
  }

  /**
   * Counts one training batch ({@code num_batches_tracked.add_(1)}) and returns the factor by which the running
   * statistics move towards the batch's: {@code momentum}, or for a {@code null} momentum PyTorch's cumulative
   * average, {@code 1 / num_batches_tracked}. The count is exact up to 2^24 batches (INT64 tensors hold floats).
   */
  static double track(Tensor count, Double momentum) {
    float[] c = count.mutableStorage("num_batches_tracked");
    c[0] += 1;
    count.bumpVersion();
    return momentum == null ? 1.0 / c[0] : momentum;
  }

  /** {@code momentum} as PyTorch prints it: {@code None} for the cumulative average. */
  static String repr(Double momentum) {
    return momentum == null ? "None" : momentum.toString();
  }
}
