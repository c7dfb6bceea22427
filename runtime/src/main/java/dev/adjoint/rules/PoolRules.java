package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.BufferPool;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * 2-d pooling over the last two dimensions of {@code (N, C, H, W)} or {@code (C, H, W)} inputs: max pooling
 * with indices ({@code MaxPool2DWithIndicesBackward0}), average pooling ({@code AvgPool2DBackward0}) and
 * adaptive average pooling ({@code AdaptiveAvgPool2DBackward0}), with PyTorch 1.13's CPU kernels' output
 * sizes, window rules and tie-breaking: the first maximum of a window in row-major order wins, and a NaN
 * always wins. Each plane is independent, so planes are split over the kernels' gang.
 */
public final class PoolRules {
  private PoolRules() {}

  private static int pick(int[] v, int i, String what, String op) {
    if (v == null || (v.length != 1 && v.length != 2)) {
      throw new IllegalArgumentException(op + ": " + what + " must be a single int, or a tuple of two ints, got "
          + (v == null ? "null" : Arrays.toString(v)));
    }
    return v.length == 1 ? v[0] : v[i];
  }

  /** PyTorch's {@code pooling_output_shape}. */
  static int outSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
    int num = in + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
    int out = Math.floorDiv(num, stride) + 1;
    if (ceil && (out - 1) * stride >= in + pad) {
      out--;
    }
    return out;
  }

  /** One pooling's geometry: planes {@code p = N·C}, input and output sizes, window. */
  record Geom(int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int oh,
      int ow, int[] outShape) {}

  static Geom geom(String op, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceil) {
    if (x.dim() != 3 && x.dim() != 4) {
      throw new IllegalArgumentException(op + ": Expected 3D or 4D (batch mode) tensor for input, got input of size "
          + Shapes.str(x.shape()));
    }
    int[] s = x.shape();
    int d = s.length;
    int kh = pick(kernel, 0, "kernel_size", op);
    int kw = pick(kernel, 1, "kernel_size", op);
    boolean noStride = stride == null || stride.length == 0;
    int sh = noStride ? kh : pick(stride, 0, "stride", op);
    int sw = noStride ? kw : pick(stride, 1, "stride", op);
    int ph = pick(padding, 0, "padding", op);
    int pw = pick(padding, 1, "padding", op);
    int dh = pick(dilation, 0, "dilation", op);
    int dw = pick(dilation, 1, "dilation", op);
    if (kh <= 0 || kw <= 0) {
      throw new IllegalArgumentException(op + ": kernel size should be greater than zero, but got kH: " + kh
          + " kW: " + kw);
    }
    if (sh <= 0 || sw <= 0) {
      throw new IllegalArgumentException(op + ": stride should be greater than zero, but got dH: " + sh + " dW: "
          + sw);
    }
    if (dh <= 0 || dw <= 0) {
      throw new IllegalArgumentException(op + ": dilation should be greater than zero, but got dilationH: " + dh
          + " dilationW: " + dw);
    }
    if (ph < 0 || pw < 0 || ph > kh / 2 || pw > kw / 2) {
      throw new IllegalArgumentException(op + ": pad should be at most half of kernel size, but got pad="
          + (ph > kh / 2 || ph < 0 ? ph : pw) + " and kernel_size=" + (ph > kh / 2 || ph < 0 ? kh : kw));
    }
    int h = s[d - 2];
    int w = s[d - 1];
    int oh = outSize(h, kh, ph, sh, dh, ceil);
    int ow = outSize(w, kw, pw, sw, dw, ceil);
    if (oh < 1 || ow < 1) {
      throw new IllegalArgumentException(op + ": Given input size: (" + s[d - 3] + "x" + h + "x" + w
          + "). Calculated output size: (" + s[d - 3] + "x" + oh + "x" + ow + "). Output size is too small");
    }
    int[] out = s.clone();
    out[d - 2] = oh;
    out[d - 1] = ow;
    return new Geom(x.numel() / (h * w), h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, out);
  }

  // ---- max pooling

  /**
   * Max pooling: the values and the flat index {@code ih·W + iw} of each window's maximum within its
   * plane (PyTorch's indices), as {@code {values, indices}} of the same length.
   */
  static float[][] maxPool(Geom g, float[] x) {
    float[] v = maxValues(g, x);
    return new float[][] {v, argmax(g, x, v)};
  }

  /**
   * The maxima: {@code Math.max} over each window, branch-free (on real data each comparison is a coin toss,
   * and a mispredicted branch per element cost more than the loads). A NaN in a window gives NaN, as in
   * PyTorch.
   */
  static float[] maxValues(Geom g, float[] x) {
    float[] v = new float[g.planes() * g.oh() * g.ow()];
    Kernels.get().parallelFor(g.planes(), p -> window(g, x, v, null, p));
    return v;
  }

  /**
   * The flat index of each window's maximum given the maxima {@code v}: the first element equal to it, or for
   * a NaN maximum the last NaN, which is the element PyTorch's kernel keeps ({@code val > max || isnan(val)}).
   */
  static float[] argmax(Geom g, float[] x, float[] v) {
    float[] idx = new float[v.length];
    Kernels.get().parallelFor(g.planes(), p -> window(g, x, v, idx, p));
    return idx;
  }

  /** One plane: the maxima into {@code v} ({@code idx == null}), or their indices into {@code idx}. */
  private static void window(Geom g, float[] x, float[] v, float[] idx, int p) {
    final int h = g.h();
    final int w = g.w();
    final int oh = g.oh();
    final int ow = g.ow();
    final int kh = g.kh();
    final int kw = g.kw();
    final int sh = g.sh();
    final int sw = g.sw();
    final int ph = g.ph();
    final int pw = g.pw();
    final int dh = g.dh();
    final int dw = g.dw();
    final int in = p * h * w;
    final int o = p * oh * ow;
    if (idx == null && kh == 2 && kw == 2 && dh == 1 && dw == 1 && ph == 0 && pw == 0 && (oh - 1) * sh + 2 <= h
        && (ow - 1) * sw + 2 <= w) {
      // the common 2×2 window inside the input, unrolled
      for (int y = 0; y < oh; y++) {
        int r0 = in + y * sh * w;
        for (int z = 0; z < ow; z++) {
          int i0 = r0 + z * sw;
          v[o + y * ow + z] = Math.max(Math.max(x[i0], x[i0 + 1]), Math.max(x[i0 + w], x[i0 + w + 1]));
        }
      }
      return;
    }
    for (int y = 0; y < oh; y++) {
      int ih0 = y * sh - ph;
      int ih1 = Math.min(ih0 + (kh - 1) * dh + 1, h);
      while (ih0 < 0) {
        ih0 += dh;
      }
      for (int z = 0; z < ow; z++) {
        int iw0 = z * sw - pw;
        int iw1 = Math.min(iw0 + (kw - 1) * dw + 1, w);
        while (iw0 < 0) {
          iw0 += dw;
        }
        if (idx == null) {
          float max = Float.NEGATIVE_INFINITY;
          for (int ih = ih0; ih < ih1; ih += dh) {
            for (int iw = iw0; iw < iw1; iw += dw) {
              max = Math.max(max, x[in + ih * w + iw]);
            }
          }
          v[o + y * ow + z] = max;
        } else {
          float max = v[o + y * ow + z];
          boolean nan = max != max;
          int at = ih0 * w + iw0;
          search:
          for (int ih = ih0; ih < ih1; ih += dh) {
            for (int iw = iw0; iw < iw1; iw += dw) {
              float val = x[in + ih * w + iw];
              if (nan ? val != val : val == max) {
                at = ih * w + iw;
                if (!nan) {
                  break search;
                }
              }
            }
          }
          idx[o + y * ow + z] = at;
        }
      }
    }
  }

  /** {@code max_pool2d(x, kernel_size)}: a square window, stride the kernel size, no padding. */
  public static Tensor maxPool2d(Tensor x, int kernelSize) {
    return maxPool2d(x, new int[] {kernelSize}, new int[0], new int[] {0}, new int[] {1}, false);
  }

  /** {@code avg_pool2d(x, kernel_size)}: a square window, stride the kernel size, no padding. */
  public static Tensor avgPool2d(Tensor x, int kernelSize) {
    return avgPool2d(x, new int[] {kernelSize}, new int[0], new int[] {0}, false, true);
  }

  /** The adjoint of {@code maxPool2d(x, kernelSize)}: {@link #maxPool2dVjp}'s with the defaults filled in. */
  public static Grads maxPool2dKernelVjp(Tensor gOut, Tensor out, Tensor x, int kernelSize) {
    return Grads.of(maxPool2dVjp(gOut, out, x, new int[] {kernelSize}, new int[0], new int[] {0}, new int[] {1},
        false).get(0), null);
  }

  /** The adjoint of {@code avgPool2d(x, kernelSize)}: {@link #avgPool2dVjp}'s with the defaults filled in. */
  public static Grads avgPool2dKernelVjp(Tensor gOut, Tensor out, Tensor x, int kernelSize) {
    return Grads.of(avgPool2dVjp(gOut, out, x, new int[] {kernelSize}, new int[0], new int[] {0}, false, true)
        .get(0), null);
  }

  /** {@code max_pool2d}: the maximum of each window. */
  public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    Geom g = geom("maxPool2d", x, kernel, stride, padding, dilation, ceilMode);
    if (F64Rules.any(x)) {
      return maxPool2dF64(g, x).values();
    }
    return Tensor.wrap(maxValues(g, x.storage()), g.outShape());
  }

  /** {@code max_pool2d_with_indices}: the maxima and their flat indices within each plane (INT64). */
  public static Tensor.ValuesIndices maxPool2dWithIndices(Tensor x, int[] kernel, int[] stride, int[] padding,
      int[] dilation, boolean ceilMode) {
    Geom g = geom("maxPool2d", x, kernel, stride, padding, dilation, ceilMode);
    if (F64Rules.any(x)) {
      return maxPool2dF64(g, x);
    }
    float[][] r = maxPool(g, x.storage());
    return new Tensor.ValuesIndices(Tensor.wrap(r[0], g.outShape()),
        Tensor.wrap(r[1], g.outShape(), Tensor.DType.INT64));
  }

  /**
   * ∂x: each output's gradient added at its window's maximum. The indices are found again from the input and
   * the output (the first element of the window equal to the maximum), rather than kept: the row reads the
   * input and the output, as PyTorch's node saves the input and the indices.
   */
  public static Grads maxPool2dVjp(Tensor gOut, Tensor out, Tensor x, int[] kernel, int[] stride, int[] padding,
      int[] dilation, boolean ceilMode) {
    Geom g = geom("maxPool2d", x, kernel, stride, padding, dilation, ceilMode);
    if (F64Rules.any(gOut, x)) {
      float[] at = maxPool(g, F64Rules.ranks(x).storage())[1];
      double[] go = F64Rules.d(gOut);
      int ohw = g.oh() * g.ow();
      int hw = g.h() * g.w();
      double[] dx = new double[g.planes() * hw];
      for (int o = 0; o < at.length; o++) {
        dx[o / ohw * hw + (int) at[o]] += go[o];
      }
      return Grads.of(Tensor.wrap(dx, x.shape()));
    }
    float[] in = x.storage();
    if (disjoint2x2(g)) {
      return Grads.of(Grads.owned(Tensor.wrap(scatterMax2x2(g, in, out.storage(), gOut.storage()), x.shape())));
    }
    float[] idx = argmax(g, in, out.storage());
    return Grads.of(Tensor.wrap(scatterMax(g, gOut.storage(), idx), x.shape()));
  }

  /** 1 if the non-negative {@code d} is +0, else 0, without a branch. */
  private static int zeroBit(float d) {
    int b = Float.floatToRawIntBits(d);
    return ((b | -b) >>> 31) ^ 1;
  }

  /**
   * The flat index of a 2×2 window's maximum {@code m} when it is NaN (the last NaN, PyTorch's) or infinite (the
   * first element equal to it), for the window with rows at {@code i0} and {@code i1}.
   */
  private static int nonFiniteArgmax(float[] x, int i0, int i1, float m) {
    int[] at = {i0, i0 + 1, i1, i1 + 1};
    int found = i0;
    for (int i : at) {
      if (m != m ? x[i] != x[i] : x[i] == m) {
        found = i;
        if (m == m) {
          break;
        }
      }
    }
    return found;
  }

  /** A 2×2 window with stride 2, no padding or dilation, inside the input: the windows do not overlap. */
  static boolean disjoint2x2(Geom g) {
    return g.kh() == 2 && g.kw() == 2 && g.sh() == 2 && g.sw() == 2 && g.ph() == 0 && g.pw() == 0 && g.dh() == 1
        && g.dw() == 1 && 2 * g.oh() <= g.h() && 2 * g.ow() <= g.w();
  }

  /**
   * ∂x of a {@link #disjoint2x2} max pooling in one pass: each window's gradient goes to its first element equal to
   * the maximum, chosen by integer arithmetic on the bits rather than branches (on real data each comparison is a
   * coin toss, and compare-and-branch code spent about 15 ns per window mispredicting); a window whose maximum is NaN
   * or infinite takes a search ({@link #window}'s rule: the last NaN, else the first equal element). The same elements as
   * {@link #argmax} and {@link #scatterMax}, without the index array.
   */
  static float[] scatterMax2x2(Geom g, float[] x, float[] v, float[] gOut) {
    int h = g.h();
    int w = g.w();
    int oh = g.oh();
    int ow = g.ow();
    float[] dx = BufferPool.zeros(g.planes() * h * w); // an odd last row or column gets no window
    Kernels.get().parallelFor(g.planes(), p -> {
      int in = p * h * w;
      int o = p * oh * ow;
      for (int y = 0; y < oh; y++) {
        int r0 = in + 2 * y * w;
        int r1 = r0 + w;
        for (int z = 0; z < ow; z++) {
          int oi = o + y * ow + z;
          float m = v[oi];
          float gv = gOut[oi];
          int i0 = r0 + 2 * z;
          int i1 = r1 + 2 * z;
          if (!(Math.abs(m) < Float.POSITIVE_INFINITY)) {
            dx[nonFiniteArgmax(x, i0, i1, m)] = gv;
            continue;
          }
          // for a finite maximum m, x == m exactly when m - x is +0 (m - x is +0 for x == m, signed zeros
          // included, and positive otherwise): e_k is 1 for the first such element, as integer arithmetic on
          // the bits, with no branch to mispredict; the gradient's bits are masked in or out
          int e0 = zeroBit(m - x[i0]);
          int e1 = zeroBit(m - x[i0 + 1]) & ~e0;
          int e2 = zeroBit(m - x[i1]) & ~(e0 | e1);
          int e3 = 1 & ~(e0 | e1 | e2);
          int gb = Float.floatToRawIntBits(gv);
          dx[i0] = Float.intBitsToFloat(gb & -e0);
          dx[i0 + 1] = Float.intBitsToFloat(gb & -e1);
          dx[i1] = Float.intBitsToFloat(gb & -e2);
          dx[i1 + 1] = Float.intBitsToFloat(gb & -e3);
        }
      }
    });
    return dx;
  }

  /**
   * Max pooling of a float64 input: the windows' first maxima found on the input's ranks ({@link F64Rules#ranks},
   * which order as the doubles do, NaN included), and the values read at them.
   */
  private static Tensor.ValuesIndices maxPool2dF64(Geom g, Tensor x) {
    float[] at = maxPool(g, F64Rules.ranks(x).storage())[1];
    double[] in = F64Rules.d(x);
    int ohw = g.oh() * g.ow();
    int hw = g.h() * g.w();
    double[] v = new double[at.length];
    for (int o = 0; o < v.length; o++) {
      v[o] = in[o / ohw * hw + (int) at[o]];
    }
    return new Tensor.ValuesIndices(Tensor.wrap(v, g.outShape()), Tensor.wrap(at, g.outShape(), Tensor.DType.INT64));
  }

  static float[] scatterMax(Geom g, float[] gOut, float[] idx) {
    int ohw = g.oh() * g.ow();
    int hw = g.h() * g.w();
    float[] dx = new float[g.planes() * hw];
    Kernels.get().parallelFor(g.planes(), p -> {
      for (int o = p * ohw; o < (p + 1) * ohw; o++) {
        dx[p * hw + (int) idx[o]] += gOut[o];
      }
    });
    return dx;
  }

  // ---- average pooling

  /** PyTorch's CPU window of average pooling: clipped bounds and the divisor. */
  private interface Window {
    void at(int o, int ih0, int ih1, int iw0, int iw1, double divisor);
  }

  private static void avgWindows(Geom g, boolean countIncludePad, int divisorOverride, Window body, int p) {
    for (int oh = 0; oh < g.oh(); oh++) {
      for (int ow = 0; ow < g.ow(); ow++) {
        int ih0 = oh * g.sh() - g.ph();
        int iw0 = ow * g.sw() - g.pw();
        int ih1 = Math.min(ih0 + g.kh(), g.h() + g.ph());
        int iw1 = Math.min(iw0 + g.kw(), g.w() + g.pw());
        int poolSize = (ih1 - ih0) * (iw1 - iw0);
        ih0 = Math.max(ih0, 0);
        iw0 = Math.max(iw0, 0);
        ih1 = Math.min(ih1, g.h());
        iw1 = Math.min(iw1, g.w());
        double divisor = divisorOverride != 0 ? divisorOverride
            : countIncludePad ? poolSize : (ih1 - ih0) * (iw1 - iw0);
        body.at((p * g.oh() + oh) * g.ow() + ow, ih0, ih1, iw0, iw1, divisor);
      }
    }
  }

  private static final int[] ONE = {1};

  /**
   * {@code avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)} (no divisor override):
   * each window's sum (in double, as PyTorch's CPU kernel accumulates) divided by its size, counting the
   * padding or not.
   */
  public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
      boolean countIncludePad) {
    Geom g = geom("avgPool2d", x, kernel, stride, padding, ONE, ceilMode);
    if (F64Rules.any(x)) {
      double[] in = F64Rules.d(x);
      double[] out = new double[g.planes() * g.oh() * g.ow()];
      int hw = g.h() * g.w();
      for (int q = 0; q < g.planes(); q++) {
        int p = q;
        avgWindows(g, countIncludePad, 0, (o, ih0, ih1, iw0, iw1, div) -> {
          double sum = 0;
          for (int ih = ih0; ih < ih1; ih++) {
            for (int iw = iw0; iw < iw1; iw++) {
              sum += in[p * hw + ih * g.w() + iw];
            }
          }
          out[o] = ih0 >= ih1 || iw0 >= iw1 ? 0 : sum / div;
        }, p);
      }
      return Tensor.wrap(out, g.outShape());
    }
    float[] in = x.storage();
    float[] out = new float[g.planes() * g.oh() * g.ow()];
    int hw = g.h() * g.w();
    Kernels.get().parallelFor(g.planes(), p -> avgWindows(g, countIncludePad, 0, (o, ih0, ih1, iw0, iw1, div) -> {
      if (ih0 >= ih1 || iw0 >= iw1) {
        return;
      }
      double sum = 0;
      for (int ih = ih0; ih < ih1; ih++) {
        for (int iw = iw0; iw < iw1; iw++) {
          sum += in[p * hw + ih * g.w() + iw];
        }
      }
      out[o] = (float) (sum / div);
    }, p));
    return Tensor.wrap(out, g.outShape());
  }

  /** ∂x: each output's gradient divided by its window's divisor, added to the window's elements. */
  public static Grads avgPool2dVjp(Tensor gOut, Tensor out, Tensor x, int[] kernel, int[] stride, int[] padding,
      boolean ceilMode, boolean countIncludePad) {
    Geom g = geom("avgPool2d", x, kernel, stride, padding, ONE, ceilMode);
    if (F64Rules.any(gOut, x)) {
      double[] go = F64Rules.d(gOut);
      int hw = g.h() * g.w();
      double[] dx = new double[g.planes() * hw];
      for (int q = 0; q < g.planes(); q++) {
        int p = q;
        avgWindows(g, countIncludePad, 0, (o, ih0, ih1, iw0, iw1, div) -> {
          for (int ih = ih0; ih < ih1; ih++) {
            for (int iw = iw0; iw < iw1; iw++) {
              dx[p * hw + ih * g.w() + iw] += go[o] / div;
            }
          }
        }, p);
      }
      return Grads.of(Tensor.wrap(dx, x.shape()));
    }
    float[] go = gOut.storage();
    int hw = g.h() * g.w();
    float[] dx = new float[g.planes() * hw];
    Kernels.get().parallelFor(g.planes(), p -> avgWindows(g, countIncludePad, 0, (o, ih0, ih1, iw0, iw1, div) -> {
      float d = (float) (go[o] / div);
      for (int ih = ih0; ih < ih1; ih++) {
        for (int iw = iw0; iw < iw1; iw++) {
          dx[p * hw + ih * g.w() + iw] += d;
        }
      }
    }, p));
    return Grads.of(Tensor.wrapLike(dx, x));
  }

  // ---- adaptive average pooling

  private static int start(int o, int out, int in) {
    return (int) Math.floor((double) o * in / out);
  }

  private static int end(int o, int out, int in) {
    return (int) Math.ceil((double) (o + 1) * in / out);
  }

  private static int[] adaptiveShape(Tensor x, int[] outputSize) {
    if (x.dim() != 3 && x.dim() != 4) {
      throw new IllegalArgumentException("adaptiveAvgPool2d: Expected 3D or 4D tensor, but got "
          + Shapes.str(x.shape()));
    }
    int oh = pick(outputSize, 0, "output_size", "adaptiveAvgPool2d");
    int ow = pick(outputSize, 1, "output_size", "adaptiveAvgPool2d");
    if (oh <= 0 || ow <= 0) {
      throw new IllegalArgumentException("adaptiveAvgPool2d: output_size must be positive, got "
          + Arrays.toString(outputSize));
    }
    int[] s = x.shape();
    s[s.length - 2] = oh;
    s[s.length - 1] = ow;
    return s;
  }

  /** One (output cell, input element, window size) triple of adaptive average pooling. */
  private interface Cell {
    void at(int out, int in, double size);
  }

  private static void adaptiveCells(int planes, int h, int w, int oh, int ow, Cell body) {
    for (int p = 0; p < planes; p++) {
      for (int i = 0; i < oh; i++) {
        int h0 = start(i, oh, h);
        int h1 = end(i, oh, h);
        for (int j = 0; j < ow; j++) {
          int w0 = start(j, ow, w);
          int w1 = end(j, ow, w);
          double size = (double) (h1 - h0) * (w1 - w0);
          for (int ih = h0; ih < h1; ih++) {
            for (int iw = w0; iw < w1; iw++) {
              body.at((p * oh + i) * ow + j, (p * h + ih) * w + iw, size);
            }
          }
        }
      }
    }
  }

  /** {@code adaptive_avg_pool2d}: output cell {@code o} averages input rows {@code [⌊o·H/OH⌋, ⌈(o+1)·H/OH⌉)}. */
  public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
    int[] os = adaptiveShape(x, outputSize);
    int d = os.length;
    int h = x.shape()[d - 2];
    int w = x.shape()[d - 1];
    int oh = os[d - 2];
    int ow = os[d - 1];
    int planes = x.numel() / (h * w);
    if (F64Rules.any(x)) {
      double[] in = F64Rules.d(x);
      double[] out = new double[planes * oh * ow];
      adaptiveCells(planes, h, w, oh, ow, (o, i, size) -> out[o] += in[i] / size);
      return Tensor.wrap(out, os);
    }
    float[] in = x.storage();
    float[] out = new float[planes * oh * ow];
    Kernels.get().parallelFor(planes, p -> {
      for (int i = 0; i < oh; i++) {
        int h0 = start(i, oh, h);
        int h1 = end(i, oh, h);
        for (int j = 0; j < ow; j++) {
          int w0 = start(j, ow, w);
          int w1 = end(j, ow, w);
          float sum = 0;
          for (int ih = h0; ih < h1; ih++) {
            for (int iw = w0; iw < w1; iw++) {
              sum += in[(p * h + ih) * w + iw];
            }
          }
          out[(p * oh + i) * ow + j] = sum / (h1 - h0) / (w1 - w0);
        }
      }
    });
    return Tensor.wrap(out, os);
  }

  /** The node of {@code adaptiveAvgPool2d}: PyTorch computes a 1×1 output as a mean, {@code MeanBackward1}. */
  public static String adaptiveAvgPool2dNode(Tensor x, int[] outputSize) {
    int[] os = adaptiveShape(x, outputSize);
    return os[os.length - 1] == 1 && os[os.length - 2] == 1 ? "MeanBackward1" : "AdaptiveAvgPool2DBackward0";
  }

  /** ∂x: each output's gradient divided by its window's size, added to the window. */
  public static Grads adaptiveAvgPool2dVjp(Tensor gOut, Tensor out, Tensor x, int[] outputSize) {
    int[] os = adaptiveShape(x, outputSize);
    int d = os.length;
    int h = x.shape()[d - 2];
    int w = x.shape()[d - 1];
    int oh = os[d - 2];
    int ow = os[d - 1];
    int planes = x.numel() / (h * w);
    if (F64Rules.any(gOut, x)) {
      double[] go = F64Rules.d(gOut);
      double[] dx = new double[x.numel()];
      adaptiveCells(planes, h, w, oh, ow, (o, i, size) -> dx[i] += go[o] / size);
      return Grads.of(Tensor.wrap(dx, x.shape()), null);
    }
    float[] go = gOut.storage();
    float[] dx = new float[x.numel()];
    Kernels.get().parallelFor(planes, p -> {
      for (int i = 0; i < oh; i++) {
        int h0 = start(i, oh, h);
        int h1 = end(i, oh, h);
        for (int j = 0; j < ow; j++) {
          int w0 = start(j, ow, w);
          int w1 = end(j, ow, w);
          float gv = go[(p * oh + i) * ow + j] / (h1 - h0) / (w1 - w0);
          for (int ih = h0; ih < h1; ih++) {
            for (int iw = w0; iw < w1; iw++) {
              dx[(p * h + ih) * w + iw] += gv;
            }
          }
        }
      }
    });
    return Grads.of(Tensor.wrapLike(dx, x), null);
  }
}
