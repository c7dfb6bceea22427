package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/**
 * Decays the learning rate to zero over {@code totalIters} epochs along {@code (1 - epoch /
 * totalIters)^power}: PyTorch's {@code PolynomialLR}. After {@code totalIters} the rate stays where
 * it is (zero, unless another scheduler changed it).
 */
public final class PolynomialLR extends LRScheduler {
  private final int totalIters;
  private final double power;

  /** Decays over {@code totalIters} epochs with exponent {@code power}. */
  public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
    super(optimizer);
    requirePositive("total_iters", totalIters);
    this.totalIters = totalIters;
    this.power = power;
    initialStep();
  }

  /** PyTorch's defaults: linear decay ({@code power} 1) over 5 epochs. */
  public PolynomialLR(Optimizer optimizer) {
    this(optimizer, 5, 1.0);
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0 || lastEpoch > totalIters) {
      return currentLrs();
    }
    double decay = Math.pow((1.0 - (double) lastEpoch / totalIters) / (1.0 - (double) (lastEpoch - 1) / totalIters),
        power);
    return scale(currentLrs(), decay);
  }

  @Override
  protected double[] closedFormLr() {
    return scale(baseLrs.clone(), Math.pow(1.0 - (double) Math.min(totalIters, lastEpoch) / totalIters, power));
  }
}
