package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/** Multiplies the learning rate by {@code gamma} every epoch: PyTorch's {@code ExponentialLR}. */
public final class ExponentialLR extends LRScheduler {
  private final double gamma;

  /** Decays by {@code gamma} every epoch. */
  public ExponentialLR(Optimizer optimizer, double gamma) {
    super(optimizer);
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    return lastEpoch == 0 ? currentLrs() : scale(currentLrs(), gamma);
  }

  @Override
  protected double[] closedFormLr() {
    return scale(baseLrs.clone(), Math.pow(gamma, lastEpoch));
  }
}
