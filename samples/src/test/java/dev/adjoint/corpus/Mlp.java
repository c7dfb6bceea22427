package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;
import dev.adjoint.nn.F;

/** A module: its Tensor fields are parameters; gradients flow to them. */
final class Mlp {
  @Shape("I, H") final Tensor w1;
  @Shape("H") final Tensor b1;
  @Shape("H, O") final Tensor w2;
  final double scale;

  Mlp(Tensor w1, Tensor b1, Tensor w2, double scale) {
    this.w1 = w1;
    this.b1 = b1;
    this.w2 = w2;
    this.scale = scale;
  }

  @Differentiable
  @Shape("B, O")
  Tensor forward(@Shape("B, I") Tensor x) {
    Tensor h = x.matmul(w1).add(b1).tanh();
    return h.matmul(w2).mul(scale);
  }

  @Differentiable
  @Shape("")
  Tensor loss(@Shape("B, I") Tensor x, @Shape("B, O") Tensor y) {
    Tensor p = forward(x);
    return F.mseLoss(p, y).add(this.w2.pow(2).sum().mul(0.01));
  }
}
