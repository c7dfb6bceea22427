package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ActivationRules;

/** {@code x > 0 ? x : negativeSlope·x} ({@code torch.nn.LeakyReLU}, default slope 0.01). */
public final class LeakyReLU extends Module {
  final double negativeSlope;

  /** Slope 0.01. */
  public LeakyReLU() {
    this(0.01);
  }

  /** The given negative slope. */
  public LeakyReLU(double negativeSlope) {
    this.negativeSlope = negativeSlope;
  }

  private static final Row FORWARD = Row.of(LeakyReLU.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = LeakyReLU.class, vjp = "forwardVjp", node = "LeakyReluBackward0", reads = {0})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ActivationRules.leakyRelu(x, negativeSlope), this, x);
  }

  /** The adjoint of {@link #forward}: the function's, the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, LeakyReLU self, Tensor x) {
    return Grads.of(null, ActivationRules.leakyReluVjp(g, out, x, self.negativeSlope).get(0));
  }

  @Override
  protected String extraRepr() {
    return "negative_slope=" + negativeSlope;
  }
}
