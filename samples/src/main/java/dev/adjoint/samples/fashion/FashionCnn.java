package dev.adjoint.samples.fashion;

import dev.adjoint.Tensor;
import dev.adjoint.nn.BatchNorm2d;
import dev.adjoint.nn.Conv2d;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * The next network every FashionMNIST user writes: two convolution blocks (3×3 convolution with padding 1,
 * batch norm, ReLU, 2×2 max pooling: 1→16 and 16→32 channels, 28×28 → 14×14 → 7×7) and a linear head
 * (32·7·7 → 10), run eagerly. Member names are PyTorch's ({@code conv1.weight}, {@code bn1.bias}, ...), so the
 * state exported by {@code cnn_goldens.py} loads as is.
 */
public final class FashionCnn extends Module {
  private final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 16, 3, 1, 1));
  private final BatchNorm2d bn1 = registerModule("bn1", new BatchNorm2d(16));
  private final Conv2d conv2 = registerModule("conv2", new Conv2d(16, 32, 3, 1, 1));
  private final BatchNorm2d bn2 = registerModule("bn2", new BatchNorm2d(32));
  private final Linear fc = registerModule("fc", new Linear(32 * 7 * 7, 10));

  /** The network with PyTorch's default initialisation, drawn from the default generator. */
  public FashionCnn() {}

  @Override
  public Tensor forward(Tensor x) {
    x = F.maxPool2d(F.relu(bn1.forward(conv1.forward(x))), 2);
    x = F.maxPool2d(F.relu(bn2.forward(conv2.forward(x))), 2);
    return fc.forward(x.flatten(1, -1));
  }
}
