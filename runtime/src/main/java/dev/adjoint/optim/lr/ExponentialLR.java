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
    double[] lrs = currentLrs();
    if (lastEpoch == 0) {
      return lrs;
    }
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] *= gamma;
    }
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    double[] lrs = baseLrs.clone();
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = lrs[i] * Math.pow(gamma, lastEpoch);
    }
    return lrs;
  }
}
