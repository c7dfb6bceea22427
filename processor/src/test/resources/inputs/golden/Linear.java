package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;

/** A module: its Tensor fields are parameters, so gradients flow to them. */
final class Linear {
  final Tensor weight;
  final Tensor bias;

  Linear(Tensor weight, Tensor bias) {
    this.weight = weight;
    this.bias = bias;
  }

  @Differentiable
  Tensor forward(Tensor x) {
    return x.matmul(weight).add(bias);
  }

  @Differentiable(wrt = {})
  Tensor loss(Tensor x, Tensor y) {
    Tensor p = forward(x).relu();
    return F.mseLoss(p, y);
  }
}
