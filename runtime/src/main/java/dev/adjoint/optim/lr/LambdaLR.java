package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import java.util.Collections;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Sets each group's learning rate to its base learning rate times {@code lrLambda(epoch)}: PyTorch's
 * {@code LambdaLR}. One function for all groups, or one per group.
 */
public final class LambdaLR extends LRScheduler {
  private final List<IntToDoubleFunction> lambdas;

  /** One factor function for every group. */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
    this(optimizer, Collections.nCopies(optimizer.paramGroups().size(), lrLambda));
  }

  /** One factor function per group. */
  public LambdaLR(Optimizer optimizer, List<IntToDoubleFunction> lrLambdas) {
    super(optimizer);
    if (lrLambdas.size() != optimizer.paramGroups().size()) {
      throw new IllegalArgumentException("LambdaLR: expected " + optimizer.paramGroups().size()
          + " lr_lambdas, but got " + lrLambdas.size());
    }
    this.lambdas = List.copyOf(lrLambdas);
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = new double[baseLrs.length];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = baseLrs[i] * lambdas.get(i).applyAsDouble(lastEpoch);
    }
    return lrs;
  }
}
