package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/** {@link GatedBlock} with its gate also registered, PyTorch's idiom ({@code self.gate = nn.Parameter(...)}). */
final class RegisteredGateBlock extends Module {
  final Linear inner;
  final Tensor gate;

  RegisteredGateBlock(int width) {
    super(RegisteredGateBlockDiff.MEMBERS);
    inner = new Linear(width, width);
    gate = registerParameter("gate", Tensor.full(0.5f, width));
  }

  @Override
  public Tensor forward(Tensor x) {
    return RegisteredGateBlockDiff.apply(this, x);
  }

  @Differentiable
  Tensor apply(Tensor x) {
    return x.add(inner.forward(x).tanh().mul(gate));
  }
}
