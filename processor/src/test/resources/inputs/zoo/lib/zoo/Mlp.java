package zoo;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/** A module of modules: a library Linear and a zoo Block. */
public final class Mlp extends Module {
  public final Linear fc;
  public final Block block;

  public Mlp(int in, int out, long seed) {
    super(MlpDiff.MEMBERS);
    fc = new Linear(in, out, true, new Generator(seed));
    block = new Block(out);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    return block.forward(fc.forward(x).relu());
  }
}
