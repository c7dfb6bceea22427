package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ConvRules;
import java.util.Arrays;

/**
 * A 2-d convolution layer ({@code torch.nn.Conv2d}): {@link F#conv2d} with the layer's weight
 * {@code (out, in/groups, kH, kW)} and bias {@code (out)}. Stride, dilation and (symmetric) padding have one
 * element (both dimensions) or two; padding may also be {@code "same"} or {@code "valid"}. Initialisation is
 * PyTorch's: weight and bias uniform on {@code ±1/√fanIn}, {@code fanIn = in/groups·kH·kW}, drawn from an
 * Adjoint {@link Generator} (load a state file to start from PyTorch's exact numbers).
 */
public final class Conv2d extends Module {
  private final int inChannels;
  private final int outChannels;
  private final int[] kernelSize;
  final int[] stride;
  final Object padding;
  final int[] dilation;
  final int groups;
  private final Tensor weight;
  private final Tensor bias;

  /** A layer with a square kernel, stride 1, no padding, bias; from the default generator. */
  public Conv2d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, new int[] {kernelSize}, new int[] {1}, new int[] {0}, new int[] {1}, 1, true,
        Generator.defaultGenerator());
  }

  /** A layer with a square kernel, the given stride and padding, bias; from the default generator. */
  public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1,
        true, Generator.defaultGenerator());
  }

  /** Every option, explicit padding. */
  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      int groups, boolean bias, Generator gen) {
    this(inChannels, outChannels, kernelSize, stride, (Object) padding.clone(), dilation, groups, bias, gen);
  }

  /** Every option, padding {@code "same"} or {@code "valid"}. */
  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation,
      int groups, boolean bias, Generator gen) {
    this(inChannels, outChannels, kernelSize, stride, (Object) padding, dilation, groups, bias, gen);
  }

  private Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, Object padding, int[] dilation,
      int groups, boolean bias, Generator gen) {
    if (groups <= 0) {
      throw new IllegalArgumentException("Conv2d: groups must be a positive integer, got " + groups);
    }
    if (inChannels % groups != 0) {
      throw new IllegalArgumentException("Conv2d: in_channels must be divisible by groups (" + inChannels + ", "
          + groups + ")");
    }
    if (outChannels % groups != 0) {
      throw new IllegalArgumentException("Conv2d: out_channels must be divisible by groups (" + outChannels + ", "
          + groups + ")");
    }
    if (padding instanceof String s && s.equals("same") && Arrays.stream(stride).anyMatch(v -> v != 1)) {
      throw new IllegalArgumentException("Conv2d: padding='same' is not supported for strided convolutions");
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, "kernel_size");
    this.stride = pair(stride, "stride");
    this.padding = padding instanceof int[] p ? pair(p, "padding") : padding;
    this.dilation = pair(dilation, "dilation");
    this.groups = groups;
    int fanIn = inChannels / groups * this.kernelSize[0] * this.kernelSize[1];
    double bound = 1 / Math.sqrt(fanIn);
    this.weight = registerParameter("weight", Init.uniform_(Tensor.zeros(outChannels, inChannels / groups,
        this.kernelSize[0], this.kernelSize[1]), -bound, bound, gen));
    this.bias = bias ? registerParameter("bias", Init.uniform_(Tensor.zeros(outChannels), -bound, bound, gen)) : null;
  }

  static int[] pair(int[] v, String what) {
    if (v == null || (v.length != 1 && v.length != 2)) {
      throw new IllegalArgumentException(what + " must have 1 or 2 elements, got " + Arrays.toString(v));
    }
    return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
  }

  private static final Row FORWARD = Row.of(Conv2d.class, "forward", Tensor.class);

  /** {@code conv2d(x, weight, bias, stride, padding, dilation, groups)}. */
  @Override
  @Primitive(rules = Conv2d.class, vjp = "forwardVjp", node = "ConvolutionBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ConvRules.conv2d(x, weight, bias, stride, padding, dilation, groups), this, x, weight,
        bias);
  }

  /** The adjoint of {@link #forward}: {@code conv2d}'s, with the module as a first, non-differentiable input. */
  public static Grads forwardVjp(Tensor g, Tensor out, Conv2d self, Tensor x, Tensor weight, Tensor bias) {
    Grads c = ConvRules.grads2d(g, x, weight, bias, self.stride, self.padding, self.dilation, self.groups);
    return Grads.lazy(4, i -> i == 0 ? null : c.get(i - 1));
  }

  /** The JVP of {@link #forward}: {@code conv(ẋ, W) + conv(x, Ẇ) + ḃ}; null tangents are zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, Conv2d self, Tensor x,
      Tensor weight, Tensor bias) {
    return ConvRules.conv2dTangent(tX, tWeight, tBias, out, x, weight, self.stride, self.padding, self.dilation,
        self.groups);
  }

  /** The weight, {@code (out, in/groups, kH, kW)}. */
  public Tensor weight() {
    return weight;
  }

  /** The bias, {@code (out)}, or null. */
  public Tensor bias() {
    return bias;
  }

  /** Input channels. */
  public int inChannels() {
    return inChannels;
  }

  /** Output channels. */
  public int outChannels() {
    return outChannels;
  }

  @Override
  protected String extraRepr() {
    StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
        .append(", kernel_size=").append(tuple(kernelSize)).append(", stride=").append(tuple(stride));
    if (padding instanceof String p) {
      s.append(", padding=").append(p);
    } else if (((int[]) padding)[0] != 0 || ((int[]) padding)[1] != 0) {
      s.append(", padding=").append(tuple((int[]) padding));
    }
    if (dilation[0] != 1 || dilation[1] != 1) {
      s.append(", dilation=").append(tuple(dilation));
    }
    if (groups != 1) {
      s.append(", groups=").append(groups);
    }
    if (bias == null) {
      s.append(", bias=False");
    }
    return s.toString();
  }

  static String tuple(int... v) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return s.append(v.length == 1 ? ",)" : ")").toString();
  }
}
