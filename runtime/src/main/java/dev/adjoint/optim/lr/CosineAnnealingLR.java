package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;

/**
 * Cosine annealing from the base learning rate to {@code etaMin} over {@code tMax} epochs, without
 * restarts: PyTorch's {@code CosineAnnealingLR}, in its recursive form (so it composes with other
 * schedulers and, past {@code tMax}, climbs back up as PyTorch's does).
 */
public final class CosineAnnealingLR extends LRScheduler {
  private final int tMax;
  private final double etaMin;

  /** Anneals to {@code etaMin} over {@code tMax} epochs. */
  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    super(optimizer);
    requirePositive("T_max", tMax);
    this.tMax = tMax;
    this.etaMin = etaMin;
    initialStep();
  }

  /** Anneals to 0 over {@code tMax} epochs. */
  public CosineAnnealingLR(Optimizer optimizer, int tMax) {
    this(optimizer, tMax, 0);
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    if (lastEpoch == 0) {
      return lrs;
    }
    for (int i = 0; i < lrs.length; i++) {
      double base = baseLrs[i];
      if (stepCount == 1 && lastEpoch > 0) {
        lrs[i] = etaMin + (base - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
      } else if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
        lrs[i] = lrs[i] + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
      } else {
        lrs[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
            * (lrs[i] - etaMin) + etaMin;
      }
    }
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    double[] lrs = new double[baseLrs.length];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
    }
    return lrs;
  }
}
