package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ActivationRules;

/** {@code x·σ(x)} ({@code torch.nn.SiLU}). */
public final class SiLU extends Module {
  /** The module; it has no parameters. */
  public SiLU() {}

  private static final Row FORWARD = Row.of(SiLU.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = SiLU.class, vjp = "forwardVjp", node = "SiluBackward0", reads = {0})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ActivationRules.silu(x), this, x);
  }

  /** The adjoint of {@link #forward}: the function's, the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, SiLU self, Tensor x) {
    return Grads.of(null, ActivationRules.siluVjp(g, out, x).get(0));
  }
}
