package dev.adjoint.nn;

import dev.adjoint.Tensor;

/** Mean squared error {@code mean((input - target)²)} ({@code torch.nn.MSELoss}): {@link F#mseLoss}. */
public final class MSELoss extends Loss {
  /** The loss with {@code reduction='mean'}. */
  public MSELoss() {}

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.mseLoss(input, target);
  }
}
