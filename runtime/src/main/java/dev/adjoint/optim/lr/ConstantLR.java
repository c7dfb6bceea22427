package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/**
 * Multiplies the learning rate by a constant {@code factor} until epoch {@code totalIters}, then
 * restores it: PyTorch's {@code ConstantLR} (a warm-up at a reduced rate). Changes made to the
 * learning rate by others in the meantime are kept, as in PyTorch.
 */
public final class ConstantLR extends LRScheduler {
  private final double factor;
  private final int totalIters;

  /** Scales by {@code factor}, in [0, 1], for the first {@code totalIters} epochs. */
  public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
    super(optimizer);
    if (!(factor >= 0 && factor <= 1)) {
      throw new IllegalArgumentException(
          "ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got " + factor);
    }
    this.factor = factor;
    this.totalIters = totalIters;
    initialStep();
  }

  /** PyTorch's defaults: factor 1/3 for 5 epochs. */
  public ConstantLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 5);
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0) {
      return scale(currentLrs(), factor);
    }
    if (lastEpoch != totalIters) {
      return currentLrs();
    }
    return scale(currentLrs(), 1.0 / factor);
  }

  @Override
  protected double[] closedFormLr() {
    return scale(baseLrs.clone(), factor + (lastEpoch >= totalIters ? 1 - factor : 0.0));
  }
}
