package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/** Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs: PyTorch's {@code StepLR}. */
public final class StepLR extends LRScheduler {
  private final int stepSize;
  private final double gamma;

  /** Decays by {@code gamma} every {@code stepSize} epochs. */
  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    super(optimizer);
    if (stepSize < 1) {
      throw new IllegalArgumentException("StepLR: invalid step_size value: " + stepSize + " (must be >= 1)");
    }
    this.stepSize = stepSize;
    this.gamma = gamma;
    initialStep();
  }

  /** Decays by 0.1 every {@code stepSize} epochs. */
  public StepLR(Optimizer optimizer, int stepSize) {
    this(optimizer, stepSize, 0.1);
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    if (lastEpoch == 0 || lastEpoch % stepSize != 0) {
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
      lrs[i] = lrs[i] * Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
    }
    return lrs;
  }
}
