package dev.adjoint.optim;

import dev.adjoint.Tensor;

/**
 * Re-evaluates the model and returns the loss, as the closure passed to PyTorch's {@code
 * optimizer.step(closure)}: it zeroes the gradients, computes the loss, calls {@code backward()} and
 * returns the loss. Optimizers call it with grad mode on.
 */
@FunctionalInterface
public interface Closure {
  /** Computes the loss and its gradients; returns the loss. */
  Tensor call();
}
