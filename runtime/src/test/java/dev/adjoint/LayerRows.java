package dev.adjoint;

import static dev.adjoint.RuleGradientTest.TOL;
import static dev.adjoint.RuleGradientTest.row;

import dev.adjoint.RuleGradientTest.Domain;
import dev.adjoint.RuleGradientTest.RuleSpec;
import java.util.List;

/**
 * {@link RuleGradientTest}'s rows for issue 18's layers (goldens in {@code goldens/layers.json}, written by
 * {@code layer_goldens.py}): convolution, pooling, normalisation and embedding, each with a plain double
 * reference written from the definition (loops over output elements and windows, sharing no code with the
 * rules), against which central differences and the inner-product identity check the adjoints.
 */
final class LayerRows {
  private LayerRows() {}

  static final List<RuleSpec> TABLE = List.of(
      row("F.conv2d(Tensor,Tensor,Tensor)", 3, Domain.ANY, TOL,
          a -> conv2d(a.d(0), a.d(1), (DRef) a.ref[2], new int[] {1}, new int[] {0}, new int[] {1}, 1),
          "conv2d_plain", "conv2d_plain_nobias"),
      row("F.conv2d(Tensor,Tensor,Tensor,int[],int[],int[],int)", 7, Domain.ANY, TOL,
          a -> conv2d(a.d(0), a.d(1), (DRef) a.ref[2], a.ints(3), a.ref[4], a.ints(5), a.i(6)),
          "conv2d_stride_pad", "conv2d_dilation_groups", "conv2d_depthwise_nobias", "conv2d_unbatched", "conv2d_1x1"),
      row("F.conv2d(Tensor,Tensor,Tensor,int[],String,int[],int)", 7, Domain.ANY, TOL,
          a -> conv2d(a.d(0), a.d(1), (DRef) a.ref[2], a.ints(3), a.ref[4], a.ints(5), a.i(6)),
          "conv2d_same_even", "conv2d_same_dilated", "conv2d_valid"),
      row("F.conv1d(Tensor,Tensor,Tensor,int[],int[],int[],int)", 7, Domain.ANY, TOL,
          a -> conv1d(a.d(0), a.d(1), (DRef) a.ref[2], a.ints(3), a.ref[4], a.ints(5), a.i(6)),
          "conv1d", "conv1d_unbatched"),
      row("F.convTranspose2d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])", 8, Domain.ANY, TOL,
          a -> convTranspose2d(a.d(0), a.d(1), (DRef) a.ref[2], a.ints(3), a.ints(4), a.ints(5), a.i(6), a.ints(7)),
          "conv_transpose2d", "conv_transpose2d_stride_pad_out", "conv_transpose2d_groups_dilation",
          "conv_transpose2d_unbatched"),
      row("F.convTranspose1d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])", 8, Domain.ANY, TOL,
          a -> convTranspose1d(a.d(0), a.d(1), (DRef) a.ref[2], a.ints(3), a.ints(4), a.ints(5), a.i(6), a.ints(7)),
          "conv_transpose1d", "conv_transpose1d_unbatched_groups"),
      row("F.conv1d(Tensor,Tensor,Tensor,int[],String,int[],int)", 7, Domain.ANY, TOL,
          a -> conv1d(a.d(0), a.d(1), (DRef) a.ref[2], a.ints(3), a.ref[4], a.ints(5), a.i(6)),
          "conv1d_same_groups"),
      row("F.maxPool2d(Tensor,int[],int[],int[],int[],boolean)", 6, Domain.DISTINCT, TOL,
          a -> pool(a.d(0), a.ints(1), a.ints(2), a.ints(3), a.ints(4), a.b(5), true, true),
          "max_pool2d", "max_pool2d_stride_pad", "max_pool2d_ceil", "max_pool2d_dilation"),
      row("F.avgPool2d(Tensor,int[],int[],int[],boolean,boolean)", 6, Domain.ANY, TOL,
          a -> pool(a.d(0), a.ints(1), a.ints(2), a.ints(3), new int[] {1}, a.b(4), false, a.b(5)),
          "avg_pool2d", "avg_pool2d_pad_exclude", "avg_pool2d_pad_include_ceil", "avg_pool2d_ceil_exclude"),
      row("F.maxPool2d(Tensor,int)", 2, Domain.DISTINCT, TOL,
          a -> pool(a.d(0), new int[] {a.i(1)}, new int[0], new int[] {0}, new int[] {1}, false, true, true),
          "max_pool2d_int"),
      row("F.avgPool2d(Tensor,int)", 2, Domain.ANY, TOL,
          a -> pool(a.d(0), new int[] {a.i(1)}, new int[0], new int[] {0}, new int[] {1}, false, false, true),
          "avg_pool2d_int"),
      row("diagonal()", 1, Domain.ANY, TOL, a -> ViewRef.diagonal(a.d(0), 0, 0, 1), "diagonal_noargs",
          "diagonal_noargs_3d"),
      row("flatten()", 1, Domain.ANY, TOL, a -> ViewRef.flatten(a.d(0), 0, -1), "flatten_noargs"),
      row("F.adaptiveAvgPool2d(Tensor,int[])", 2, Domain.ANY, TOL, a -> adaptive(a.d(0), a.ints(1)),
          "adaptive_avg_pool2d", "adaptive_avg_pool2d_one", "adaptive_avg_pool2d_up"),
      row("F.batchNorm(Tensor,Tensor,Tensor,Tensor,Tensor,boolean,double,double)", 8, Domain.ANY, TOL,
          a -> norm(a.d(0), 1, 1, (DRef) a.ref[3], (DRef) a.ref[4], a.s(7), Norm.BATCH),
          "batch_norm_1d", "batch_norm_3d", "batch_norm_2d", "batch_norm_no_affine"),
      row("F.layerNorm(Tensor,int[],Tensor,Tensor,double)", 5, Domain.ANY, TOL,
          a -> norm(a.d(0), DRef.numel(a.ints(1)), 1, (DRef) a.ref[2], (DRef) a.ref[3], a.s(4), Norm.LAYER),
          "layer_norm", "layer_norm_two_dims", "layer_norm_no_affine"),
      row("F.groupNorm(Tensor,int,Tensor,Tensor,double)", 5, Domain.ANY, TOL,
          a -> norm(a.d(0), 0, a.i(1), (DRef) a.ref[2], (DRef) a.ref[3], a.s(4), Norm.GROUP),
          "group_norm", "group_norm_3d", "group_norm_no_affine"),
      row("F.embedding(Tensor,Tensor,int)", 3, Domain.ANY, TOL,
          a -> embedding(a.d(0), a.d(1), a.i(2), DRef.of((Tensor) a.java[1])),
          "embedding", "embedding_padding", "embedding_padding_negative"));

