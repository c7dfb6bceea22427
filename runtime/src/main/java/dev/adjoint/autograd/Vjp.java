package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/** A vector-Jacobian product: the upstream gradient in, one gradient per input out. */
@FunctionalInterface
public interface Vjp {
  /** Returns the gradients with respect to the node's inputs, given the gradient of its output. */
  Grads apply(Tensor upstream);
}
