package dev.adjoint.nn;

import dev.adjoint.Tensor;

/**
 * Negative log-likelihood of log-probabilities {@code (N, C)} against INT64 class indices {@code (N)}
 * ({@code torch.nn.NLLLoss}): {@link F#nllLoss}, averaged over the batch.
 */
public final class NLLLoss extends Loss {
  /** The loss with {@code reduction='mean'}. */
  public NLLLoss() {}

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.nllLoss(input, target);
  }
}
