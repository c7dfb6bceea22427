package dev.adjoint.nn;

import dev.adjoint.Tensor;

/**
 * A loss as a module ({@code torch.nn.modules.loss._Loss}): {@code lossFn.forward(input, target)} returns a
 * 0-D tensor. Every loss here averages over its elements (PyTorch's default {@code reduction='mean'}) and
 * delegates to the functional form in {@link F}, which holds the derivative rule.
 */
public abstract class Loss extends Module {
  /** A loss; losses have no parameters. */
  protected Loss() {}

  /** The loss of {@code input} against {@code target}, a 0-D tensor. */
  public abstract Tensor forward(Tensor input, Tensor target);

  /** Losses take two arguments: this throws and points to {@link #forward(Tensor, Tensor)}. */
  @Override
  public final Tensor forward(Tensor x) {
    throw new UnsupportedOperationException("forward: " + getClass().getSimpleName()
        + " takes (input, target); call forward(input, target)");
  }
}
