package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/** Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs: PyTorch's {@code StepLR}. */
public final class StepLR extends LRScheduler {
  private final int stepSize;
  private final double gamma;

  /** Decays by {@code gamma} every {@code stepSize} epochs. */
  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    super(optimizer);
    requirePositive("step_size", stepSize);
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
    return lastEpoch == 0 || lastEpoch % stepSize != 0 ? currentLrs() : scale(currentLrs(), gamma);
  }

  @Override
  protected double[] closedFormLr() {
    return scale(baseLrs.clone(), Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize)));
  }
}
