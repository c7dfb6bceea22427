package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.PoolRules;

/** 2-d max pooling ({@code torch.nn.MaxPool2d}): {@link F#maxPool2d} with the module's options. */
public final class MaxPool2d extends Module {
  final int[] kernelSize;
  final int[] stride;
  final int[] padding;
  final int[] dilation;
  final boolean ceilMode;

  /** A square window, stride the window, no padding. */
  public MaxPool2d(int kernelSize) {
    this(new int[] {kernelSize}, new int[0], new int[] {0}, new int[] {1}, false);
  }

  /** A square window with the given stride and padding. */
  public MaxPool2d(int kernelSize, int stride, int padding) {
    this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
  }

  /** Every option; an empty {@code stride} is the kernel size. */
  public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    this.kernelSize = kernelSize.clone();
    this.stride = stride.length == 0 ? kernelSize.clone() : stride.clone();
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.ceilMode = ceilMode;
  }

  private static final Row FORWARD = Row.of(MaxPool2d.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = MaxPool2d.class, vjp = "forwardVjp", node = "MaxPool2DWithIndicesBackward0",
      reads = {1, Primitive.OUT})
  public Tensor forward(Tensor x) {
    return FORWARD.record(PoolRules.maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode), this, x);
  }

  /**
   * The pooled values and the flat index of each maximum in its input plane, PyTorch's {@code return_indices=True}
   * ({@code MaxUnpool2d}'s input): {@link F#maxPool2dWithIndices} with the module's options. The values are
   * {@link #forward}'s, with its gradient; the indices are INT64 and carry none.
   */
  public Tensor.ValuesIndices forwardWithIndices(Tensor x) {
    return F.maxPool2dWithIndices(x, kernelSize, stride, padding, dilation, ceilMode);
  }

  /** The adjoint of {@link #forward}: {@code maxPool2d}'s; the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, MaxPool2d self, Tensor x) {
    return Grads.of(null, PoolRules.maxPool2dVjp(g, out, x, self.kernelSize, self.stride, self.padding,
        self.dilation, self.ceilMode).get(0));
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + one(kernelSize) + ", stride=" + one(stride) + ", padding=" + one(padding)
        + ", dilation=" + one(dilation) + ", ceil_mode=" + (ceilMode ? "True" : "False");
  }

  static String one(int[] v) {
    return v.length == 1 ? Integer.toString(v[0]) : Conv2d.tuple(v);
  }
}
