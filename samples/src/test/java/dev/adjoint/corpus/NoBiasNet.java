package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.BatchNorm2d;
import dev.adjoint.nn.Conv2d;
import dev.adjoint.nn.F;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * Layers built without some parameters (an outside user's {@code NoBias}, FINDINGS12 §1): the convolution without
 * bias before a batch norm of every ResNet block, a Linear without bias, a LayerNorm without affine parameters, and a
 * static method whose optional bias is {@code null}. Their forward-mode forms threw a NullPointerException.
 */
final class NoBiasNet extends Module {
  final Conv2d conv = new Conv2d(2, 3, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1,
      false, new Generator(1));
  final BatchNorm2d bn = new BatchNorm2d(3);
  final LayerNorm plain = new LayerNorm(new int[] {48}, 1e-5, false);
  final Linear fc = new Linear(3 * 4 * 4, 2, false, new Generator(2));

  NoBiasNet() {
    super(NoBiasNetDiff.MEMBERS);
  }

  @Differentiable(wrt = {"this", "x"})
  Tensor loss(Tensor x) {
    Tensor h = bn.forward(conv.forward(x)).tanh();
    return fc.forward(plain.forward(h.flatten(1, -1))).square().sum();
  }

  /** {@code F.linear} with an optional bias that may be {@code null}. */
  @Differentiable
  static Tensor lin(Tensor x, Tensor w, Tensor b) {
    return F.linear(x, w, b).tanh().sum();
  }
}
