package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * A module whose straight-line loss goes through library layers (Linear, LayerNorm) and a tensor field, the outside
 * user's {@code Mlp.loss} (session 11): its generated {@code fHvp} is forward over the generated gradient, the layers'
 * second-order terms by {@code Linear.forwardVjpJvp} and LayerNorm's recorded formula ({@code ModuleHvpGoldenTest}).
 */
final class HvpModule extends Module {
  final Linear fc1 = new Linear(3, 4);
  final LayerNorm ln = new LayerNorm(4);
  final Linear fc2 = new Linear(4, 1);
  final Tensor scale = Tensor.of(0.7f, 1.3f, -0.4f, 0.9f);

  HvpModule() {
    super(HvpModuleDiff.MEMBERS);
  }

  @Differentiable(wrt = {"this", "x"})
  Tensor loss(Tensor x, Tensor y) {
    Tensor h = ln.forward(fc1.forward(x)).tanh().mul(scale);
    Tensor r = fc2.forward(h).sub(y);
    return r.square().mean();
  }
}
