package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ElementwiseRules;

/** {@code max(x, 0)} elementwise ({@code torch.nn.ReLU}); relu'(0) = 0 as in PyTorch. */
public final class ReLU extends Module {
  /** The module; it has no parameters. */
  public ReLU() {}

  private static final Row FORWARD = Row.of(ReLU.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = ReLU.class, vjp = "forwardVjp", node = "ReluBackward0", reads = {Primitive.OUT})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ElementwiseRules.relu(x), this, x);
  }

  /** The adjoint of {@link #forward}: ∂x = g where out > 0 ({@code relu}'s), the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, ReLU self, Tensor x) {
    return Grads.of(null, ElementwiseRules.reluVjp(g, out, x).get(0));
  }

  /** The JVP of {@link #forward}: the tangent where the output is positive ({@code reluJvp}); null is zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor out, ReLU self, Tensor x) {
    return ElementwiseRules.reluJvp(tX, out, x);
  }
}
