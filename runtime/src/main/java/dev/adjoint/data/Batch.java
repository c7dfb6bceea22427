package dev.adjoint.data;

import dev.adjoint.Tensor;

/**
 * A batch from a {@link DataLoader}: inputs {@code x} stacked along a new first dimension and targets
 * {@code y} likewise (INT64 class labels of shape {@code (n)} for classification datasets).
 */
public record Batch(Tensor x, Tensor y) {
  /** The number of samples in this batch ({@code len(X)}). */
  public int size() {
    return x.shape()[0];
  }
}
