package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Dropout;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * An MLP with dropout between its layers (issue 18): called as {@code net.forward(x)} it runs eagerly, through
 * {@code DropoutNetDiff} the generated code runs, which draws the same mask from the dropout's generator.
 */
final class DropoutNet extends Module {
  final Linear fc1;
  final Dropout drop;
  final Linear fc2;

  DropoutNet(long seed, Generator masks, Tensor.DType dtype) {
    super(DropoutNetDiff.MEMBERS);
    Generator g = new Generator(seed);
    fc1 = new Linear(4, 6, true, g, dtype);
    drop = new Dropout(0.4, masks);
    fc2 = new Linear(6, 3, true, g, dtype);
  }

  @Differentiable(wrt = "this")
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = drop.forward(fc1.forward(x).relu());
    return fc2.forward(h);
  }

  /** {@code F.dropout} with a caller's generator, its input differentiated. */
  @Differentiable
  static Tensor functional(Tensor x, Generator masks, boolean training) {
    return F.dropout(x.tanh(), 0.3, training, masks).mul(x).sum();
  }
}
