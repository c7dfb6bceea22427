package dev.adjoint.nn;

import dev.adjoint.Tensor;

/**
 * Binary cross-entropy on logits, computed stably ({@code torch.nn.BCEWithLogitsLoss}):
 * {@link F#binaryCrossEntropyWithLogits}, averaged over the elements.
 */
public final class BCEWithLogitsLoss extends Loss {
  /** The loss with {@code reduction='mean'}. */
  public BCEWithLogitsLoss() {}

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.binaryCrossEntropyWithLogits(input, target);
  }
}
