package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.rules.ModuleRules;

/** {@code max(x, 0)} elementwise ({@code torch.nn.ReLU}); relu'(0) = 0 as in PyTorch. */
public final class ReLU extends Module {
  /** The module; it has no parameters. */
  public ReLU() {}

  @Override
  @Primitive(rules = ModuleRules.class, vjp = "reluForwardVjp", node = "ReluBackward0", reads = {Primitive.OUT})
  public Tensor forward(Tensor x) {
    return x.relu();
  }
}
