package dev.adjoint.samples.fashion;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;
import dev.adjoint.nn.BatchNorm2d;
import dev.adjoint.nn.Conv2d;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.MaxPool2d;
import dev.adjoint.nn.Module;

/**
 * {@link FashionCnn} as a {@code @Differentiable} module: the layers are fields (listed by the processor in
 * {@code CompiledFashionCnnDiff.MEMBERS}, in declaration order, with PyTorch's names), each a library module
 * whose {@code forward} is a primitive with its parameters as receiver inputs, and the processor writes the
 * backward of {@link #logits} straight through the convolutions', batch norms' and poolings' adjoints.
 * {@link #forward} runs the generated code (one autograd node for the whole network).
 */
public final class CompiledFashionCnn extends Module {
  final Conv2d conv1 = new Conv2d(1, 16, 3, 1, 1);
  final BatchNorm2d bn1 = new BatchNorm2d(16);
  final Conv2d conv2 = new Conv2d(16, 32, 3, 1, 1);
  final BatchNorm2d bn2 = new BatchNorm2d(32);
  final Linear fc = new Linear(32 * 7 * 7, 10);
  final MaxPool2d pool = new MaxPool2d(2);
  final Flatten flatten = new Flatten();

  /** The network with PyTorch's default initialisation, drawn from the default generator. */
  public CompiledFashionCnn() {
    super(CompiledFashionCnnDiff.MEMBERS);
  }

  /** The logits, through the generated code. */
  @Override
  public Tensor forward(Tensor x) {
    return CompiledFashionCnnDiff.logits(this, x);
  }

  /** The logits of a batch of images {@code (N, 1, 28, 28)}: what the processor differentiates. */
  @Differentiable(wrt = "this")
  @Shape("N, 10")
  public Tensor logits(@Shape("N, 1, 28, 28") Tensor x) {
    Tensor h = pool.forward(bn1.forward(conv1.forward(x)).relu());
    h = pool.forward(bn2.forward(conv2.forward(h)).relu());
    return fc.forward(flatten.forward(h));
  }
}
