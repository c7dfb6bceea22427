package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.BufferPool;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Convolutions ({@code conv1d}, {@code conv2d}), forward and adjoint together (PyTorch's
 * {@code ConvolutionBackward0}). A stride-1, one-group convolution runs the direct kernels on a zero-padded copy of
 * each image ({@link Kernels#convDirect}, {@link Kernels#convWeightGrad}: "The direct path" below); every other
 * geometry runs im2col followed by the kernels' GEMM, as this comment describes.
 *
 * <p><b>Layout.</b> One sample at a time: sample {@code n} is unfolded into a column matrix {@code cols_n} of
 * {@code C·kh·kw} rows (channel-major, so each group's rows are contiguous) and {@code OH·OW} columns, in a scratch
 * buffer of the thread that is reused from call to call (it stays in the core's cache), and each group is one
 * product {@code W_g (O/G × K) · cols_n,g (K × OH·OW)} written straight into the sample's block of the
 * {@code (N, O, OH, OW)} output, which holds the bias beforehand. No column matrix of the whole batch and no
 * transpose to {@code NCHW} is ever written. The adjoint reads the upstream gradient in that same layout:
 * {@code ∂W_gᵀ = Σ_n cols_n,g · gOut_n,gᵀ}, {@code ∂cols_n,g = W_gᵀ · gOut_n,g} (then col2im into the sample's
 * planes), {@code ∂b = Σ gOut}. {@code cols} is recomputed from the input in the backward (the row reads the
 * input and the weight, as PyTorch's node saves {@code input} and {@code weight}).
 *
 * <p><b>Threads.</b> The samples are the parts split over the kernels' gang ({@link Kernels#parallelFor}); a
 * product inside a part runs on that part's thread alone (the gang is busy), each part writes only its own
 * sample, and the weight gradient sums fixed ranges of samples into partials that are added in a fixed order,
 * so the results do not depend on the number of threads. A batch of one runs its products over the gang.
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
   * engine reads only those of inputs that require grad).
   */
  public static Grads grads2d(Tensor gOut, Tensor x, Tensor weight, Tensor bias, int[] stride, Object padding,
      int[] dilation, int groups) {
    Geom g = geom("conv2d", x, weight, bias, stride, padding, dilation, groups);
    if (F64Rules.any(gOut, x, weight)) {
      return F64Layers.conv2dGrads(g, gOut, x, weight, bias);
    }
    Kernels k = Kernels.get();
    float[] gp = gOut.storage();
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> Grads.owned(Tensor.wrap(inputGrad(g, gp, weight.storage(), k), x.shape()));
      case 1 -> Grads.owned(Tensor.wrap(weightGrad(g, gp, x.storage(), k), weight.shape()));
      default -> bias == null ? null : Tensor.wrap(biasGrad(g, gp, k), bias.shape());
    });
  }

  /**
   * The forward, one sample at a time: sample {@code n}'s column matrix ({@code C·kh·kw × OH·OW}) is unfolded into
   * the thread's scratch and each group's product {@code W_g · cols_g} is written straight into the sample's
   * {@code (O, OH·OW)} block of the output, which starts as the bias (the product accumulates onto it). The
   * samples are the parts split over the gang; each part writes only its own sample, and a product inside a
   * part runs on its thread alone, so the bits do not depend on the number of threads.
   */
  static float[] forward(Geom g, float[] x, float[] w, float[] b, Kernels k) {
    if (direct(g)) {
      float[] out = new float[g.n * g.o * g.oh * g.ow];
      Padded in = Padded.of(g.c, g.h, g.w, g.pt, padBottom(g), g.pl, padRight(g), g.dw * (g.kw - 1));
      directConv(g.n, in, x, g.o, g.kh, g.kw, g.dh, g.dw, w, b, out, g.oh, g.ow, k);
      return out;
    }
    return forwardIm2col(g, x, w, b, k);
  }

  /** {@link #forward} by im2col and the GEMM (every geometry). */
  static float[] forwardIm2col(Geom g, float[] x, float[] w, float[] b, Kernels k) {
    int hw = g.oh * g.ow;
    int kk = g.k();
    int og = g.og();
    float[] out = new float[g.n * g.o * hw];
    k.parallelFor(g.n, n -> {
      float[] cols = im2col(g, x, n, scratch(COLS, g.c * g.kh * g.kw * hw));
      int base = n * g.o * hw;
      if (b != null) {
        for (int o = 0; o < g.o; o++) {
          Arrays.fill(out, base + o * hw, base + (o + 1) * hw, b[o]);
        }
      }
      for (int gi = 0; gi < g.groups; gi++) {
        k.gemm(false, false, og, hw, kk, w, gi * og * kk, cols, gi * kk * hw, out, base + gi * og * hw, b != null);
      }
    });
    return out;
  }

  /** Per-thread scratch for one sample's column matrix and its gradient (reused from call to call). */
  private static final ThreadLocal<float[][]> COLS = ThreadLocal.withInitial(() -> new float[1][0]);

  private static final ThreadLocal<float[][]> DCOLS = ThreadLocal.withInitial(() -> new float[1][0]);

  private static float[] scratch(ThreadLocal<float[][]> tl, int size) {
    float[][] box = tl.get();
    if (box[0].length < size) {
      box[0] = new float[size];
    }
    return box[0];
  }

  /**
   * Sample {@code n}'s column matrix into {@code cols} (every element written): row {@code (c·kh + i)·kw + j},
   * column {@code oh·OW + ow} holds {@code x[n, c, oh·sh - pt + i·dh, ow·sw - pl + j·dw]}, 0 in the padding.
   * Returns {@code cols}.
   */
  static float[] im2col(Geom g, float[] x, int n, float[] cols) {
    int rows = g.c * g.kh * g.kw;
    int hw = g.oh * g.ow;
    for (int r = 0; r < rows; r++) {
      int j = r % g.kw;
      int i = (r / g.kw) % g.kh;
      int c = r / (g.kw * g.kh);
      int plane = (n * g.c + c) * g.h * g.w;
      int iw0 = j * g.dw - g.pl;
      // the columns whose input element is inside the row: ow·sw + iw0 in [0, w)
      int lo = Math.min(g.ow, Math.max(0, (-iw0 + g.sw - 1) / g.sw));
      int hi = Math.max(lo, Math.min(g.ow, (g.w - iw0 + g.sw - 1) / g.sw));
      for (int oh = 0; oh < g.oh; oh++) {
        int ih = oh * g.sh - g.pt + i * g.dh;
        int dst = r * hw + oh * g.ow;
        if (ih < 0 || ih >= g.h) {
          Arrays.fill(cols, dst, dst + g.ow, 0f);
          continue;
        }
        int row = plane + ih * g.w + iw0;
        if (lo > 0) {
          Arrays.fill(cols, dst, dst + lo, 0f);
        }
        if (g.sw == 1) {
          System.arraycopy(x, row + lo, cols, dst + lo, hi - lo);
        } else {
          for (int ow = lo; ow < hi; ow++) {
            cols[dst + ow] = x[row + ow * g.sw];
          }
        }
        if (hi < g.ow) {
          Arrays.fill(cols, dst + hi, dst + g.ow, 0f);
        }
      }
    }
    return cols;
  }

  /** Samples per part of the weight gradient's sum: fixed, so that the order of the sum is too. */
  static final int WEIGHT_GRAD_PARTS = 8;

  /**
   * {@code ∂W = Σ_n gOut_n · cols_nᵀ} (per group), with {@code gOut} in the output's layout {@code (N, O, OH·OW)},
   * computed transposed, {@code ∂W_gᵀ = Σ_n cols_n,g · gOut_n,gᵀ}: the products then read the column matrix in place
   * (it is the left operand, of few columns' worth of output) and pack only the upstream gradient, which is
   * {@code kh·kw} times smaller than the column matrix that {@code gOut_n · cols_nᵀ} would pack transposed. The
   * samples are cut into {@link #WEIGHT_GRAD_PARTS} fixed ranges, each summed into its own partial in sample
   * order, and the partials are added in order: the same bits whatever the number of threads.
   */
  static float[] weightGrad(Geom g, float[] gOut, float[] x, Kernels k) {
    // the direct kernel multiplies the dropped columns' zero gradient by input values: exact for finite inputs
    if (direct(g) && Float.isFinite(k.sum(x, 0, g.n * g.c * g.h * g.w))) {
      return directWeightGrad(g, gOut, x, k);
    }
    return weightGradIm2col(g, gOut, x, k);
  }

  /** {@link #weightGrad} by im2col and the GEMM (every geometry and input). */
  static float[] weightGradIm2col(Geom g, float[] gOut, float[] x, Kernels k) {
    int hw = g.oh * g.ow;
    int kk = g.k();
    int og = g.og();
    int size = g.o * kk;
    int parts = Math.min(g.n, WEIGHT_GRAD_PARTS);
    float[][] partial = new float[parts][];
    for (int p = 0; p < parts; p++) {
      partial[p] = BufferPool.floats(size); // taken here, on the calling thread: its first product overwrites it
    }
    k.parallelFor(parts, p -> {
      float[] acc = partial[p];
      int n0 = (int) ((long) g.n * p / parts);
      int n1 = (int) ((long) g.n * (p + 1) / parts);
      float[] cols = scratch(COLS, g.c * g.kh * g.kw * hw);
      for (int n = n0; n < n1; n++) {
        im2col(g, x, n, cols);
        for (int gi = 0; gi < g.groups; gi++) {
          k.gemm(false, true, kk, og, hw, cols, gi * kk * hw, gOut, (n * g.o + gi * og) * hw, acc, gi * kk * og,
              n > n0);
        }
      }
    });
    float[] sum = partial[0];
    for (int p = 1; p < parts; p++) {
      float[] q = partial[p];
      for (int i = 0; i < size; i++) {
        sum[i] += q[i];
      }
      BufferPool.giveBack(q);
    }
    // group gi's (kk, og) block of the transposed sum into its (og, kk) block of ∂W (every element written)
    float[] dw = BufferPool.floats(size);
    for (int gi = 0; gi < g.groups; gi++) {
      for (int r = 0; r < kk; r++) {
        for (int o = 0; o < og; o++) {
          dw[(gi * og + o) * kk + r] = sum[gi * kk * og + r * og + o];
        }
      }
    }
    BufferPool.giveBack(sum);
    return dw;
  }

  /** {@code ∂b[o] = Σ_n Σ_p gOut[n, o, p]}, sample by sample. */
  static float[] biasGrad(Geom g, float[] gOut, Kernels k) {
    int hw = g.oh * g.ow;
    float[] db = new float[g.o];
    for (int o = 0; o < g.o; o++) {
      float s = 0f;
      for (int n = 0; n < g.n; n++) {
        s += k.sum(gOut, (n * g.o + o) * hw, hw);
      }
      db[o] = s;
    }
    return db;
  }

  /**
   * {@code ∂x}: per sample, the column gradient {@code W_gᵀ · gOut_n,g} in the thread's scratch, then added back
   * to the sample's input elements ({@link #col2im}). Each sample is a part that writes only its own planes.
   */
  static float[] inputGrad(Geom g, float[] gOut, float[] w, Kernels k) {
    if (direct(g)) {
      return directInputGrad(g, gOut, w, k);
    }
    return inputGradIm2col(g, gOut, w, k);
  }

  /** {@link #inputGrad} by the GEMM and col2im (every geometry). */
  static float[] inputGradIm2col(Geom g, float[] gOut, float[] w, Kernels k) {
    int hw = g.oh * g.ow;
    int kk = g.k();
    int og = g.og();
    float[] dx = BufferPool.zeros(g.n * g.c * g.h * g.w); // col2im adds into it
    k.parallelFor(g.n, n -> {
      float[] dcols = scratch(DCOLS, g.c * g.kh * g.kw * hw);
      for (int gi = 0; gi < g.groups; gi++) {
        k.gemm(true, false, kk, hw, og, w, gi * og * kk, gOut, (n * g.o + gi * og) * hw, dcols, gi * kk * hw,
            false);
      }
      col2im(g, dcols, n, dx);
    });
    return dx;
  }

  /** The adjoint of {@link #im2col} for sample {@code n}: each column entry added to its element of {@code dx}. */
  static void col2im(Geom g, float[] dcols, int n, float[] dx) {
    int hw = g.oh * g.ow;
    for (int c = 0; c < g.c; c++) {
      int plane = (n * g.c + c) * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++) {
          int base = ((c * g.kh + i) * g.kw + j) * hw;
          int iw0 = j * g.dw - g.pl;
          int lo = Math.max(0, (-iw0 + g.sw - 1) / g.sw);
          int hi = Math.min(g.ow, (g.w - iw0 + g.sw - 1) / g.sw);
          for (int oh = 0; oh < g.oh; oh++) {
            int ih = oh * g.sh - g.pt + i * g.dh;
            if (ih < 0 || ih >= g.h) {
              continue;
            }
            int src = base + oh * g.ow;
            int row = plane + ih * g.w + iw0;
            if (g.sw == 1) {
              for (int ow = lo; ow < hi; ow++) {
                dx[row + ow] += dcols[src + ow];
              }
            } else {
              for (int ow = lo; ow < hi; ow++) {
                dx[row + ow * g.sw] += dcols[src + ow];
              }
            }
          }
        }
      }
    }
  }

  // ---- the direct path: stride 1, one group, on a zero-padded copy of each image read in place

  /**
   * Whether the direct kernels ({@link Kernels#convDirect}, {@link Kernels#convWeightGrad}) serve {@code g}: stride
   * 1, one group, and no side padded by more than the kernel's reach (so that the input gradient is the full
   * convolution of the upstream gradient, padded by the rest). {@code -Dadjoint.convDirect=false} turns it off
   * (im2col and the GEMM, as before; for A/B measurements).
   */
  static boolean direct(Geom g) {
    if (!DIRECT || g.sh != 1 || g.sw != 1 || g.groups != 1) {
      return false;
    }
    int rh = g.dh * (g.kh - 1);
    int rw = g.dw * (g.kw - 1);
    int pb = padBottom(g);
    int pr = padRight(g);
    return g.pt <= rh && g.pl <= rw && pb >= 0 && pb <= rh && pr >= 0 && pr <= rw;
  }

  static final boolean DIRECT = !"false".equals(System.getProperty("adjoint.convDirect"));

  /** The padding below the input (stride 1): what the output's height needs beyond the top padding. */
  private static int padBottom(Geom g) {
    return g.oh + g.dh * (g.kh - 1) - g.h - g.pt;
  }

  private static int padRight(Geom g) {
    return g.ow + g.dw * (g.kw - 1) - g.w - g.pl;
  }

  /**
   * The zero-padded copy of one {@code (ch, h, w)} image the direct kernels read: {@code hp} rows of stride
   * {@code ws} (the padded width rounded up to 16 floats) per channel, then {@code reach +} {@link
   * Kernels#CONV_SLACK} floats that the kernels' last vectors may read; {@code size} floats in all.
   */
  record Padded(int ch, int h, int w, int pt, int pl, int hp, int ws, int size) {
    static Padded of(int ch, int h, int w, int pt, int pb, int pl, int pr, int reach) {
      int hp = h + pt + pb;
      int ws = (w + pl + pr + 15) / 16 * 16;
      return new Padded(ch, h, w, pt, pl, hp, ws, ch * hp * ws + reach + Kernels.CONV_SLACK);
    }

    /** Image {@code src[srcOff ..]} into {@code dst[dstOff .. dstOff + size)}, zeros around it. */
    void copy(float[] src, int srcOff, float[] dst, int dstOff) {
      Arrays.fill(dst, dstOff, dstOff + size, 0f);
      for (int c = 0; c < ch; c++) {
        for (int y = 0; y < h; y++) {
          System.arraycopy(src, srcOff + (c * h + y) * w, dst, dstOff + (c * hp + y + pt) * ws + pl, w);
        }
      }
    }

    /** Where tap {@code (c, i, j)} of a {@code kh×kw} kernel with dilation {@code (dh, dw)} starts, for every tap. */
    int[] rowOffsets(int kh, int kw, int dh, int dw) {
      int[] off = new int[ch * kh * kw];
      for (int c = 0; c < ch; c++) {
        for (int i = 0; i < kh; i++) {
          for (int j = 0; j < kw; j++) {
            off[(c * kh + i) * kw + j] = c * hp * ws + i * dh * ws + j * dw;
          }
        }
      }
      return off;
    }
  }

  /** Per-thread scratch for the direct path's padded images and wide gradients. */
  private static final ThreadLocal<float[][]> PAD = ThreadLocal.withInitial(() -> new float[1][0]);

  private static final ThreadLocal<float[][]> WIDE = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * {@code n} images {@code in} (stacked in {@code x}) convolved with {@code w} {@code (m, in.ch·kh·kw)} plus
   * {@code bias} into {@code out} {@code (n, m, oh, ow)}. The parts are the images (and, for fewer than four,
   * blocks of output channels as well): each pads its image into the thread's scratch and writes its own planes,
   * and every output element is one fixed sum, so the bits do not depend on the split.
   */
  static void directConv(int n, Padded in, float[] x, int m, int kh, int kw, int dh, int dw, float[] w,
      float[] bias, float[] out, int oh, int ow, Kernels k) {
    int[] rowOff = in.rowOffsets(kh, kw, dh, dw);
    int kk = rowOff.length;
    int tiles = (m + 3) / 4;
    int blocks = n >= 4 ? 1 : Math.min(tiles, 4);
    int per = (tiles + blocks - 1) / blocks * 4;
    int inSize = in.ch * in.h * in.w;
    k.parallelFor(n * blocks, part -> {
      int s = part / blocks;
      int o0 = part % blocks * per;
      int o1 = Math.min(m, o0 + per);
      if (o0 >= o1) {
        return;
      }
      float[] pad = scratch(PAD, in.size);
      in.copy(x, s * inSize, pad, 0);
      float[] b = bias == null || blocks == 1 ? bias : Arrays.copyOfRange(bias, o0, o1);
      k.convDirect(o1 - o0, kk, w, o0 * kk, rowOff, pad, 0, in.ws, oh, ow, b, out, (s * m + o0) * oh * ow);
    });
  }

  /**
   * {@code ∂x} on the direct path: the full convolution of the upstream gradient (padded by the kernel's reach
   * less the forward's padding on each side) with the weight flipped in both spatial dimensions and its channel
   * dimensions swapped, {@code W'[c, (o, i, j)] = W[o, c, kh-1-i, kw-1-j]}.
   */
  static float[] directInputGrad(Geom g, float[] gOut, float[] w, Kernels k) {
    int rh = g.dh * (g.kh - 1);
    int rw = g.dw * (g.kw - 1);
    Padded up = Padded.of(g.o, g.oh, g.ow, rh - g.pt, rh - padBottom(g), rw - g.pl, rw - padRight(g), rw);
    int taps = g.kh * g.kw;
    float[] flipped = new float[g.c * g.o * taps];
    for (int o = 0; o < g.o; o++) {
      for (int c = 0; c < g.c; c++) {
        for (int t = 0; t < taps; t++) {
          flipped[(c * g.o + o) * taps + t] = w[(o * g.c + c) * taps + taps - 1 - t];
        }
      }
    }
    float[] dx = new float[g.n * g.c * g.h * g.w];
    directConv(g.n, up, gOut, g.c, g.kh, g.kw, g.dh, g.dw, flipped, null, dx, g.h, g.w, k);
    return dx;
  }

  /**
   * Bytes of padded images and wide gradients one call of the weight-gradient kernel reads at most (about L2; the
   * CNN's layers: a whole part of eight samples per call).
   */
  private static final int WEIGHT_GRAD_CHUNK_BYTES = 1 << 20;

  /**
   * {@code ∂W} on the direct path: the samples cut into {@link #WEIGHT_GRAD_PARTS} fixed ranges as in {@link
   * #weightGrad}; a range pads its images and widens their upstream gradients (zeros in the dropped columns) into
   * the thread's scratch, a fixed number of samples at a time, and sums them with {@link
   * Kernels#convWeightGrad} into its partial (a vector of partial sums per weight); the partials are added in order,
   * then each weight's lanes left to right.
   */
  static float[] directWeightGrad(Geom g, float[] gOut, float[] x, Kernels k) {
    Padded in = Padded.of(g.c, g.h, g.w, g.pt, padBottom(g), g.pl, padRight(g), g.dw * (g.kw - 1));
    int[] rowOff = in.rowOffsets(g.kh, g.kw, g.dh, g.dw);
    int kk = rowOff.length;
    int lanes = k.convLanes();
    int size = g.o * kk * lanes;
    int fLen = g.oh * in.ws;
    int wideSize = g.o * fLen;
    int hw = g.oh * g.ow;
    int inSize = g.c * g.h * g.w;
    int chunk = Math.max(1, WEIGHT_GRAD_CHUNK_BYTES / (4 * (in.size + wideSize)));
    int parts = Math.min(g.n, WEIGHT_GRAD_PARTS);
    float[][] partial = new float[parts][];
    k.parallelFor(parts, p -> {
      float[] acc = new float[size];
      int n0 = (int) ((long) g.n * p / parts);
      int n1 = (int) ((long) g.n * (p + 1) / parts);
      int most = Math.min(chunk, n1 - n0);
      float[] pad = scratch(PAD, most * in.size);
      float[] wide = scratch(WIDE, most * wideSize);
      for (int s0 = n0; s0 < n1; s0 += chunk) {
        int count = Math.min(chunk, n1 - s0);
        for (int s = 0; s < count; s++) {
          in.copy(x, (s0 + s) * inSize, pad, s * in.size);
          int wb = s * wideSize;
          Arrays.fill(wide, wb, wb + wideSize, 0f);
          for (int o = 0; o < g.o; o++) {
            for (int y = 0; y < g.oh; y++) {
              System.arraycopy(gOut, ((s0 + s) * g.o + o) * hw + y * g.ow, wide, wb + o * fLen + y * in.ws, g.ow);
            }
          }
        }
        k.convWeightGrad(g.o, kk, wide, 0, wideSize, rowOff, pad, 0, in.size, count, fLen, acc, 0);
      }
      partial[p] = acc;
    });
    float[] sum = partial[0];
    for (int p = 1; p < parts; p++) {
      float[] q = partial[p];
      for (int i = 0; i < size; i++) {
        sum[i] += q[i];
      }
    }
    if (lanes == 1) {
      return sum;
    }
    // each weight's partial sums, added left to right
    float[] dw = new float[g.o * kk];
    for (int i = 0; i < dw.length; i++) {
      float s = sum[i * lanes];
      for (int l = 1; l < lanes; l++) {
        s += sum[i * lanes + l];
      }
      dw[i] = s;
    }
    return dw;
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
