package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ConvRules;

/**
 * A 1-d convolution layer ({@code torch.nn.Conv1d}) on {@code (N, C, L)} or {@code (C, L)}: {@link F#conv1d}
 * with weight {@code (out, in/groups, k)} and bias {@code (out)}, a thin wrapper of the 2-d convolution on a
 * height of 1. Initialisation as {@link Conv2d}.
 */
public final class Conv1d extends Module {
  private final int inChannels;
  private final int outChannels;
  private final int kernelSize;
  final int[] stride;
  final Object padding;
  final int[] dilation;
  final int groups;
  private final Tensor weight;
  private final Tensor bias;

  /** Stride 1, no padding, bias; from the default generator. */
  public Conv1d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, (Object) new int[] {0}, 1, 1, true, Generator.defaultGenerator());
  }

  /** Every option, explicit padding. */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
      boolean bias, Generator gen) {
    this(inChannels, outChannels, kernelSize, stride, (Object) new int[] {padding}, dilation, groups, bias, gen);
  }

  /** Every option, padding {@code "same"} or {@code "valid"}. */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding, int dilation,
      int groups, boolean bias, Generator gen) {
    this(inChannels, outChannels, kernelSize, stride, (Object) padding, dilation, groups, bias, gen);
  }

  private Conv1d(int inChannels, int outChannels, int kernelSize, int stride, Object padding, int dilation,
      int groups, boolean bias, Generator gen) {
    if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("Conv1d: in_channels (" + inChannels + ") and out_channels ("
          + outChannels + ") must be divisible by groups (" + groups + ")");
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = new int[] {stride};
    this.padding = padding;
    this.dilation = new int[] {dilation};
    this.groups = groups;
    double bound = 1 / Math.sqrt(inChannels / groups * kernelSize);
    this.weight = registerParameter("weight", Init.uniform_(Tensor.zeros(outChannels, inChannels / groups,
        kernelSize), -bound, bound, gen));
    this.bias = bias ? registerParameter("bias", Init.uniform_(Tensor.zeros(outChannels), -bound, bound, gen)) : null;
  }

  private static final Row FORWARD = Row.of(Conv1d.class, "forward", Tensor.class);

  /** {@code conv1d(x, weight, bias, stride, padding, dilation, groups)}. */
  @Override
  @Primitive(rules = Conv1d.class, vjp = "forwardVjp", node = "ConvolutionBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ConvRules.conv1d(x, weight, bias, stride, padding, dilation, groups), this, x, weight,
        bias);
  }

  /** The adjoint of {@link #forward}: {@code conv1d}'s, with the module as a first, non-differentiable input. */
  public static Grads forwardVjp(Tensor g, Tensor out, Conv1d self, Tensor x, Tensor weight, Tensor bias) {
    Grads c = ConvRules.grads1d(g, x, weight, bias, self.stride, self.padding, self.dilation, self.groups);
    return Grads.lazy(4, i -> i == 0 ? null : c.get(i - 1));
  }

  /** The JVP of {@link #forward}: {@code conv(ẋ, W) + conv(x, Ẇ) + ḃ}; null tangents are zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, Conv1d self, Tensor x,
      Tensor weight, Tensor bias) {
    return ConvRules.conv1dTangent(tX, tWeight, tBias, out, x, weight, self.stride, self.padding, self.dilation,
        self.groups);
  }

  /** The weight, {@code (out, in/groups, k)}. */
  public Tensor weight() {
    return weight;
  }

  /** The bias, {@code (out)}, or null. */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected String extraRepr() {
    return inChannels + ", " + outChannels + ", kernel_size=(" + kernelSize + ",), stride=(" + stride[0] + ",)"
        + (padding instanceof String p ? ", padding=" + p
            : ((int[]) padding)[0] != 0 ? ", padding=(" + ((int[]) padding)[0] + ",)" : "")
        + (dilation[0] != 1 ? ", dilation=(" + dilation[0] + ",)" : "") + (groups != 1 ? ", groups=" + groups : "")
        + (bias == null ? ", bias=False" : "");
  }
}
