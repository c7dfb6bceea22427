package dev.adjoint.samples.autograd;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;

/**
 * The tutorial's {@code NeuralNetwork}: {@code Linear → ReLU → Linear → ReLU → Linear}, written out with
 * plain tensors. Weights are stored as {@code [out, in]} like {@code nn.Linear}'s, and {@link #parameters()}
 * lists them in PyTorch's order ({@code w1, b1, w2, b2, w3, b3}), so {@code parameters().get(3)} is the
 * seed's {@code list(model.parameters())[3]}, the bias of the second layer.
 */
public final class Mlp {
  private final List<Tensor> parameters;

  /** A network with the given parameters ({@code w1 [hidden, in], b1 [hidden], w2, b2, w3 [out, hidden], b3}). */
  public Mlp(List<Tensor> parameters) {
    if (parameters.size() != 6) {
      throw new IllegalArgumentException("Mlp: expected 6 parameters (3 weights, 3 biases), got "
          + parameters.size());
    }
    this.parameters = List.copyOf(parameters);
    for (Tensor p : this.parameters) {
      p.requiresGrad(true);
    }
  }

  /**
   * {@code nIn → nHidden → nHidden → nOut}, initialised as {@code nn.Linear} does: weights and biases uniform
   * in {@code ±1/sqrt(fan_in)}, drawn from {@code generator}.
   */
  public static Mlp init(int nIn, int nHidden, int nOut, Generator generator) {
    return new Mlp(List.of(uniform(generator, nIn, nHidden, nIn), uniform(generator, nIn, nHidden),
        uniform(generator, nHidden, nHidden, nHidden), uniform(generator, nHidden, nHidden),
        uniform(generator, nHidden, nOut, nHidden), uniform(generator, nHidden, nOut)));
  }

  private static Tensor uniform(Generator generator, int fanIn, int... shape) {
    double bound = 1 / Math.sqrt(fanIn);
    return Tensor.rand(generator, shape).mul(2 * bound).sub(bound);
  }

  /** The parameters in PyTorch's order; each requires grad. */
  public List<Tensor> parameters() {
    return parameters;
  }

  /** The logits for one flattened sample {@code x [in]}: a vector {@code [out]}. */
  public Tensor forward(Tensor x) {
    Tensor h = linear(x, 0).relu();
    h = linear(h, 2).relu();
    return linear(h, 4);
  }

  private Tensor linear(Tensor x, int i) {
    return parameters.get(i).matmul(x).add(parameters.get(i + 1));
  }
}
