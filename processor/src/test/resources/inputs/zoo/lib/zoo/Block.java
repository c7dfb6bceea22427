package zoo;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Module;

/** A module with one parameter. */
public final class Block extends Module {
  public final Tensor scale;

  public Block(int n) {
    super(BlockDiff.MEMBERS);
    scale = Tensor.arange(n).mul(0.25f).add(0.5f).requiresGrad(true);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    return x.mul(scale).tanh();
  }
}
