package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/** A user module holding a user module and a library module in fields (processor: modules of modules). */
final class NestedModules extends Module {
  final Linear in = new Linear(3, 4, true, new Generator(11));
  final Gate gate = new Gate();
  final Tensor out = Tensor.randn(new Generator(12), 4);

  NestedModules() {
    super(NestedModulesDiff.MEMBERS);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = gate.forward(in.forward(x));
    return h.mul(out).sum();
  }

  /** A gated unit: x · sigmoid(x · scale + shift). */
  static final class Gate extends Module {
    final Tensor scale = Tensor.randn(new Generator(13), 4);
    final Tensor shift = Tensor.randn(new Generator(14), 4);

    Gate() {
      super(NestedModules_GateDiff.MEMBERS);
    }

    @Differentiable
    @Override
    public Tensor forward(Tensor x) {
      return x.mul(x.mul(scale).add(shift).sigmoid());
    }
  }
}
