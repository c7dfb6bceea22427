package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * For {@link SecondOrderBench}: the outside user's {@code Mlp.loss} at benchmark size, a straight-line module method
 * through Linear and LayerNorm rows (64 → 64 → 1, batch 32), whose {@code fHvp} is generated since session 11.
 */
final class SecondOrderNet extends Module {
  final Linear fc1;
  final LayerNorm ln = new LayerNorm(64);
  final Linear fc2;
  final Tensor scale;

  SecondOrderNet(Generator g) {
    super(SecondOrderNetDiff.MEMBERS);
    fc1 = new Linear(64, 64, true, g);
    fc2 = new Linear(64, 1, true, g);
    scale = Tensor.randn(g, 64);
  }

  @Differentiable(wrt = {"this", "x"})
  Tensor loss(Tensor x, Tensor y) {
    Tensor h = ln.forward(fc1.forward(x)).tanh().mul(scale);
    Tensor r = fc2.forward(h).sub(y);
    return r.square().mean();
  }

  /** The same loss in a one-step loop: its fHvp is forward over the generated pullback through the loop. */
  @Differentiable(wrt = {"this", "x"})
  Tensor lossLoop(Tensor x, Tensor y, int steps) {
    Tensor acc = x.sum().mul(0);
    for (int i = 0; i < steps; i++) {
      Tensor h = ln.forward(fc1.forward(x)).tanh().mul(scale);
      acc = acc.add(fc2.forward(h).sub(y).square().mean());
    }
    return acc;
  }
}
