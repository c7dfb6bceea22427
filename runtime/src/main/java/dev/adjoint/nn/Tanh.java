package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ElementwiseRules;

/** The hyperbolic tangent ({@code torch.nn.Tanh}). */
public final class Tanh extends Module {
  /** The module; it has no parameters. */
  public Tanh() {}

  private static final Row FORWARD = Row.of(Tanh.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = Tanh.class, vjp = "forwardVjp", node = "TanhBackward0", reads = {Primitive.OUT})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ElementwiseRules.tanh(x), this, x);
  }

  /** The adjoint of {@link #forward}: the function's, the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, Tanh self, Tensor x) {
    return Grads.of(null, ElementwiseRules.tanhVjp(g, out, x).get(0));
  }
}
