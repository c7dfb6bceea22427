package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/** A module of modules: library layers and a user-written block held in fields. */
final class Mlp extends Module {
  final Flatten flatten = new Flatten();
  final Linear fc1;
  final Block block;
  final Linear head;

  Mlp(int in, int hidden, int out) {
    super(MlpDiff.MEMBERS);
    fc1 = new Linear(in, hidden);
    block = new Block(hidden);
    head = new Linear(hidden, out);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = fc1.forward(flatten.forward(x)).relu();
    return head.forward(block.forward(h));
  }
}
