package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ActivationRules;

/** The Gaussian error linear unit ({@code torch.nn.GELU}), exact ({@code "none"}) or {@code "tanh"}-approximated. */
public final class GELU extends Module {
  final String approximate;

  /** The exact GELU. */
  public GELU() {
    this("none");
  }

  /** GELU with {@code approximate} {@code "none"} or {@code "tanh"}. */
  public GELU(String approximate) {
    if (!approximate.equals("none") && !approximate.equals("tanh")) {
      throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
    }
    this.approximate = approximate;
  }

  private static final Row FORWARD = Row.of(GELU.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = GELU.class, vjp = "forwardVjp", node = "GeluBackward0", reads = {0})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ActivationRules.gelu(x, approximate), this, x);
  }

  /** The adjoint of {@link #forward}: the function's, the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, GELU self, Tensor x) {
    return Grads.of(null, ActivationRules.geluVjp(g, out, x, self.approximate).get(0));
  }

  @Override
  protected String extraRepr() {
    return "approximate='" + approximate + "'";
  }
}
