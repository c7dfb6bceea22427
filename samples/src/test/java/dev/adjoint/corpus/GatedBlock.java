package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/** The outside user's residual block: a tensor field {@code gate} beside a layer, as written in PyTorch. */
final class GatedBlock extends Module {
  final Linear inner;
  final Tensor gate;

  GatedBlock(int width) {
    super(GatedBlockDiff.MEMBERS);
    inner = new Linear(width, width);
    gate = Tensor.full(0.5f, width);
  }

  @Override
  public Tensor forward(Tensor x) {
    return GatedBlockDiff.apply(this, x);
  }

  @Differentiable
  Tensor apply(Tensor x) {
    Tensor y = inner.forward(x).tanh();
    return x.add(y.mul(gate));
  }
}
