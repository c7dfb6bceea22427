package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Dropout;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/** Dropout in generated code: the module's mask and F.dropout's, drawn in the forward and saved. */
final class DropoutMlp extends Module {
  final Linear fc1;
  final Dropout drop;
  final Linear fc2;

  DropoutMlp(int in, int hidden, int out) {
    super(DropoutMlpDiff.MEMBERS);
    fc1 = new Linear(in, hidden);
    drop = new Dropout(0.25);
    fc2 = new Linear(hidden, out);
  }

  @Differentiable(wrt = "this")
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = drop.forward(fc1.forward(x).relu());
    return fc2.forward(h);
  }

  @Differentiable
  static Tensor noisy(Tensor x, boolean training) {
    return F.dropout(x.tanh(), 0.5, training).sum();
  }
}
