package dev.adjoint.samples.fashion;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * The tutorial's network (seed 004) as a {@code @Differentiable} module: the layers are fields, the
 * processor lists them at compile time ({@code CompiledNeuralNetworkDiff.MEMBERS}: parameters
 * {@code fc1.weight}, {@code fc1.bias}, ... in declaration order, no registration calls, no reflection),
 * and {@code CompiledNeuralNetworkDiff.forward(model, x)} runs the forward with one autograd node whose
 * backward is the generated code. {@code wrt = "this"} (Swift's {@code @differentiable(wrt: self)}):
 * the gradients are the parameters' only, so the backward skips the image batch's gradient, the costliest
 * product of the first layer; passing an input that requires grad is an error, not a lost gradient.
 * {@code model.forward(x)} called directly is the eager path (one node per operation); both give the same
 * numbers.
 */
public final class CompiledNeuralNetwork extends Module {
  final Flatten flatten = new Flatten();
  final Linear fc1 = new Linear(28 * 28, 512);
  final Linear fc2 = new Linear(512, 512);
  final Linear fc3 = new Linear(512, 10);

  /** The network with PyTorch's default initialisation, drawn from the default generator. */
  public CompiledNeuralNetwork() {
    super(CompiledNeuralNetworkDiff.MEMBERS);
  }

  @Differentiable(wrt = "this")
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = fc1.forward(flatten.forward(x)).relu();
    h = fc2.forward(h).relu();
    return fc3.forward(h);
  }
}
