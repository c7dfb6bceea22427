package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import java.util.Collections;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Multiplies each group's current learning rate by {@code lrLambda(epoch)} at every epoch after the
 * first: PyTorch's {@code MultiplicativeLR}. One function for all groups, or one per group. Unlike
 * {@link LambdaLR}, whose factor applies to the base rate, the factors compound.
 */
public final class MultiplicativeLR extends LRScheduler {
  private final List<IntToDoubleFunction> lambdas;

  /** One factor function for every group. */
  public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
    this(optimizer, Collections.nCopies(optimizer.paramGroups().size(), lrLambda));
  }

  /** One factor function per group. */
  public MultiplicativeLR(Optimizer optimizer, List<IntToDoubleFunction> lrLambdas) {
    super(optimizer);
    if (lrLambdas.size() != optimizer.paramGroups().size()) {
      throw new IllegalArgumentException("MultiplicativeLR: expected " + optimizer.paramGroups().size()
          + " lr_lambdas, but got " + lrLambdas.size());
    }
    this.lambdas = List.copyOf(lrLambdas);
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    if (lastEpoch > 0) {
      for (int i = 0; i < lrs.length; i++) {
        lrs[i] = lrs[i] * lambdas.get(i).applyAsDouble(lastEpoch);
      }
    }
    return lrs;
  }
}
