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
    int c = count(lastEpoch);
    return c == 0 ? currentLrs() : scale(currentLrs(), Math.pow(gamma, c));
  }

  @Override
  protected double[] closedFormLr() {
    int passed = 0;
    for (int m : milestones) {
      if (m <= lastEpoch) {
        passed++;
      }
    }
    return scale(baseLrs.clone(), Math.pow(gamma, passed));
  }
}
