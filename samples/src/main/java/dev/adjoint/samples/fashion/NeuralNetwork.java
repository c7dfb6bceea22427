package dev.adjoint.samples.fashion;

import dev.adjoint.Tensor;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;

/**
 * The tutorial's network (seed 004): flatten a 28×28 image, then 784 → 512 → ReLU → 512 → ReLU → 10
 * logits. Member names are PyTorch's, so a state file exported from the PyTorch model loads as is.
 */
public final class NeuralNetwork extends Module {
  private final Flatten flatten = registerModule("flatten", new Flatten());
  private final Sequential linearReluStack = registerModule("linear_relu_stack", new Sequential(
      new Linear(28 * 28, 512),
      new ReLU(),
      new Linear(512, 512),
      new ReLU(),
      new Linear(512, 10)));

  /** The network with PyTorch's default initialisation, drawn from the default generator. */
  public NeuralNetwork() {}

  @Override
  public Tensor forward(Tensor x) {
    x = flatten.forward(x);
    return linearReluStack.forward(x);
  }
}
