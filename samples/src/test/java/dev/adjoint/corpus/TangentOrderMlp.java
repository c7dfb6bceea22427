package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * An outside user's module (finding D5, session 10), verbatim but for its name: {@code scale} is declared last and
 * used after {@code fc1} and {@code ln}, so {@code parameters()} lists it first ({@code [scale, fc1.weight, ...]},
 * PyTorch's order) while {@code lossLoopJvp} takes its tangent after theirs (the order of first use).
 */
public final class TangentOrderMlp extends Module {
  final Linear fc1 = new Linear(3, 4);
  final LayerNorm ln = new LayerNorm(4);
  final Linear fc2 = new Linear(4, 1);
  final Tensor scale = Tensor.of(0.7f, 1.3f, -0.4f, 0.9f);

  public TangentOrderMlp() {
    super(TangentOrderMlpDiff.MEMBERS);
  }

  @Differentiable(wrt = {"this", "x"})
  public Tensor lossLoop(Tensor x, Tensor y, int steps) {
    Tensor h = x;
    Tensor acc = Tensor.zerosLike(x.sum().detach());
    for (int i = 0; i < steps; i++) {
      Tensor z = ln.forward(fc1.forward(h)).tanh().mul(scale);
      acc = acc.add(fc2.forward(z).sub(y).square().mean());
      h = h.mul(0.5).add(z.slice(1, 0, 3));
    }
    return acc.sum();
  }
}
