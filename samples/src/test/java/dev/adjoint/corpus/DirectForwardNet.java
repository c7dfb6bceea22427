package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * A module whose {@code forward} itself is {@code @Differentiable}, with raw tensor fields: calling
 * {@code net.forward(x)} runs this body eagerly, with no generated code before it. Its constructor computes with
 * tensors before every field is assigned ({@code mul}), and derives {@code scale} from {@code w}.
 */
final class DirectForwardNet extends Module {
  final Tensor w;
  final Linear head;
  final Tensor scale;

  DirectForwardNet(long seed) {
    super(DirectForwardNetDiff.MEMBERS);
    w = Tensor.randn(new Generator(seed), 4, 3).mul(0.5);
    head = new Linear(3, 2, true, new Generator(seed + 1));
    scale = w.sum(0).mul(0.1);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    return head.forward(x.matmul(w).tanh().mul(scale));
  }
}
