package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.ReLU;

/** A residual block: a tensor parameter and a library module as fields. */
final class Block extends Module {
  final Tensor scale;
  final ReLU act = new ReLU();

  Block(int width) {
    super(BlockDiff.MEMBERS);
    scale = Tensor.ones(width);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    return act.forward(x.mul(scale)).add(x);
  }
}
