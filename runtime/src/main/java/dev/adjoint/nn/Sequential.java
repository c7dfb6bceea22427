package dev.adjoint.nn;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
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
    for (int i = 0; i < layers.size(); i++) {
      Module m = layers.get(i);
      if (fuse && m instanceof Linear lin && i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU relu
          && !lin.hasHooks() && !relu.hasHooks()) {
        y = lin.forwardRelu(y); // nothing is recorded: the relu runs in place on the fresh linear output
        i++;
      } else {
        y = m.call(y);
      }
    }
    return y;
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
