package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.PoolRules;

/** Adaptive 2-d average pooling to a fixed output size ({@code torch.nn.AdaptiveAvgPool2d}). */
public final class AdaptiveAvgPool2d extends Module {
  final int[] outputSize;

  /** A square output, {@code size × size}. */
  public AdaptiveAvgPool2d(int size) {
    this(new int[] {size});
  }

  /** Output {@code (oh, ow)}, or one element for both. */
  public AdaptiveAvgPool2d(int[] outputSize) {
    this.outputSize = outputSize.clone();
  }

  private static final Row FORWARD = Row.of(AdaptiveAvgPool2d.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = AdaptiveAvgPool2d.class, vjp = "forwardVjp", node = "AdaptiveAvgPool2DBackward0", reads = {1})
  public Tensor forward(Tensor x) {
    return FORWARD.record(PoolRules.adaptiveAvgPool2d(x, outputSize), this, x);
  }

  /** The adjoint of {@link #forward}: {@code adaptiveAvgPool2d}'s; the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, AdaptiveAvgPool2d self, Tensor x) {
    return Grads.of(null, PoolRules.adaptiveAvgPool2dVjp(g, out, x, self.outputSize).get(0));
  }

  @Override
  protected String extraRepr() {
    return "output_size=" + MaxPool2d.one(outputSize);
  }
}
