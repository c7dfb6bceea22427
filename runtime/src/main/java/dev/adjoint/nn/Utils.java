package dev.adjoint.nn;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import java.util.List;

/**
 * {@code torch.nn.utils}: gradient clipping and flattening parameters into one vector. Everything here works
 * on the tensors' values without recording, as PyTorch's functions do under {@code no_grad}.
 */
public final class Utils {
  private Utils() {}

  /**
   * {@code clip_grad_norm_(parameters, max_norm, norm_type)}: the total {@code normType}-norm of all gradients
   * (as if concatenated; {@code Double.POSITIVE_INFINITY} for the max norm); when it exceeds {@code maxNorm},
   * every gradient is scaled in place by {@code maxNorm / (total + 1e-6)}. Parameters without a gradient are
   * skipped. Returns the total norm (before clipping), as a 0-d tensor.
   */
  public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm, double normType) {
    double total = 0;
    boolean inf = Double.isInfinite(normType);
    for (Tensor p : parameters) {
      if (p.grad() == null) {
        continue;
      }
      float[] g = p.grad().storage();
      if (inf) {
        for (float v : g) {
          total = Math.max(total, Math.abs(v));
        }
      } else {
        double s = 0;
        for (float v : g) {
          s += Math.pow(Math.abs(v), normType);
        }
        total += s;
      }
    }
    if (!inf) {
      total = Math.pow(total, 1 / normType);
    }
    float coef = (float) (maxNorm / (total + 1e-6));
    if (coef < 1) {
      for (Tensor p : parameters) {
        if (p.grad() != null) {
          float[] g = p.grad().mutableStorage("clipGradNorm_");
          for (int i = 0; i < g.length; i++) {
            g[i] *= coef;
          }
          p.grad().bumpVersion();
        }
      }
    }
    return Tensor.scalar(total);
  }

  /** {@code clip_grad_norm_(parameters, max_norm)}: the Euclidean norm. */
  public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm) {
    return clipGradNorm_(parameters, maxNorm, 2);
  }

  /** {@code clip_grad_value_(parameters, clip_value)}: every gradient element clamped to {@code [-v, v]} in place. */
  public static void clipGradValue_(List<Tensor> parameters, double clipValue) {
    float c = (float) clipValue;
    for (Tensor p : parameters) {
      if (p.grad() != null) {
        float[] g = p.grad().mutableStorage("clipGradValue_");
        for (int i = 0; i < g.length; i++) {
          g[i] = Math.max(-c, Math.min(c, g[i]));
        }
        p.grad().bumpVersion();
      }
    }
  }

  /** {@code parameters_to_vector(parameters)}: the values, flattened and concatenated (a new tensor). */
  public static Tensor parametersToVector(List<Tensor> parameters) {
    int n = 0;
    for (Tensor p : parameters) {
      n += p.numel();
    }
    float[] out = new float[n];
    int at = 0;
    for (Tensor p : parameters) {
      System.arraycopy(p.storage(), 0, out, at, p.numel());
      at += p.numel();
    }
    return Tensor.wrap(out, n);
  }

  /** {@code vector_to_parameters(vec, parameters)}: copies consecutive slices of {@code vec} into the parameters. */
  public static void vectorToParameters(Tensor vec, List<Tensor> parameters) {
    int n = 0;
    for (Tensor p : parameters) {
      n += p.numel();
    }
    if (vec.dim() != 1 || vec.numel() != n) {
      throw new IllegalArgumentException("vectorToParameters: expected a vector of " + n + " elements, got shape "
          + Shapes.str(vec.shape()));
    }
    float[] v = vec.storage();
    int at = 0;
    for (Tensor p : parameters) {
      System.arraycopy(v, at, p.mutableStorage("vectorToParameters"), 0, p.numel());
      p.bumpVersion();
      at += p.numel();
    }
  }
}
