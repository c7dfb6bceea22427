package dev.adjoint.nn;

import dev.adjoint.Tensor;

/**
 * Cross-entropy of logits {@code (N, C)} against INT64 class indices {@code (N)} ({@code
 * torch.nn.CrossEntropyLoss}): {@link F#crossEntropy}, that is {@code nllLoss(logSoftmax(input, 1))},
 * averaged over the batch.
 */
public final class CrossEntropyLoss extends Loss {
  /** The loss with {@code reduction='mean'}. */
  public CrossEntropyLoss() {}

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.crossEntropy(input, target);
  }
}
