package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import java.util.Arrays;

/**
 * Transposed convolution ({@code conv_transpose1d/2d}, issue 18), on the convolution's own kernels: the
 * transposed convolution of {@code x} with {@code weight} is the input gradient of the convolution (same
 * stride, padding, dilation, groups and weight) at upstream {@code x} — im2col's adjoint, col2im, on the GEMM —
 * so it is bit-identical whatever the thread split, as the convolution is. Its gradients are the convolution's
 * other two kernels: {@code ∂x = conv2d(g, W)} and {@code ∂W} the convolution's weight gradient with input
 * {@code g} and upstream {@code x}; {@code ∂b} sums {@code g} over all but the channels. The weight is
 * {@code (in, out/groups, kH, kW)} as PyTorch's.
 */
public final class ConvTransposeRules {
  private ConvTransposeRules() {}

  /** One value for both dimensions, or two. */
  private static int[] pair(String op, int[] v, String what) {
    if (v == null || v.length != 1 && v.length != 2) {
      throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 elements, got " + Arrays.toString(v));
    }
    return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
  }

  /** The output shape of {@code conv_transpose2d}, checking the arguments as PyTorch does. */
  private static int[] outShape2d(String op, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    if (weight.dim() != 4) {
      throw new IllegalArgumentException(op + ": expected weight to be 4-D (in_channels, out_channels/groups, kH, "
          + "kW), got shape " + Shapes.str(weight.shape()));
    }
    if (x.dim() != 4 && x.dim() != 3) {
      throw new IllegalArgumentException(op + ": Expected 3D (unbatched) or 4D (batched) input to " + op
          + ", but got input of size: " + Shapes.str(x.shape()));
    }
    if (groups <= 0) {
      throw new IllegalArgumentException(op + ": non-positive groups is not supported");
    }
    int c = x.size(x.dim() - 3);
    if (c != weight.size(0)) {
      throw new IllegalArgumentException(op + ": Given transposed=1, weight of size " + Shapes.str(weight.shape())
          + ", expected input" + Shapes.str(x.shape()) + " to have " + weight.size(0) + " channels, but got " + c
          + " channels instead");
    }
    if (c % groups != 0) {
      throw new IllegalArgumentException(op + ": in_channels (" + c + ") must be divisible by groups (" + groups
          + ")");
    }
    int[] s = pair(op, stride, "stride");
    int[] p = pair(op, padding, "padding");
    int[] op2 = pair(op, outputPadding, "output_padding");
    int[] d = pair(op, dilation, "dilation");
    int out = weight.size(1) * groups;
    if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
      throw new IllegalArgumentException(op + ": expected bias of shape [" + out + "], got "
          + Shapes.str(bias.shape()));
    }
    int[] shape = x.shape().clone();
    shape[shape.length - 3] = out;
    for (int k = 0; k < 2; k++) {
      if (s[k] <= 0 || d[k] <= 0 || p[k] < 0) {
        throw new IllegalArgumentException(op + ": stride and dilation must be positive, padding non-negative");
      }
      if (op2[k] < 0 || op2[k] >= Math.max(s[k], d[k])) {
        throw new IllegalArgumentException(op + ": output padding must be smaller than either stride or dilation, "
            + "but got output_padding=" + Arrays.toString(op2) + ", stride=" + Arrays.toString(s) + ", dilation="
            + Arrays.toString(d));
      }
      if (op2[k] >= s[k]) {
        // PyTorch allows output_padding < dilation too; the convolution's kernels here need it below the stride
        throw new IllegalArgumentException(op + ": output_padding " + Arrays.toString(op2) + " not smaller than "
            + "stride " + Arrays.toString(s) + " is not supported (use output_padding < stride)");
      }
      int in = x.size(x.dim() - 2 + k);
      int size = (in - 1) * s[k] - 2 * p[k] + d[k] * (weight.size(2 + k) - 1) + op2[k] + 1;
      if (size <= 0) {
        throw new IllegalArgumentException(op + ": the output size " + size + " is too small (input "
            + Shapes.str(x.shape()) + ", weight " + Shapes.str(weight.shape()) + ")");
      }
      shape[shape.length - 2 + k] = size;
    }
    return shape;
  }

  /**
   * {@code conv_transpose2d(x, weight, bias, stride, padding, outputPadding, groups, dilation)}: {@code x}
   * {@code (N, C, H, W)} or {@code (C, H, W)}, {@code weight} {@code (C, O/groups, kH, kW)}, {@code bias} {@code (O)}
   * or null; each of stride, padding, outputPadding and dilation has one element or two.
   */
  public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    int[] shape = outShape2d("conv_transpose2d", x, weight, bias, stride, padding, outputPadding, groups, dilation);
    Tensor like = Tensor.zeros(shape, x.dtype() == Tensor.DType.FLOAT64 || weight.dtype() == Tensor.DType.FLOAT64
        ? Tensor.DType.FLOAT64 : Tensor.DType.FLOAT32);
    Tensor y = ConvRules.grads2d(x, like, weight, null, stride, padding, dilation, groups).get(0);
    return bias == null ? y : ElementwiseRules.add(y, ShapeRules.reshape(bias, perChannel(bias, 2)));
  }

  /** {@code (O, 1, ..., 1)} with one 1 per spatial dimension: the bias broadcast over an output. */
  private static int[] perChannel(Tensor bias, int spatial) {
    int[] s = new int[spatial + 1];
    Arrays.fill(s, 1);
    s[0] = bias.numel();
    return s;
  }

  /**
   * PyTorch's node of {@code conv_transpose2d}: {@code ConvolutionBackward0}, and {@code SqueezeBackward1} for an
   * unbatched input (PyTorch adds the batch dimension and squeezes it away).
   */
  public static String convTranspose2dNode(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    return x.dim() == 3 ? "SqueezeBackward1" : "ConvolutionBackward0";
  }

  /** PyTorch's node of {@code conv_transpose1d}, as {@link #convTranspose2dNode}. */
  public static String convTranspose1dNode(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    return x.dim() == 2 ? "SqueezeBackward1" : "ConvolutionBackward0";
  }

  /** The adjoint of {@link #convTranspose2d}: ∂input, ∂weight, ∂bias (PyTorch's ConvolutionBackward0). */
  public static Grads convTranspose2dVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] padding, int[] outputPadding, int groups, int[] dilation) {
    return grads2d(g, x, weight, bias, stride, padding, groups, dilation);
  }

  /** The gradients of {@link #convTranspose2d}, each computed on first read. */
  public static Grads grads2d(Tensor g, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int groups,
      int[] dilation) {
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> ConvRules.conv2d(g, weight, null, stride, padding, dilation, groups);
      case 1 -> ConvRules.grads2d(x, g, weight, null, stride, padding, dilation, groups).get(1);
      default -> bias == null ? null : biasGrad(g, 2);
    });
  }

  /** {@code g} summed over all dimensions but the channels ({@code spatial} trailing dimensions after them). */
  static Tensor biasGrad(Tensor g, int spatial) {
    int channel = g.dim() - spatial - 1;
    int[] dims = new int[g.dim() - 1];
    for (int k = 0, j = 0; k < g.dim(); k++) {
      if (k != channel) {
        dims[j++] = k;
      }
    }
    return ReductionRules.sum(g, dims, false);
  }

  /** The tangent of {@link #convTranspose2d}, bilinear: {@code convT(ẋ, W) + convT(x, Ẇ) + ḃ}; null tangents are zero. */
  public static Tensor convTranspose2dTangent(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight,
      int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
    Tensor byX = tx == null ? null : convTranspose2d(tx, weight, null, stride, padding, outputPadding, groups,
        dilation);
    Tensor byW = tw == null ? null : convTranspose2d(x, tw, null, stride, padding, outputPadding, groups, dilation);
    return Jvps.plus(out, Jvps.plus(out, byX, byW), tb == null ? null : ShapeRules.reshape(tb, perChannel(tb, 2)));
  }

  /** The JVP of {@link #convTranspose2d}. */
  public static Tensor convTranspose2dJvp(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight,
      Tensor bias, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
    return convTranspose2dTangent(tx, tw, tb, out, x, weight, stride, padding, outputPadding, groups, dilation);
  }

  // ---- 1-d: the 2-d operation on a height of one

  private static int[] one(String op, int[] v, int fill, String what) {
    if (v == null || v.length != 1) {
      throw new IllegalArgumentException(op + ": " + what + " must have 1 element, got " + Arrays.toString(v));
    }
    return new int[] {fill, v[0]};
  }

  /** {@code t} with a height of one inserted before its last dimension. */
  private static Tensor as2d(Tensor t) {
    int[] s = t.shape();
    int[] s2 = Arrays.copyOf(s, s.length + 1);
    s2[s.length - 1] = 1;
    s2[s.length] = s[s.length - 1];
    return ShapeRules.reshape(t, s2);
  }

  /** {@code t} without the height of one before its last dimension. */
  private static Tensor as1d(Tensor t) {
    int[] s = t.shape();
    int[] s1 = Arrays.copyOf(s, s.length - 1);
    s1[s1.length - 1] = s[s.length - 1];
    return ShapeRules.reshape(t, s1);
  }

  private static void check1d(Tensor x, Tensor weight) {
    if (weight.dim() != 3) {
      throw new IllegalArgumentException("conv_transpose1d: expected weight to be 3-D (in_channels, "
          + "out_channels/groups, kW), got shape " + Shapes.str(weight.shape()));
    }
    if (x.dim() != 3 && x.dim() != 2) {
      throw new IllegalArgumentException("conv_transpose1d: Expected 2D (unbatched) or 3D (batched) input to "
          + "conv_transpose1d, but got input of size: " + Shapes.str(x.shape()));
    }
  }

  /** {@code conv_transpose1d(x, weight, bias, stride, padding, outputPadding, groups, dilation)}, one element each. */
  public static Tensor convTranspose1d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    String op = "conv_transpose1d";
    check1d(x, weight);
    return as1d(convTranspose2d(as2d(x), as2d(weight), bias, one(op, stride, 1, "stride"), one(op, padding, 0,
        "padding"), one(op, outputPadding, 0, "output_padding"), groups, one(op, dilation, 1, "dilation")));
  }

  /** The adjoint of {@link #convTranspose1d}. */
  public static Grads convTranspose1dVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] padding, int[] outputPadding, int groups, int[] dilation) {
    return grads1d(g, x, weight, bias, stride, padding, groups, dilation);
  }

  /** The gradients of {@link #convTranspose1d}: the 2-d ones, reshaped. */
  public static Grads grads1d(Tensor g, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int groups,
      int[] dilation) {
    String op = "conv_transpose1d";
    check1d(x, weight);
    Grads g2 = grads2d(as2d(g), as2d(x), as2d(weight), bias, one(op, stride, 1, "stride"), one(op, padding, 0,
        "padding"), groups, one(op, dilation, 1, "dilation"));
    return Grads.lazy(3, i -> {
      Tensor t = g2.get(i);
      return t == null || i == 2 ? t : as1d(t);
    });
  }

  /** The tangent of {@link #convTranspose1d}. */
  public static Tensor convTranspose1dTangent(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight,
      int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
    Tensor byX = tx == null ? null : convTranspose1d(tx, weight, null, stride, padding, outputPadding, groups,
        dilation);
    Tensor byW = tw == null ? null : convTranspose1d(x, tw, null, stride, padding, outputPadding, groups, dilation);
    return Jvps.plus(out, Jvps.plus(out, byX, byW), tb == null ? null : ShapeRules.reshape(tb, perChannel(tb, 1)));
  }

  /** The JVP of {@link #convTranspose1d}. */
  public static Tensor convTranspose1dJvp(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight,
      Tensor bias, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
    return convTranspose1dTangent(tx, tw, tb, out, x, weight, stride, padding, outputPadding, groups, dilation);
  }
}
