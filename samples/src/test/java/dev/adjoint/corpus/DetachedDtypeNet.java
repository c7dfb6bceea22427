package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * A float64 module whose zero state takes the batch's size and its layer's dtype, as a GRU loop writes it
 * ({@code torch.zeros(b, 5, dtype=fc.weight.dtype)}): {@code fc.weight().detach()} reads the dtype without a
 * gradient (findings 11 §4), {@code new int[] {b, 5}} holds a passive {@code int}.
 */
final class DetachedDtypeNet extends Module {
  final Linear fc;

  DetachedDtypeNet() {
    super(DetachedDtypeNetDiff.MEMBERS);
    fc = new Linear(4, 5);
    to(Tensor.DType.FLOAT64);
  }

  @Override
  public Tensor forward(Tensor x) {
    return DetachedDtypeNetDiff.loss(this, x);
  }

  @Differentiable
  Tensor loss(Tensor x) {
    int b = x.size(0);
    Tensor h = Tensor.zeros(new int[] {b, 5}, fc.weight().detach().dtype());
    for (int t = 0; t < 2; t++) {
      h = fc.forward(x).add(h.mul(0.5)).tanh();
    }
    return h.square().sum();
  }
}