  private static int at(int[] v, int i) {
    return v.length == 1 ? v[0] : v[i];
  }

  /** Cross-correlation from the definition; {@code padding} an int[] (symmetric) or "same"/"valid". */
  static DRef conv2d(DRef x, DRef w, DRef b, int[] stride, Object padding, int[] dilation, int groups) {
    boolean batched = x.shape.length == 4;
    int[] xs = batched ? x.shape : new int[] {1, x.shape[0], x.shape[1], x.shape[2]};
    int n = xs[0];
    int c = xs[1];
    int h = xs[2];
    int wd = xs[3];
    int o = w.shape[0];
    int kh = w.shape[2];
    int kw = w.shape[3];
    int sh = at(stride, 0);
    int sw = at(stride, 1);
    int dh = at(dilation, 0);
    int dw = at(dilation, 1);
    int pt;
    int pl;
    int oh;
    int ow;
    if ("same".equals(padding)) {
      pt = dh * (kh - 1) / 2;
      pl = dw * (kw - 1) / 2;
      oh = h;
      ow = wd;
    } else {
      int[] p = "valid".equals(padding) ? new int[] {0} : (int[]) padding;
      pt = at(p, 0);
      pl = at(p, 1);
      oh = (h + 2 * pt - dh * (kh - 1) - 1) / sh + 1;
      ow = (wd + 2 * pl - dw * (kw - 1) - 1) / sw + 1;
    }
    int cg = c / groups;
    int og = o / groups;
    double[] out = new double[n * o * oh * ow];
    for (int ni = 0; ni < n; ni++) {
      for (int oc = 0; oc < o; oc++) {
        int g = oc / og;
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++) {
            double acc = b == null ? 0 : b.v[oc];
            for (int ci = 0; ci < cg; ci++) {
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  int ih = y * sh - pt + i * dh;
                  int iw = z * sw - pl + j * dw;
                  if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                    acc += x.v[((ni * c + g * cg + ci) * h + ih) * wd + iw] * w.v[((oc * cg + ci) * kh + i) * kw + j];
                  }
                }
              }
            }
            out[((ni * o + oc) * oh + y) * ow + z] = acc;
          }
        }
      }
    }
    return new DRef(out, batched ? new int[] {n, o, oh, ow} : new int[] {o, oh, ow});
  }

  /**
   * Transposed convolution from the definition: each input element scatters {@code x·w} to the output positions
   * {@code y·stride - pad + i·dil} (weight {@code (C, O/groups, kH, kW)}), then the bias.
   */
  static DRef convTranspose2d(DRef x, DRef w, DRef b, int[] stride, int[] padding, int[] outputPadding, int groups,
      int[] dilation) {
    boolean batched = x.shape.length == 4;
    int[] xs = batched ? x.shape : new int[] {1, x.shape[0], x.shape[1], x.shape[2]};
    int n = xs[0];
    int c = xs[1];
    int h = xs[2];
    int wd = xs[3];
    int og = w.shape[1];
    int o = og * groups;
    int cg = c / groups;
    int kh = w.shape[2];
    int kw = w.shape[3];
    int oh = (h - 1) * at(stride, 0) - 2 * at(padding, 0) + at(dilation, 0) * (kh - 1) + at(outputPadding, 0) + 1;
    int ow = (wd - 1) * at(stride, 1) - 2 * at(padding, 1) + at(dilation, 1) * (kw - 1) + at(outputPadding, 1) + 1;
    double[] out = new double[n * o * oh * ow];
    for (int ni = 0; ni < n; ni++) {
      for (int ci = 0; ci < c; ci++) {
        int g = ci / cg;
        for (int y = 0; y < h; y++) {
          for (int z = 0; z < wd; z++) {
            double v = x.v[((ni * c + ci) * h + y) * wd + z];
            for (int oc = 0; oc < og; oc++) {
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  int py = y * at(stride, 0) - at(padding, 0) + i * at(dilation, 0);
                  int pz = z * at(stride, 1) - at(padding, 1) + j * at(dilation, 1);
                  if (py >= 0 && py < oh && pz >= 0 && pz < ow) {
                    out[((ni * o + g * og + oc) * oh + py) * ow + pz] += v * w.v[((ci * og + oc) * kh + i) * kw + j];
                  }
                }
              }
            }
          }
        }
      }
    }
    if (b != null) {
      for (int k = 0; k < out.length; k++) {
        out[k] += b.v[k / (oh * ow) % o];
      }
    }
    return new DRef(out, batched ? new int[] {n, o, oh, ow} : new int[] {o, oh, ow});
  }

  static DRef convTranspose1d(DRef x, DRef w, DRef b, int[] stride, int[] padding, int[] outputPadding, int groups,
      int[] dilation) {
    int[] s = x.shape;
    int[] x2 = s.length == 3 ? new int[] {s[0], s[1], 1, s[2]} : new int[] {s[0], 1, s[1]};
    DRef y = convTranspose2d(new DRef(x.v, x2), new DRef(w.v, new int[] {w.shape[0], w.shape[1], 1, w.shape[2]}), b,
        new int[] {1, stride[0]}, new int[] {0, padding[0]}, new int[] {0, outputPadding[0]}, groups,
        new int[] {1, dilation[0]});
    int[] ys = y.shape;
    return new DRef(y.v, ys.length == 4 ? new int[] {ys[0], ys[1], ys[3]} : new int[] {ys[0], ys[2]});
  }

  static DRef conv1d(DRef x, DRef w, DRef b, int[] stride, Object padding, int[] dilation, int groups) {
    int[] s = x.shape;
    int[] x2 = s.length == 3 ? new int[] {s[0], s[1], 1, s[2]} : new int[] {s[0], 1, s[1]};
    Object p = padding instanceof int[] q ? new int[] {0, q[0]} : padding;
    DRef y = conv2d(new DRef(x.v, x2), new DRef(w.v, new int[] {w.shape[0], w.shape[1], 1, w.shape[2]}), b,
        new int[] {1, stride[0]}, p, new int[] {1, dilation[0]}, groups);
    int[] ys = y.shape;
    return new DRef(y.v, ys.length == 4 ? new int[] {ys[0], ys[1], ys[3]} : new int[] {ys[0], ys[2]});
  }

  private static int outSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
    int num = in + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
    int out = Math.floorDiv(num, stride) + 1;
    if (ceil && (out - 1) * stride >= in + pad) {
      out--;
    }
    return out;
  }

  /** Max or average pooling from the definition (PyTorch's windows and divisors). */
  static DRef pool(DRef x, int[] kernel, int[] strideIn, int[] padding, int[] dilation, boolean ceil, boolean max,
      boolean countIncludePad) {
    int d = x.shape.length;
    int h = x.shape[d - 2];
    int wd = x.shape[d - 1];
    int planes = DRef.numel(x.shape) / (h * wd);
    int kh = at(kernel, 0);
    int kw = at(kernel, 1);
    int[] stride = strideIn.length == 0 ? kernel : strideIn;
    int sh = at(stride, 0);
    int sw = at(stride, 1);
    int ph = at(padding, 0);
    int pw = at(padding, 1);
    int dh = at(dilation, 0);
    int dw = at(dilation, 1);
    int oh = outSize(h, kh, ph, sh, dh, ceil);
    int ow = outSize(wd, kw, pw, sw, dw, ceil);
    double[] out = new double[planes * oh * ow];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < oh; y++) {
        for (int z = 0; z < ow; z++) {
          double best = Double.NEGATIVE_INFINITY;
          double sum = 0;
          int count = 0;
          for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
              int ih = y * sh - ph + i * dh;
              int iw = z * sw - pw + j * dw;
              boolean inside = ih >= 0 && ih < h && iw >= 0 && iw < wd;
              if (inside) {
                double v = x.v[(p * h + ih) * wd + iw];
                best = Math.max(best, v);
                sum += v;
                count++;
              } else if (ih < h + ph && iw < wd + pw && countIncludePad) {
                count++; // padding inside the padded input counts, beyond it does not (PyTorch)
              }
            }
          }
          out[(p * oh + y) * ow + z] = max ? best : sum / count;
        }
      }
    }
    int[] s = x.shape.clone();
    s[d - 2] = oh;
    s[d - 1] = ow;
    return new DRef(out, s);
  }

  static DRef adaptive(DRef x, int[] size) {
    int d = x.shape.length;
    int h = x.shape[d - 2];
    int wd = x.shape[d - 1];
    int oh = at(size, 0);
    int ow = at(size, 1);
    int planes = DRef.numel(x.shape) / (h * wd);
    double[] out = new double[planes * oh * ow];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < oh; y++) {
        int h0 = y * h / oh;
        int h1 = ((y + 1) * h + oh - 1) / oh;
        for (int z = 0; z < ow; z++) {
          int w0 = z * wd / ow;
          int w1 = ((z + 1) * wd + ow - 1) / ow;
          double sum = 0;
          for (int i = h0; i < h1; i++) {
            for (int j = w0; j < w1; j++) {
              sum += x.v[(p * h + i) * wd + j];
            }
          }
          out[(p * oh + y) * ow + z] = sum / ((h1 - h0) * (w1 - w0));
        }
      }
    }
    int[] s = x.shape.clone();
    s[d - 2] = oh;
    s[d - 1] = ow;
    return new DRef(out, s);
  }

  enum Norm { BATCH, LAYER, GROUP }

  /**
   * Normalisation from the definition: elements grouped (batch: by channel over N and the rest; layer: the
   * last {@code m} elements of each row; group: {@code groups} channel groups of each sample), normalised by
   * their mean and biased variance, then the affine map (per channel; per element for layer norm).
   */
  static DRef norm(DRef x, int m, int groups, DRef w, DRef b, double eps, Norm kind) {
    int total = x.v.length;
    int n = x.shape[0];
    int c = x.shape.length > 1 ? x.shape[1] : 1;
    int s = kind == Norm.LAYER ? 0 : total / (n * c);
    int[] key = new int[total];
    int[] affine = new int[total];
    int keys;
    for (int e = 0; e < total; e++) {
      switch (kind) {
        case BATCH -> {
          key[e] = (e / s) % c;
          affine[e] = key[e];
        }
        case LAYER -> {
          key[e] = e / m;
          affine[e] = e % m;
        }
        case GROUP -> {
          int ch = (e / s) % c;
          key[e] = (e / (s * c)) * groups + ch / (c / groups);
          affine[e] = ch;
        }
        default -> throw new AssertionError();
      }
    }
    keys = switch (kind) {
      case BATCH -> c;
      case LAYER -> total / m;
      case GROUP -> n * groups;
    };
    double[] sum = new double[keys];
    double[] cnt = new double[keys];
    for (int e = 0; e < total; e++) {
      sum[key[e]] += x.v[e];
      cnt[key[e]]++;
    }
    double[] sq = new double[keys];
    for (int e = 0; e < total; e++) {
      double dv = x.v[e] - sum[key[e]] / cnt[key[e]];
      sq[key[e]] += dv * dv;
    }
    double[] out = new double[total];
    for (int e = 0; e < total; e++) {
      int k = key[e];
      double y = (x.v[e] - sum[k] / cnt[k]) / Math.sqrt(sq[k] / cnt[k] + eps);
      out[e] = y * (w == null ? 1 : w.v[affine[e]]) + (b == null ? 0 : b.v[affine[e]]);
    }
    return new DRef(out, x.shape);
  }

  /**
   * Rows of {@code w} at {@code idx}; the padding row is read from {@code fixed} (the unperturbed weight), since
   * PyTorch gives it no gradient although the forward reads it.
   */
  static DRef embedding(DRef idx, DRef w, int paddingIdx, DRef fixed) {
    int dim = w.shape[1];
    int rows = w.shape[0];
    int pad = paddingIdx == dev.adjoint.rules.NormRules.NO_PADDING ? -1 : paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
    double[] out = new double[idx.v.length * dim];
    for (int i = 0; i < idx.v.length; i++) {
      int r = (int) idx.v[i];
      System.arraycopy(r == pad ? fixed.v : w.v, r * dim, out, i * dim, dim);
    }
    int[] s = java.util.Arrays.copyOf(idx.shape, idx.shape.length + 1);
    s[idx.shape.length] = dim;
    return new DRef(out, s);
  }
}
