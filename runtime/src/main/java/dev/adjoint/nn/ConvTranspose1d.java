package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ConvTransposeRules;

/**
 * A 1-d transposed convolution layer ({@code torch.nn.ConvTranspose1d}): {@link F#convTranspose1d} with the
 * layer's weight {@code (in, out/groups, k)} and bias {@code (out)}. Stride, padding, output padding and
 * dilation are single numbers. Initialisation is PyTorch's: weight and bias uniform on
 * {@code ±1/√fanIn} with {@code fanIn = out/groups·k} (PyTorch computes the fan from the weight's second
 * dimension), drawn from an Adjoint {@link Generator}.
 */
public final class ConvTranspose1d extends Module {
  private final int inChannels;
  private final int outChannels;
  private final int[] kernelSize;
  final int[] stride;
  final int[] padding;
  final int[] outputPadding;
  final int groups;
  final int[] dilation;
  private final Tensor weight;
  private final Tensor bias;

  /** A layer with stride 1, no padding, bias; from the default generator. */
  public ConvTranspose1d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 0, 1, true, 1, Generator.defaultGenerator());
  }

  /** Every option, in PyTorch's order. */
  public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding,
      int groups, boolean bias, int dilation, Generator gen) {
    if (groups <= 0) {
      throw new IllegalArgumentException("ConvTranspose1d: groups must be a positive integer, got " + groups);
    }
    if (inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("ConvTranspose1d: in_channels (" + inChannels + ") and out_channels ("
          + outChannels + ") must be divisible by groups (" + groups + ")");
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = new int[] {kernelSize};
    this.stride = new int[] {stride};
    this.padding = new int[] {padding};
    this.outputPadding = new int[] {outputPadding};
    this.dilation = new int[] {dilation};
    this.groups = groups;
    int fanIn = outChannels / groups * kernelSize;
    double bound = 1 / Math.sqrt(fanIn);
    this.weight = registerParameter("weight", Init.uniform_(Tensor.zeros(inChannels, outChannels / groups,
        kernelSize), -bound, bound, gen));
    this.bias = bias ? registerParameter("bias", Init.uniform_(Tensor.zeros(outChannels), -bound, bound, gen)) : null;
  }

  private static final Row FORWARD = Row.of(ConvTranspose1d.class, "forward", Tensor.class);

  /** {@code conv_transpose1d(x, weight, bias, stride, padding, output_padding, groups, dilation)}. */
  @Override
  @Primitive(rules = ConvTranspose1d.class, vjp = "forwardVjp", node = "ConvolutionBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ConvTransposeRules.convTranspose1d(x, weight, bias, stride, padding, outputPadding, groups,
        dilation), this, x, weight, bias);
  }

  /** The adjoint of {@link #forward}: {@code convTranspose1d}'s, the module a first, non-differentiable input. */
  public static Grads forwardVjp(Tensor g, Tensor out, ConvTranspose1d self, Tensor x, Tensor weight, Tensor bias) {
    Grads c = ConvTransposeRules.grads1d(g, x, weight, bias, self.stride, self.padding, self.groups, self.dilation);
    return Grads.lazy(4, i -> i == 0 ? null : c.get(i - 1));
  }

  /** The JVP of {@link #forward}: {@code convT(ẋ, W) + convT(x, Ẇ) + ḃ}; null tangents are zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, ConvTranspose1d self, Tensor x,
      Tensor weight, Tensor bias) {
    return ConvTransposeRules.convTranspose1dTangent(tX, tWeight, tBias, out, x, weight, self.stride, self.padding,
        self.outputPadding, self.groups, self.dilation);
  }

  /** The weight, {@code (in, out/groups, k)}. */
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
        .append(", kernel_size=").append(Conv2d.tuple(kernelSize)).append(", stride=").append(Conv2d.tuple(stride));
    if (padding[0] != 0) {
      s.append(", padding=").append(Conv2d.tuple(padding));
    }
    if (outputPadding[0] != 0) {
      s.append(", output_padding=").append(Conv2d.tuple(outputPadding));
    }
    if (dilation[0] != 1) {
      s.append(", dilation=").append(Conv2d.tuple(dilation));
    }
    if (groups != 1) {
      s.append(", groups=").append(groups);
    }
    if (bias == null) {
      s.append(", bias=False");
    }
    return s.toString();
  }
}
