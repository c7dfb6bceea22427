package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import java.util.Arrays;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch: PyTorch's {@code MultiStepLR}.
 * A milestone listed twice decays twice (PyTorch counts them).
 */
public final class MultiStepLR extends LRScheduler {
  private final int[] milestones;
  private final double gamma;

  /** Decays by {@code gamma} at each of {@code milestones}. */
  public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
    super(optimizer);
    this.milestones = milestones.clone();
    Arrays.sort(this.milestones);
    this.gamma = gamma;
    initialStep();
  }

  /** Decays by 0.1 at each of {@code milestones}. */
  public MultiStepLR(Optimizer optimizer, int[] milestones) {
    this(optimizer, milestones, 0.1);
  }

  private int count(int epoch) {
    int c = 0;
    for (int m : milestones) {
      if (m == epoch) {
        c++;
      }
    }
    return c;
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    int c = count(lastEpoch);
    if (c == 0) {
      return lrs;
    }
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = lrs[i] * Math.pow(gamma, c);
    }
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    int passed = 0;
    for (int m : milestones) {
      if (m <= lastEpoch) {
        passed++;
      }
    }
    double[] lrs = baseLrs.clone();
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = lrs[i] * Math.pow(gamma, passed);
    }
    return lrs;
  }
}
