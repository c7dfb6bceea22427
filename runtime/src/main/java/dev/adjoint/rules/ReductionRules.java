package dev.adjoint.rules;

import dev.adjoint.Autograd;
import dev.adjoint.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;

/** Reductions (sum, mean, max) over all elements or one dimension, with their adjoints. */
public final class ReductionRules {
  private ReductionRules() {}

  /** Spreads {@code g} (the reduced shape) back over {@code dim} of {@code shape}, times {@code scale}. */
  private static Tensor expand(Tensor g, int[] shape, int dim, float scale) {
    int[] s = Shapes.split(shape, dim);
    float[] src = g.storage();
    float[] out = new float[Shapes.numel(shape)];
    for (int o = 0; o < s[0]; o++) {
      for (int j = 0; j < s[1]; j++) {
        int base = (o * s[1] + j) * s[2];
        for (int i = 0; i < s[2]; i++) {
          out[base + i] = src[o * s[2] + i] * scale;
        }
      }
    }
    return Tensor.wrap(out, shape);
  }

  private static Tensor reduceDim(Tensor a, int dim, boolean keepDim, boolean mean) {
    int[] shape = a.shape();
    int[] s = Shapes.split(shape, dim);
    float[] out = new float[s[0] * s[2]];
    Kernels.get().sumAxis(a.storage(), s[0], s[1], s[2], out);
    if (mean) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= s[1];
      }
    }
    return Tensor.wrap(out, Shapes.reduced(shape, dim, keepDim));
  }

  // ---- sum

  /** The sum of all elements (0-D). */
  public static Tensor sum(Tensor a) {
    Tensor out = Tensor.scalar(Kernels.get().sum(a.storage(), 0, a.numel()));
    return Autograd.record("SumBackward0", null, out, new Tensor[] {a}, new Tensor[0], g -> sumVjp(g, out, a));
  }

  /** ∂a = g broadcast to a's shape. */
  public static Grads sumVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(Tensor.full(g.item(), a.shape()));
  }

  /** The sum over {@code dim}. */
  public static Tensor sum(Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("sum", dim, a.dim());
    Tensor out = a.dim() == 0 ? Tensor.scalar(a.item()) : reduceDim(a, d, keepDim, false);
    return Autograd.record("SumBackward1", null, out, new Tensor[] {a, null, null}, new Tensor[0],
        g -> sumDimVjp(g, out, a, dim, keepDim));
  }

  /** {@code sum(dim)}: the adjoint of {@code sum(dim, false)}. */
  public static Grads sumDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(sumDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g repeated along {@code dim}. */
  public static Grads sumDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (a.dim() == 0) {
      return Grads.of(g, null, null);
    }
    return Grads.of(expand(g, a.shape(), Shapes.dim("sum", dim, a.dim()), 1f), null, null);
  }

  // ---- mean

  /** The mean of all elements (0-D). */
  public static Tensor mean(Tensor a) {
    if (a.numel() == 0) {
      return Tensor.scalar(Float.NaN);
    }
    Tensor out = Tensor.scalar(Kernels.get().sum(a.storage(), 0, a.numel()) / (float) a.numel());
    return Autograd.record("MeanBackward0", null, out, new Tensor[] {a}, new Tensor[0], g -> meanVjp(g, out, a));
  }

  /** ∂a = g / n everywhere. */
  public static Grads meanVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(Tensor.full(g.item() / (float) a.numel(), a.shape()));
  }

  /** The mean over {@code dim}. */
  public static Tensor mean(Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("mean", dim, a.dim());
    Tensor out = a.dim() == 0 ? Tensor.scalar(a.item()) : reduceDim(a, d, keepDim, true);
    return Autograd.record("MeanBackward1", null, out, new Tensor[] {a, null, null}, new Tensor[0],
        g -> meanDimVjp(g, out, a, dim, keepDim));
  }

  /** {@code mean(dim)}: the adjoint of {@code mean(dim, false)}. */
  public static Grads meanDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(meanDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g / n repeated along {@code dim}. */
  public static Grads meanDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (a.dim() == 0) {
      return Grads.of(g, null, null);
    }
    int d = Shapes.dim("mean", dim, a.dim());
    return Grads.of(expand(g, a.shape(), d, 1f / a.shape()[d]), null, null);
  }

  // ---- max

  /** The largest element (0-D). */
  public static Tensor max(Tensor a) {
    if (a.numel() == 0) {
      throw new IllegalArgumentException("max: expected a non-empty tensor (shape " + Shapes.str(a.shape()) + ")");
    }
    Tensor out = Tensor.scalar(Kernels.get().max(a.storage(), 0, a.numel()));
    return Autograd.record("MaxBackward1", out, g -> maxVjp(g, out, a), a);
  }

  /** ∂a = g shared evenly among the elements equal to the maximum (PyTorch's tie rule). */
  public static Grads maxVjp(Tensor g, Tensor out, Tensor a) {
    float m = out.item();
    float[] x = a.storage();
    int count = 0;
    for (float v : x) {
      if (v == m || (Float.isNaN(m) && Float.isNaN(v))) {
        count++;
      }
    }
    float share = g.item() / count;
    float[] ga = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == m || (Float.isNaN(m) && Float.isNaN(x[i]))) {
        ga[i] = share;
      }
    }
    return Grads.of(Tensor.wrap(ga, a.shape()));
  }

  /** The largest values over {@code dim}. */
  public static Tensor max(Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("max", dim, a.dim());
    if (a.dim() == 0) {
      Tensor res0 = Tensor.scalar(a.item());
      return Autograd.record("MaxBackward0", null, res0, new Tensor[] {a, null, null}, new Tensor[0],
          g -> maxDimVjp(g, res0, a, dim, keepDim));
    }
    Tensor idx = argmax(a, dim, keepDim);
    float[] x = a.storage();
    int[] s = Shapes.split(a.shape(), d);
    float[] out = new float[s[0] * s[2]];
    float[] ix = idx.storage();
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        out[o * s[2] + i] = x[(o * s[1] + (int) ix[o * s[2] + i]) * s[2] + i];
      }
    }
    Tensor res = Tensor.wrap(out, Shapes.reduced(a.shape(), d, keepDim));
    return Autograd.record("MaxBackward0", null, res, new Tensor[] {a, null, null}, new Tensor[] {a},
        g -> maxDimVjp(g, res, a, dim, keepDim));
  }

  /** {@code max(dim)}: the adjoint of {@code max(dim, false)}. */
  public static Grads maxDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(maxDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g at the first position of each maximum along {@code dim}, 0 elsewhere. */
  public static Grads maxDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("max", dim, a.dim());
    if (a.dim() == 0) {
      return Grads.of(g, null, null);
    }
    Tensor idx = argmax(a, dim, keepDim);
    int[] s = Shapes.split(a.shape(), d);
    float[] ga = new float[a.numel()];
    float[] gs = g.storage();
    float[] ix = idx.storage();
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        ga[(o * s[1] + (int) ix[o * s[2] + i]) * s[2] + i] = gs[o * s[2] + i];
      }
    }
    return Grads.of(Tensor.wrap(ga, a.shape()), null, null);
  }

  /** The index of the first maximum over {@code dim} (INT64, not recorded). */
  public static Tensor argmax(Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("argmax", dim, a.dim());
    if (a.dim() == 0) {
      return Tensor.wrap(new float[] {0}, new int[0], Tensor.DType.INT64);
    }
    int[] s = Shapes.split(a.shape(), d);
    if (s[1] == 0) {
      throw new IllegalArgumentException("argmax: cannot reduce over a zero-size dimension " + d
          + " (shape " + Shapes.str(a.shape()) + ")");
    }
    float[] x = a.storage();
    float[] out = new float[s[0] * s[2]];
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        int best = 0;
        float bv = x[o * s[1] * s[2] + i];
        for (int j = 1; j < s[1] && !Float.isNaN(bv); j++) {
          float v = x[(o * s[1] + j) * s[2] + i];
          if (v > bv || Float.isNaN(v)) {
            bv = v;
            best = j;
          }
        }
        out[o * s[2] + i] = best;
      }
    }
    return Tensor.wrap(out, Shapes.reduced(a.shape(), d, keepDim), Tensor.DType.INT64);
  }
}
