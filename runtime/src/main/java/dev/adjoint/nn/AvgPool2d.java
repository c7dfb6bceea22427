package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.PoolRules;

/** 2-d average pooling ({@code torch.nn.AvgPool2d}): {@link F#avgPool2d} with the module's options. */
public final class AvgPool2d extends Module {
  final int[] kernelSize;
  final int[] stride;
  final int[] padding;
  final boolean ceilMode;
  final boolean countIncludePad;

  /** A square window, stride the window, no padding. */
  public AvgPool2d(int kernelSize) {
    this(new int[] {kernelSize}, new int[0], new int[] {0}, false, true);
  }

  /** Every option; an empty {@code stride} is the kernel size. */
  public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
    this.kernelSize = kernelSize.clone();
    this.stride = stride.length == 0 ? kernelSize.clone() : stride.clone();
    this.padding = padding.clone();
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
  }

  private static final Row FORWARD = Row.of(AvgPool2d.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = AvgPool2d.class, vjp = "forwardVjp", node = "AvgPool2DBackward0", reads = {1})
  public Tensor forward(Tensor x) {
    return FORWARD.record(PoolRules.avgPool2d(x, kernelSize, stride, padding, ceilMode, countIncludePad), this, x);
  }

  /** The adjoint of {@link #forward}: {@code avgPool2d}'s; the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, AvgPool2d self, Tensor x) {
    return Grads.of(null, PoolRules.avgPool2dVjp(g, out, x, self.kernelSize, self.stride, self.padding,
        self.ceilMode, self.countIncludePad).get(0));
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + MaxPool2d.one(kernelSize) + ", stride=" + MaxPool2d.one(stride) + ", padding="
        + MaxPool2d.one(padding);
  }
}
