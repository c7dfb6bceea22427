package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ActivationRules;

/** {@code log(1 + e^(beta·x)) / beta}, linear above {@code threshold} ({@code torch.nn.Softplus}, defaults 1 and 20). */
public final class Softplus extends Module {
  final double beta;
  final double threshold;

  /** Beta 1, threshold 20. */
  public Softplus() {
    this(1, 20);
  }

  /** The given beta and threshold. */
  public Softplus(double beta, double threshold) {
    this.beta = beta;
    this.threshold = threshold;
  }

  private static final Row FORWARD = Row.of(Softplus.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = Softplus.class, vjp = "forwardVjp", node = "SoftplusBackward0", reads = {0})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ActivationRules.softplus(x, beta, threshold), this, x);
  }

  /** The adjoint of {@link #forward}: the function's, the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, Softplus self, Tensor x) {
    return Grads.of(null, ActivationRules.softplusVjp(g, out, x, self.beta, self.threshold).get(0));
  }

  @Override
  protected String extraRepr() {
    return "beta=" + beta + ", threshold=" + threshold;
  }
}
