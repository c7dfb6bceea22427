package dev.adjoint.rules;

import static dev.adjoint.rules.F64Rules.d;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * The float64 path of {@link ConvRules}' convolution: the cross-correlation and its three gradients as direct
 * loops over the same {@link ConvRules.Geom} (padding, stride, dilation, groups), accumulated in double. The
 * float32 path's im2col + GEMM is the fast one; float64 convolutions are for checking and for science code.
 */
public final class F64Layers {
  private F64Layers() {}

  /** Calls {@code body(o, ih, iw, wk)} for every (output, input, weight) triple of a convolution's sums. */
  private interface Term {
    void at(int out, int in, int wk);
  }

  private static void terms(ConvRules.Geom g, Term body) {
    int cg = g.cg();
    int og = g.og();
    for (int n = 0; n < g.n(); n++) {
      for (int o = 0; o < g.o(); o++) {
        int grp = o / og;
        for (int oy = 0; oy < g.oh(); oy++) {
          for (int ox = 0; ox < g.ow(); ox++) {
            int out = ((n * g.o() + o) * g.oh() + oy) * g.ow() + ox;
            for (int cc = 0; cc < cg; cc++) {
              int c = grp * cg + cc;
              for (int i = 0; i < g.kh(); i++) {
                int ih = oy * g.sh() - g.pt() + i * g.dh();
                if (ih < 0 || ih >= g.h()) {
                  continue;
                }
                for (int j = 0; j < g.kw(); j++) {
                  int iw = ox * g.sw() - g.pl() + j * g.dw();
                  if (iw < 0 || iw >= g.w()) {
                    continue;
                  }
                  body.at(out, ((n * g.c() + c) * g.h() + ih) * g.w() + iw, ((o * cg + cc) * g.kh() + i) * g.kw() + j);
                }
              }
            }
          }
        }
      }
    }
  }

  /** {@code conv2d} in double; x, weight (and bias) of one dtype, as PyTorch requires. */
  public static Tensor conv2d(ConvRules.Geom g, Tensor x, Tensor weight, Tensor bias) {
    F64Rules.sameDtype("conv2d", x, weight);
    if (bias != null) {
      F64Rules.sameDtype("conv2d", x, bias);
    }
    double[] xs = d(x);
    double[] ws = d(weight);
    double[] out = new double[g.n() * g.o() * g.oh() * g.ow()];
    if (bias != null) {
      double[] b = d(bias);
      int plane = g.oh() * g.ow();
      for (int k = 0; k < out.length; k++) {
        out[k] = b[(k / plane) % g.o()];
      }
    }
    terms(g, (o, i, k) -> out[o] += xs[i] * ws[k]);
    return Tensor.wrap(out, g.outShape());
  }

  /** ∂x, ∂weight, ∂bias of {@link #conv2d}, each on first read. */
  public static Grads conv2dGrads(ConvRules.Geom g, Tensor gOut, Tensor x, Tensor weight, Tensor bias) {
    double[] go = d(gOut);
    return Grads.lazy(3, which -> {
      if (which == 0) {
        double[] ws = d(weight);
        double[] gx = new double[x.numel()];
        terms(g, (o, i, k) -> gx[i] += go[o] * ws[k]);
        return Tensor.wrap(gx, x.shape());
      }
      if (which == 1) {
        double[] xs = d(x);
        double[] gw = new double[weight.numel()];
        terms(g, (o, i, k) -> gw[k] += go[o] * xs[i]);
        return Tensor.wrap(gw, weight.shape());
      }
      if (bias == null) {
        return null;
      }
      double[] gb = new double[g.o()];
      int plane = g.oh() * g.ow();
      for (int k = 0; k < go.length; k++) {
        gb[(k / plane) % g.o()] += go[k];
      }
      return Tensor.wrap(gb, bias.shape());
    });
  }
}
