package dev.adjoint.spark;

import dev.adjoint.Tensor;
import java.io.Serializable;

/**
 * The loss of a batch's output against its targets, a 0-D tensor averaged over the batch (PyTorch's default
 * {@code reduction='mean'}), e.g. {@code F::crossEntropy}. Each partition's loss covers its share of the
 * global batch, and the trainer weights the shares by their sizes, so the combined gradient is the gradient
 * of the global batch's mean.
 */
@FunctionalInterface
public interface LossFunction extends Serializable {
  /** The mean loss of {@code output} against {@code target}. */
  Tensor apply(Tensor output, Tensor target);
}
