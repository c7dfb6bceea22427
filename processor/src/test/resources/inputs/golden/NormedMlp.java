package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * A straight-line module method through library layers (Linear, LayerNorm) and a tensor field: fHvp by forward
 * over the generated gradient, the layers' second-order terms by Linear's own rule and LayerNorm's recorded formula.
 */
final class NormedMlp extends Module {
  final Linear fc1 = new Linear(3, 4);
  final LayerNorm ln = new LayerNorm(4);
  final Linear fc2 = new Linear(4, 1);
  final Tensor scale = Tensor.of(0.7f, 1.3f, -0.4f, 0.9f);

  NormedMlp() {
    super(NormedMlpDiff.MEMBERS);
  }

  @Differentiable(wrt = {"this", "x"})
  Tensor loss(Tensor x, Tensor y) {
    Tensor h = ln.forward(fc1.forward(x)).tanh().mul(scale);
    Tensor r = fc2.forward(h).sub(y);
    return r.square().mean();
  }
}
