package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ElementwiseRules;

/** The logistic sigmoid ({@code torch.nn.Sigmoid}). */
public final class Sigmoid extends Module {
  /** The module; it has no parameters. */
  public Sigmoid() {}

  private static final Row FORWARD = Row.of(Sigmoid.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = Sigmoid.class, vjp = "forwardVjp", node = "SigmoidBackward0", reads = {Primitive.OUT})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ElementwiseRules.sigmoid(x), this, x);
  }

  /** The adjoint of {@link #forward}: the function's, the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, Sigmoid self, Tensor x) {
    return Grads.of(null, ElementwiseRules.sigmoidVjp(g, out, x).get(0));
  }
}
