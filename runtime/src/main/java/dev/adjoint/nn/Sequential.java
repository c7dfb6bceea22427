package dev.adjoint.nn;

import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied in order ({@code torch.nn.Sequential}); the children are named {@code "0"},
 * {@code "1"}, ... as in PyTorch, so their parameters are {@code "0.weight"}, {@code "2.bias"}, ...
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
    for (Module m : layers) {
      y = m.forward(y);
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
