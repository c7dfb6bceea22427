package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/**
 * Scales the learning rate by a factor that moves linearly from {@code startFactor} to {@code
 * endFactor} over {@code totalIters} epochs: PyTorch's {@code LinearLR} (a common warm-up).
 */
public final class LinearLR extends LRScheduler {
  private final double startFactor;
  private final double endFactor;
  private final int totalIters;

  /** Moves the factor from {@code startFactor} to {@code endFactor}, both in [0, 1] (start > 0), over {@code totalIters}. */
  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    super(optimizer);
    if (!(startFactor > 0 && startFactor <= 1)) {
      throw new IllegalArgumentException("LinearLR: invalid start_factor value: " + startFactor
          + " (must be in (0, 1])");
    }
    if (!(endFactor >= 0 && endFactor <= 1)) {
      throw new IllegalArgumentException("LinearLR: invalid end_factor value: " + endFactor + " (must be in [0, 1])");
    }
    requirePositive("total_iters", totalIters);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    initialStep();
  }

  /** PyTorch's defaults: from 1/3 to 1 over 5 epochs. */
  public LinearLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 1.0, 5);
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0) {
      return scale(currentLrs(), startFactor);
    }
    if (lastEpoch > totalIters) {
      return currentLrs();
    }
    return scale(currentLrs(),
        1. + (endFactor - startFactor) / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
  }

  @Override
  protected double[] closedFormLr() {
    return scale(baseLrs.clone(),
        startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
  }
}
