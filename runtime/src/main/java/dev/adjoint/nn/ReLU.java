package dev.adjoint.nn;

import dev.adjoint.Tensor;

/** {@code max(x, 0)} elementwise ({@code torch.nn.ReLU}); relu'(0) = 0 as in PyTorch. */
public final class ReLU extends Module {
  /** The module; it has no parameters. */
  public ReLU() {}

  @Override
  public Tensor forward(Tensor x) {
    return x.relu();
  }
}
