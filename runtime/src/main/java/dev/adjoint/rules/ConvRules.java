package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Convolutions ({@code conv1d}, {@code conv2d}) as im2col followed by the kernels' GEMM, forward and adjoint
 * together (PyTorch's {@code ConvolutionBackward0}).
 *
 * <p><b>Layout.</b> The whole batch is unfolded at once into a column matrix {@code cols} of
 * {@code C·kh·kw} rows (channel-major, so each group's rows are contiguous) and {@code N·OH·OW} columns
 * (sample-major), and each group is one product {@code W_g (O/G × K) · cols_g (K × N·OH·OW)}: one large GEMM
 * per group rather than one small one per sample, so the products split well over the gang. The result is
 * then transposed to {@code (N, O, OH, OW)} with the bias added. The adjoint is three products:
 * {@code ∂W_g = gP_g · cols_gᵀ}, {@code ∂cols_g = W_gᵀ · gP_g} (then col2im), {@code ∂b = Σ g}, where
 * {@code gP} is the upstream gradient in the column layout. {@code cols} is recomputed from the input in
 * the backward (the row reads the input and the weight, as PyTorch's node saves {@code input} and
 * {@code weight}).
 *
 * <p><b>Threads.</b> im2col splits its rows and col2im its input channels over the kernels' gang
 * ({@link Kernels#parallelFor}); each part writes its own memory in a fixed order, and the GEMM is
 * bit-identical whatever its split, so the results do not depend on the number of threads.
 *
 * <p><b>Padding.</b> Explicit padding is symmetric, {@code (ph, pw)}; {@code "same"} pads
 * {@code d·(k-1)} in total per dimension, half of it (rounded down) before and the rest after, as PyTorch
 * (stride 1 only); {@code "valid"} is no padding.
 */
public final class ConvRules {
  private ConvRules() {}

  /** The geometry of one 2-d convolution, with padding before ({@code pt}, {@code pl}) and output sizes. */
  record Geom(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw,
      int groups, int oh, int ow, boolean batched) {
    int cg() {
      return c / groups;
    }

    int og() {
      return o / groups;
    }

    /** Rows of one group's block of the column matrix. */
    int k() {
      return cg() * kh * kw;
    }

    /** Columns of the column matrix. */
    int np() {
      return n * oh * ow;
    }

    int[] outShape() {
      return batched ? new int[] {n, o, oh, ow} : new int[] {o, oh, ow};
    }
  }

  private static int pick(int[] v, int i, String what, String op) {
    if (v == null || (v.length != 1 && v.length != 2)) {
      throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 elements, got "
          + (v == null ? "null" : Arrays.toString(v)));
    }
    return v.length == 1 ? v[0] : v[i];
  }

  /** Checks the shapes and works out the geometry; {@code padding} is {@code int[]} or a String. */
  static Geom geom(String op, Tensor x, Tensor weight, Tensor bias, int[] stride, Object padding, int[] dilation,
      int groups) {
    if (weight.dim() != 4) {
      throw new IllegalArgumentException(op + ": expected a 4-dimensional weight (out_channels, "
          + "in_channels/groups, kH, kW), got shape " + Shapes.str(weight.shape()));
    }
    int[] ws = weight.shape();
    if (x.dim() != 4 && x.dim() != 3) {
      throw new IllegalArgumentException(op + ": Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
          + "input of size: " + Shapes.str(x.shape()));
    }
    boolean batched = x.dim() == 4;
    int[] xs = batched ? x.shape() : new int[] {1, x.shape()[0], x.shape()[1], x.shape()[2]};
    if (groups <= 0) {
      throw new IllegalArgumentException(op + ": non-positive groups is not supported, got " + groups);
    }
    if (ws[0] % groups != 0) {
      throw new IllegalArgumentException(op + ": Given groups=" + groups + ", expected weight to be divisible by "
          + groups + " at dimension 0, but got weight of size " + Shapes.str(ws) + " instead");
    }
    if (xs[1] != ws[1] * groups) {
      throw new IllegalArgumentException(op + ": Given groups=" + groups + ", weight of size " + Shapes.str(ws)
          + ", expected input" + Shapes.str(x.shape()) + " to have " + ws[1] * groups + " channels, but got "
          + xs[1] + " channels instead");
    }
    if (bias != null && (bias.dim() != 1 || bias.shape()[0] != ws[0])) {
      throw new IllegalArgumentException(op + ": Given weight of size " + Shapes.str(ws)
          + ", expected bias to be 1-dimensional with " + ws[0] + " elements, but got bias of size "
          + Shapes.str(bias.shape()) + " instead");
    }
    int sh = pick(stride, 0, "stride", op);
    int sw = pick(stride, 1, "stride", op);
    int dh = pick(dilation, 0, "dilation", op);
    int dw = pick(dilation, 1, "dilation", op);
    if (sh <= 0 || sw <= 0) {
      throw new IllegalArgumentException(op + ": non-positive stride is not supported, got "
          + Arrays.toString(stride));
    }
    if (dh <= 0 || dw <= 0) {
      throw new IllegalArgumentException(op + ": dilation should be greater than zero, got "
          + Arrays.toString(dilation));
    }
    int kh = ws[2];
    int kw = ws[3];
    int pt;
    int pb;
    int pl;
    int pr;
    if (padding instanceof String s) {
      if (s.equals("valid")) {
        pt = pb = pl = pr = 0;
      } else if (s.equals("same")) {
        if (sh != 1 || sw != 1) {
          throw new IllegalArgumentException(op + ": padding='same' is not supported for strided convolutions");
        }
        int th = dh * (kh - 1);
        int tw = dw * (kw - 1);
        pt = th / 2;
        pb = th - pt;
        pl = tw / 2;
        pr = tw - pl;
      } else {
        throw new IllegalArgumentException(op + ": Invalid padding string: '" + s
            + "', expected one of 'valid', 'same'");
      }
    } else {
      int[] p = (int[]) padding;
      pt = pb = pick(p, 0, "padding", op);
      pl = pr = pick(p, 1, "padding", op);
      if (pt < 0 || pl < 0) {
        throw new IllegalArgumentException(op + ": negative padding is not supported, got " + Arrays.toString(p));
      }
    }
    int eh = xs[2] + pt + pb;
    int ew = xs[3] + pl + pr;
    int ekh = dh * (kh - 1) + 1;
    int ekw = dw * (kw - 1) + 1;
    if (eh < ekh || ew < ekw) {
      throw new IllegalArgumentException(op + ": Calculated padded input size per channel: (" + eh + " x " + ew
          + "). Kernel size: (" + ekh + " x " + ekw + "). Kernel size can't be greater than actual input size");
    }
    int oh = (eh - ekh) / sh + 1;
    int ow = (ew - ekw) / sw + 1;
    return new Geom(xs[0], xs[1], xs[2], xs[3], ws[0], kh, kw, sh, sw, pt, pl, dh, dw, groups, oh, ow, batched);
  }

  // ---- conv2d

  /**
   * The 2-d cross-correlation of {@code x} {@code (N, C, H, W)} or {@code (C, H, W)} with {@code weight}
   * {@code (O, C/groups, kH, kW)} plus {@code bias} {@code (O)} (or null), PyTorch's {@code conv2d};
   * {@code padding} is an {@code int[]} or {@code "same"}/{@code "valid"}.
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, Object padding, int[] dilation,
      int groups) {
    Geom g = geom("conv2d", x, weight, bias, stride, padding, dilation, groups);
    if (F64Rules.any(x, weight, bias)) {
      return F64Layers.conv2d(g, x, weight, bias);
    }
    return Tensor.wrap(forward(g, x.storage(), weight.storage(), bias == null ? null : bias.storage(), Kernels.get()),
        g.outShape());
  }

  /** {@link #conv2d} with stride 1, no padding, dilation 1 and one group. */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
    return conv2d(x, weight, bias, ONE, ZERO, ONE, 1);
  }

  private static final int[] ONE = {1};
  private static final int[] ZERO = {0};

  /** The adjoint of {@link #conv2d(Tensor, Tensor, Tensor)}. */
  public static Grads conv2dVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias) {
    return grads2d(g, x, weight, bias, ONE, ZERO, ONE, 1);
  }

  /** The adjoint of {@link #conv2d} with explicit padding: ∂input, ∂weight, ∂bias (PyTorch's ConvolutionBackward0). */
  public static Grads conv2dVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] padding, int[] dilation, int groups) {
    return grads2d(g, x, weight, bias, stride, padding, dilation, groups);
  }

  /** The adjoint of {@link #conv2d} with {@code "same"} or {@code "valid"} padding. */
  public static Grads conv2dPadVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias, int[] stride,
      String padding, int[] dilation, int groups) {
    return grads2d(g, x, weight, bias, stride, padding, dilation, groups);
  }

  /**
   * The gradients of {@link #conv2d}: input, weight and bias, each computed on first read (the eager
   * engine reads only those of inputs that require grad), sharing the upstream gradient's column layout.
   */
  public static Grads grads2d(Tensor gOut, Tensor x, Tensor weight, Tensor bias, int[] stride, Object padding,
      int[] dilation, int groups) {
    Geom g = geom("conv2d", x, weight, bias, stride, padding, dilation, groups);
    if (F64Rules.any(gOut, x, weight)) {
      return F64Layers.conv2dGrads(g, gOut, x, weight, bias);
    }
    float[][] gp = new float[1][];
    Kernels k = Kernels.get();
    return Grads.lazy(3, i -> {
      if (gp[0] == null) {
        gp[0] = toColumns(g, gOut.storage(), k);
      }
      return switch (i) {
        case 0 -> Tensor.wrap(inputGrad(g, gp[0], weight.storage(), k), x.shape());
        case 1 -> Tensor.wrap(weightGrad(g, gp[0], x.storage(), k), weight.shape());
        default -> bias == null ? null : Tensor.wrap(biasGrad(g, gp[0], k), bias.shape());
      };
    });
  }

  static float[] forward(Geom g, float[] x, float[] w, float[] b, Kernels k) {
    int np = g.np();
    int kk = g.k();
    int og = g.og();
    float[] cols = im2col(g, x, k);
    float[] outP = new float[g.o * np];
    for (int gi = 0; gi < g.groups; gi++) {
      k.gemm(false, false, og, np, kk, w, gi * og * kk, cols, gi * kk * np, outP, gi * og * np, false);
    }
    // (O, N·OH·OW) -> (N, O, OH·OW), plus the bias
    int hw = g.oh * g.ow;
    float[] out = new float[g.n * g.o * hw];
    k.parallelFor(g.n, n -> {
      for (int o = 0; o < g.o; o++) {
        int src = o * np + n * hw;
        int dst = (n * g.o + o) * hw;
        if (b == null) {
          System.arraycopy(outP, src, out, dst, hw);
        } else {
          float bo = b[o];
          for (int p = 0; p < hw; p++) {
            out[dst + p] = outP[src + p] + bo;
          }
        }
      }
    });
    return out;
  }

  /**
   * The column matrix: row {@code (c·kh + i)·kw + j}, column {@code (n·OH + oh)·OW + ow} holds
   * {@code x[n, c, oh·sh - pt + i·dh, ow·sw - pl + j·dw]}, 0 in the padding.
   */
  static float[] im2col(Geom g, float[] x, Kernels k) {
    int rows = g.c * g.kh * g.kw;
    int np = g.np();
    int hw = g.oh * g.ow;
    float[] cols = new float[rows * np];
    k.parallelFor(rows, r -> {
      int j = r % g.kw;
      int i = (r / g.kw) % g.kh;
      int c = r / (g.kw * g.kh);
      int base = r * np;
      for (int n = 0; n < g.n; n++) {
        int plane = (n * g.c + c) * g.h * g.w;
        for (int oh = 0; oh < g.oh; oh++) {
          int ih = oh * g.sh - g.pt + i * g.dh;
          int dst = base + n * hw + oh * g.ow;
          if (ih < 0 || ih >= g.h) {
            continue; // zeros
          }
          int row = plane + ih * g.w;
          int iw0 = j * g.dw - g.pl;
          if (g.sw == 1) {
            // the columns whose input element is inside the row, copied at once (the rest stays 0)
            int lo = Math.max(0, -iw0);
            int hi = Math.min(g.ow, g.w - iw0);
            if (hi > lo) {
              System.arraycopy(x, row + iw0 + lo, cols, dst + lo, hi - lo);
            }
          } else {
            for (int ow = 0; ow < g.ow; ow++) {
              int iw = ow * g.sw + iw0;
              if (iw >= 0 && iw < g.w) {
                cols[dst + ow] = x[row + iw];
              }
            }
          }
        }
      }
    });
    return cols;
  }

  /** The upstream gradient {@code (N, O, OH·OW)} in the column layout {@code (O, N·OH·OW)}. */
  static float[] toColumns(Geom g, float[] gOut, Kernels k) {
    int hw = g.oh * g.ow;
    int np = g.np();
    float[] gp = new float[g.o * np];
    k.parallelFor(g.n, n -> {
      for (int o = 0; o < g.o; o++) {
        System.arraycopy(gOut, (n * g.o + o) * hw, gp, o * np + n * hw, hw);
      }
    });
    return gp;
  }

  static float[] weightGrad(Geom g, float[] gp, float[] x, Kernels k) {
    float[] cols = im2col(g, x, k);
    int np = g.np();
    int kk = g.k();
    int og = g.og();
    float[] dw = new float[g.o * kk];
    for (int gi = 0; gi < g.groups; gi++) {
      k.gemm(false, true, og, kk, np, gp, gi * og * np, cols, gi * kk * np, dw, gi * og * kk, false);
    }
    return dw;
  }

  static float[] biasGrad(Geom g, float[] gp, Kernels k) {
    int np = g.np();
    float[] db = new float[g.o];
    for (int o = 0; o < g.o; o++) {
      db[o] = k.sum(gp, o * np, np);
    }
    return db;
  }

  static float[] inputGrad(Geom g, float[] gp, float[] w, Kernels k) {
    int np = g.np();
    int kk = g.k();
    int og = g.og();
    float[] dcols = new float[g.c * g.kh * g.kw * np];
    for (int gi = 0; gi < g.groups; gi++) {
      k.gemm(true, false, kk, np, og, w, gi * og * kk, gp, gi * og * np, dcols, gi * kk * np, false);
    }
    return col2im(g, dcols, k);
  }

  /** The adjoint of {@link #im2col}: each column entry added back to its input element. */
  static float[] col2im(Geom g, float[] dcols, Kernels k) {
    int np = g.np();
    int hw = g.oh * g.ow;
    float[] dx = new float[g.n * g.c * g.h * g.w];
    // one part per input channel: its rows (c, i, j) of dcols write only that channel's planes
    k.parallelFor(g.c, c -> {
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++) {
          int base = ((c * g.kh + i) * g.kw + j) * np;
          for (int n = 0; n < g.n; n++) {
            int plane = (n * g.c + c) * g.h * g.w;
            for (int oh = 0; oh < g.oh; oh++) {
              int ih = oh * g.sh - g.pt + i * g.dh;
              if (ih < 0 || ih >= g.h) {
                continue;
              }
              int src = base + n * hw + oh * g.ow;
              int row = plane + ih * g.w;
              int iw0 = j * g.dw - g.pl;
              // the outputs whose input element is inside the row: ow·sw + iw0 in [0, w)
              int lo = Math.max(0, (-iw0 + g.sw - 1) / g.sw);
              int hi = Math.min(g.ow, (g.w - iw0 + g.sw - 1) / g.sw);
              for (int ow = lo; ow < hi; ow++) {
                dx[row + ow * g.sw + iw0] += dcols[src + ow];
              }
            }
          }
        }
      }
    });
    return dx;
  }

  // ---- node names: PyTorch runs an unbatched input as a batch of one and squeezes the result

  private static String node(Tensor x, int unbatched) {
    return x.dim() == unbatched ? "SqueezeBackward1" : "ConvolutionBackward0";
  }

  /** The node of {@code conv2d(x, weight, bias)}: {@code SqueezeBackward1} for an unbatched input. */
  public static String conv2dNode(Tensor x, Tensor weight, Tensor bias) {
    return node(x, 3);
  }

  /** The node of {@code conv2d} with explicit padding. */
  public static String conv2dNode(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return node(x, 3);
  }

  /** The node of {@code conv2d} with a padding string. */
  public static String conv2dNode(Tensor x, Tensor weight, Tensor bias, int[] stride, String padding,
      int[] dilation, int groups) {
    return node(x, 3);
  }

  /** The node of {@code conv1d} with explicit padding. */
  public static String conv1dNode(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return node(x, 2);
  }

  /** The node of {@code conv1d} with a padding string. */
  public static String conv1dNode(Tensor x, Tensor weight, Tensor bias, int[] stride, String padding,
      int[] dilation, int groups) {
    return node(x, 2);
  }

  // ---- conv1d: conv2d on (N, C, 1, L)

  private static int[] one(int[] v, int fill, String what) {
    if (v == null || v.length != 1) {
      throw new IllegalArgumentException("conv1d: " + what + " must have 1 element, got "
          + (v == null ? "null" : Arrays.toString(v)));
    }
    return new int[] {fill, v[0]};
  }

  private static Tensor as2d(Tensor t) {
    int[] s = t.shape();
    int[] s2 = new int[s.length + 1];
    System.arraycopy(s, 0, s2, 0, s.length - 1);
    s2[s.length - 1] = 1;
    s2[s.length] = s[s.length - 1];
    return rewrap(t, s2);
  }

  /** {@code t}'s elements (float or double) in {@code shape}. */
  private static Tensor rewrap(Tensor t, int[] shape) {
    return F64Rules.any(t) ? Tensor.wrap(F64Rules.d(t), shape) : Tensor.wrap(t.storage(), shape);
  }

  private static Object padding1d(Object padding) {
    return padding instanceof int[] p ? one(p, 0, "padding") : padding;
  }

  private static void check1d(Tensor x, Tensor weight) {
    if (weight.dim() != 3) {
      throw new IllegalArgumentException("conv1d: expected a 3-dimensional weight (out_channels, "
          + "in_channels/groups, kW), got shape " + Shapes.str(weight.shape()));
    }
    if (x.dim() != 3 && x.dim() != 2) {
      throw new IllegalArgumentException("conv1d: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got "
          + "input of size: " + Shapes.str(x.shape()));
    }
  }

  /** The 1-d convolution of {@code x} {@code (N, C, L)} or {@code (C, L)} with {@code weight} {@code (O, C/groups, k)}. */
  public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int[] stride, Object padding, int[] dilation,
      int groups) {
    check1d(x, weight);
    Tensor y = conv2d(as2d(x), as2d(weight), bias, one(stride, 1, "stride"), padding1d(padding),
        one(dilation, 1, "dilation"), groups);
    int[] s = y.shape();
    int[] s1 = Arrays.copyOf(s, s.length - 1);
    s1[s1.length - 1] = s[s.length - 1];
    return rewrap(y, s1);
  }

  /** The adjoint of {@link #conv1d} with explicit padding. */
  public static Grads conv1dVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] padding, int[] dilation, int groups) {
    return grads1d(g, x, weight, bias, stride, padding, dilation, groups);
  }

  /** The adjoint of {@link #conv1d} with {@code "same"} or {@code "valid"} padding. */
  public static Grads conv1dPadVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias, int[] stride,
      String padding, int[] dilation, int groups) {
    return grads1d(g, x, weight, bias, stride, padding, dilation, groups);
  }

  /** The gradients of {@link #conv1d}: those of the 2-d convolution, reshaped. */
  public static Grads grads1d(Tensor gOut, Tensor x, Tensor weight, Tensor bias, int[] stride, Object padding,
      int[] dilation, int groups) {
    check1d(x, weight);
    Grads g2 = grads2d(as2d(gOut), as2d(x), as2d(weight), bias, one(stride, 1, "stride"), padding1d(padding),
        one(dilation, 1, "dilation"), groups);
    return Grads.lazy(3, i -> {
      Tensor t = g2.get(i);
      if (t == null || i == 2) {
        return t;
      }
      return rewrap(t, i == 0 ? x.shape() : weight.shape());
    });
  }
  // ---- forward mode (issue 16): the modules' JVPs call these

  /**
   * The tangent of {@link #conv2d(Tensor, Tensor, Tensor, int[], Object, int[], int)}, bilinear in input and
   * weight: {@code conv(ẋ, W) + conv(x, Ẇ) + ḃ}; any tangent may be null (zero).
   */
  public static Tensor conv2dTangent(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight,
      int[] stride, Object padding, int[] dilation, int groups) {
    Tensor byX = tx == null ? null : conv2d(tx, weight, null, stride, padding, dilation, groups);
    Tensor byW = tw == null ? null : conv2d(x, tw, null, stride, padding, dilation, groups);
    return Jvps.plus(out, Jvps.plus(out, byX, byW), tb == null ? null : ShapeRules.reshape(tb, tb.numel(), 1, 1));
  }

  /** The tangent of {@link #conv1d}, as {@link #conv2dTangent}. */
  public static Tensor conv1dTangent(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight,
      int[] stride, Object padding, int[] dilation, int groups) {
    Tensor byX = tx == null ? null : conv1d(tx, weight, null, stride, padding, dilation, groups);
    Tensor byW = tw == null ? null : conv1d(x, tw, null, stride, padding, dilation, groups);
    return Jvps.plus(out, Jvps.plus(out, byX, byW), tb == null ? null : ShapeRules.reshape(tb, tb.numel(), 1));
  }
}
