package dev.adjoint.nn;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.BufferPool;
import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied in order ({@code torch.nn.Sequential}); the children are named {@code "0"},
 * {@code "1"}, ... as in PyTorch, so their parameters are {@code "0.weight"}, {@code "2.bias"}, ...
 *
 * <p>Under no-grad, a {@link Linear} directly followed by a {@link ReLU} runs as one fused step (the relu
 * in place on the linear layer's fresh output; same bits, one pass and one array less).
 */
public final class Sequential extends Module {
  private final List<Module> layers = new ArrayList<>();

  /** The layers, applied first to last. */
  public Sequential(Module... layers) {
    for (Module m : layers) {
      this.layers.add(registerModule(Integer.toString(this.layers.size()), m));
    }
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor y = x;
    boolean fuse = !Autograd.isGradEnabled();
    boolean pool = !hasHooks();
    Module madeBy = null; // the layer that made y; null while y is the caller's
    for (int i = 0; i < layers.size(); i++) {
      Module m = layers.get(i);
      Tensor in = y;
      Module last;
      if (fuse && m instanceof Linear lin && i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU relu
          && !lin.hasHooks() && !relu.hasHooks()) {
        y = lin.forwardRelu(y); // nothing is recorded: the relu runs in place on the fresh linear output
        i++;
        last = relu;
      } else {
        y = m.call(y);
        last = m;
      }
      if (pool && madeBy != null && plain(madeBy) && plain(m)) {
        // an activation between two plain layers: no user code can reach it, its array can be reused
        BufferPool.activation(in, y);
      }
      madeBy = last;
    }
    return y;
  }

  /**
   * Whether {@code m} is a library layer that makes a fresh output, keeps no reference to its input beyond its
   * node's saved tensors, and has no hooks: the activation between two such layers is the container's alone.
   */
  private static boolean plain(Module m) {
    Class<?> c = m.getClass();
    return (c == Linear.class || c == ReLU.class || c == Tanh.class || c == Sigmoid.class) && !m.hasHooks();
  }

  /** Layer {@code i}. */
  public Module get(int i) {
    return layers.get(i);
  }

  /** The number of layers. */
  public int size() {
    return layers.size();
  }
}
