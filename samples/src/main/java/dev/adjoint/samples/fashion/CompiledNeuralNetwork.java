package dev.adjoint.samples.fashion;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tutorial's network (seed 004) as a {@code @Differentiable} module: the layers are fields, the
 * processor lists them at compile time ({@code CompiledNeuralNetworkDiff.MEMBERS}: parameters
 * {@code fc1.weight}, {@code fc1.bias}, ... in declaration order, no registration calls, no reflection) and
 * writes the backward of {@link #logits}. {@link #forward} runs it through the generated code
 * ({@code CompiledNeuralNetworkDiff.logits}: one autograd node whose backward is generated Java), so code
 * written for any {@code Module} (the sample's train loop, an optimizer over {@code parameters()}) uses
 * the generated backward without knowing it; {@code logits(x)} called directly is the eager path (one
 * node per operation) and gives the same numbers.
 *
 * <p>{@code wrt = "this"} (Swift's {@code @differentiable(wrt: self)}): the gradients are the parameters'
 * only, so the backward skips the image batch's gradient, the costliest product of the first layer; an
 * input that requires grad is an error, not a lost gradient.
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

  /**
   * Loads a state file written with PyTorch's member names ({@code linear_relu_stack.0.weight}, what
   * {@link NeuralNetwork} and the goldens script use) into the fields ({@code fc1.weight}).
   */
  public void loadPyTorchState(Path file) throws IOException {
    Map<String, Tensor> renamed = new LinkedHashMap<>();
    StateDict.load(file).forEach((k, v) -> renamed.put(k.replace("linear_relu_stack.0.", "fc1.")
        .replace("linear_relu_stack.2.", "fc2.").replace("linear_relu_stack.4.", "fc3."), v));
    loadStateDict(renamed);
  }

  /** The logits, through the generated code. */
  @Override
  public Tensor forward(Tensor x) {
    return CompiledNeuralNetworkDiff.logits(this, x);
  }

  /** The logits of a batch of images: what the processor differentiates. */
  @Differentiable(wrt = "this")
  @Shape("B, 10")
  public Tensor logits(@Shape("B, 1, 28, 28") Tensor x) {
    Tensor h = fc1.forward(flatten.forward(x)).relu();
    h = fc2.forward(h).relu();
    return fc3.forward(h);
  }
}
