package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ConvTransposeRules;

/**
 * A 2-d transposed convolution layer ({@code torch.nn.ConvTranspose2d}): {@link F#convTranspose2d} with the
 * layer's weight {@code (in, out/groups, kH, kW)} and bias {@code (out)}. Stride, padding, output padding and
 * dilation have one element (both dimensions) or two. Initialisation is PyTorch's: weight and bias uniform on
 * {@code ±1/√fanIn} with {@code fanIn = out/groups·kH·kW} (PyTorch computes the fan from the weight's second
 * dimension), drawn from an Adjoint {@link Generator}.
 */
public final class ConvTranspose2d extends Module {
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

  /** A layer with a square kernel, stride 1, no padding, bias; from the default generator. */
  public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, new int[] {kernelSize}, new int[] {1}, new int[] {0}, new int[] {0}, 1, true,
        new int[] {1}, Generator.defaultGenerator());
  }

  /** A layer with a square kernel and the given stride, padding and output padding, bias; default generator. */
  public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding,
      int outputPadding) {
    this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding},
        new int[] {outputPadding}, 1, true, new int[] {1}, Generator.defaultGenerator());
  }

  /** Every option, in PyTorch's order. */
  public ConvTranspose2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
      int[] outputPadding, int groups, boolean bias, int[] dilation, Generator gen) {
    if (groups <= 0) {
      throw new IllegalArgumentException("ConvTranspose2d: groups must be a positive integer, got " + groups);
    }
    if (inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("ConvTranspose2d: in_channels (" + inChannels + ") and out_channels ("
          + outChannels + ") must be divisible by groups (" + groups + ")");
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = Conv2d.pair(kernelSize, "kernel_size");
    this.stride = Conv2d.pair(stride, "stride");
    this.padding = Conv2d.pair(padding, "padding");
    this.outputPadding = Conv2d.pair(outputPadding, "output_padding");
    this.dilation = Conv2d.pair(dilation, "dilation");
    this.groups = groups;
    int fanIn = outChannels / groups * this.kernelSize[0] * this.kernelSize[1];
    double bound = 1 / Math.sqrt(fanIn);
    this.weight = registerParameter("weight", Init.uniform_(Tensor.zeros(inChannels, outChannels / groups,
        this.kernelSize[0], this.kernelSize[1]), -bound, bound, gen));
    this.bias = bias ? registerParameter("bias", Init.uniform_(Tensor.zeros(outChannels), -bound, bound, gen)) : null;
  }

  private static final Row FORWARD = Row.of(ConvTranspose2d.class, "forward", Tensor.class);

  /** {@code conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups, dilation)}. */
  @Override
  @Primitive(rules = ConvTranspose2d.class, vjp = "forwardVjp", node = "ConvolutionBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(ConvTransposeRules.convTranspose2d(x, weight, bias, stride, padding, outputPadding, groups,
        dilation), this, x, weight, bias);
  }

  /** The adjoint of {@link #forward}: {@code convTranspose2d}'s, the module a first, non-differentiable input. */
  public static Grads forwardVjp(Tensor g, Tensor out, ConvTranspose2d self, Tensor x, Tensor weight, Tensor bias) {
    Grads c = ConvTransposeRules.grads2d(g, x, weight, bias, self.stride, self.padding, self.groups, self.dilation);
    return Grads.lazy(4, i -> i == 0 ? null : c.get(i - 1));
  }

  /** The JVP of {@link #forward}: {@code convT(ẋ, W) + convT(x, Ẇ) + ḃ}; null tangents are zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, ConvTranspose2d self, Tensor x,
      Tensor weight, Tensor bias) {
    return ConvTransposeRules.convTranspose2dTangent(tX, tWeight, tBias, out, x, weight, self.stride, self.padding,
        self.outputPadding, self.groups, self.dilation);
  }

  /** The weight, {@code (in, out/groups, kH, kW)}. */
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
    if (padding[0] != 0 || padding[1] != 0) {
      s.append(", padding=").append(Conv2d.tuple(padding));
    }
    if (outputPadding[0] != 0 || outputPadding[1] != 0) {
      s.append(", output_padding=").append(Conv2d.tuple(outputPadding));
    }
    if (dilation[0] != 1 || dilation[1] != 1) {
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
