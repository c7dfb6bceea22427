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
   * skipped. Returns the total norm (before clipping), as a 0-d tensor: float64 when a gradient is float64 (a
   * module after {@code toDouble()}: the norm and the scaling are then computed in double, as PyTorch's), else
   * float32.
   */
  public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm, double normType) {
    double total = 0;
    boolean inf = Double.isInfinite(normType);
    boolean float64 = false;
    for (Tensor p : parameters) {
      if (p.grad() == null) {
        continue;
      }
      double[] g = values(p.grad());
      float64 |= p.grad().dtype() == Tensor.DType.FLOAT64;
      if (inf) {
        for (double v : g) {
          total = Math.max(total, Math.abs(v));
        }
      } else {
        double s = 0;
        for (double v : g) {
          s += Math.pow(Math.abs(v), normType);
        }
        total += s;
      }
    }
    if (!inf) {
      total = Math.pow(total, 1 / normType);
    }
    double coef = maxNorm / (total + 1e-6);
    if (coef < 1) {
      for (Tensor p : parameters) {
        Tensor grad = p.grad();
        if (grad == null) {
          continue;
        }
        if (grad.dtype() == Tensor.DType.FLOAT64) {
          double[] g = grad.mutableStorageF64("clipGradNorm_");
          for (int i = 0; i < g.length; i++) {
            g[i] *= coef;
          }
        } else {
          float c = (float) coef;
          float[] g = grad.mutableStorage("clipGradNorm_");
          for (int i = 0; i < g.length; i++) {
            g[i] *= c;
          }
        }
        grad.bumpVersion();
      }
    }
    return float64 ? Tensor.scalar(total, Tensor.DType.FLOAT64) : Tensor.scalar(total);
  }

  /** A float32 gradient's elements widened, a float64 one's as they are (not copied when dense). */
  private static double[] values(Tensor t) {
    return t.dtype() == Tensor.DType.FLOAT64 ? t.storageF64() : t.toDoubleArray();
  }

  /** {@code clip_grad_norm_(parameters, max_norm)}: the Euclidean norm. */
  public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm) {
    return clipGradNorm_(parameters, maxNorm, 2);
  }

  /**
   * {@code clip_grad_value_(parameters, clip_value)}: every gradient element clamped to {@code [-v, v]} in place
   * (in double for a float64 gradient).
   */
  public static void clipGradValue_(List<Tensor> parameters, double clipValue) {
    float c = (float) clipValue;
    for (Tensor p : parameters) {
      Tensor grad = p.grad();
      if (grad == null) {
        continue;
      }
      if (grad.dtype() == Tensor.DType.FLOAT64) {
        double[] g = grad.mutableStorageF64("clipGradValue_");
        for (int i = 0; i < g.length; i++) {
          g[i] = Math.max(-clipValue, Math.min(clipValue, g[i]));
        }
      } else {
        float[] g = grad.mutableStorage("clipGradValue_");
        for (int i = 0; i < g.length; i++) {
          g[i] = Math.max(-c, Math.min(c, g[i]));
        }
      }
      grad.bumpVersion();
    }
  }

  /**
   * {@code parameters_to_vector(parameters)}: the values, flattened and concatenated (a new tensor); float64 when a
   * parameter is float64 ({@code torch.cat}'s type promotion), else float32.
   */
  public static Tensor parametersToVector(List<Tensor> parameters) {
    int n = 0;
    boolean float64 = false;
    for (Tensor p : parameters) {
      n += p.numel();
      float64 |= p.dtype() == Tensor.DType.FLOAT64;
    }
    int at = 0;
    if (float64) {
      double[] out = new double[n];
      for (Tensor p : parameters) {
        System.arraycopy(p.toDoubleArray(), 0, out, at, p.numel());
        at += p.numel();
      }
      return Tensor.wrap(out, n);
    }
    float[] out = new float[n];
    for (Tensor p : parameters) {
      System.arraycopy(p.storage(), 0, out, at, p.numel());
      at += p.numel();
    }
    return Tensor.wrap(out, n);
  }

  /**
   * {@code vector_to_parameters(vec, parameters)}: copies consecutive slices of {@code vec} into the parameters,
   * each in its own dtype (a float64 slice copied into a float32 parameter is rounded; PyTorch's {@code param.data =
   * ...} would change the parameter's dtype instead).
   */
  public static void vectorToParameters(Tensor vec, List<Tensor> parameters) {
    int n = 0;
    for (Tensor p : parameters) {
      n += p.numel();
    }
    if (vec.dim() != 1 || vec.numel() != n) {
      throw new IllegalArgumentException("vectorToParameters: expected a vector of " + n + " elements, got shape "
          + Shapes.str(vec.shape()));
    }
    boolean float64 = vec.dtype() == Tensor.DType.FLOAT64;
    double[] v64 = float64 ? vec.toDoubleArray() : null;
    float[] v = float64 ? null : vec.storage();
    int at = 0;
    for (Tensor p : parameters) {
      if (p.dtype() == Tensor.DType.FLOAT64) {
        double[] dst = p.mutableStorageF64("vectorToParameters");
        for (int i = 0; i < dst.length; i++) {
          dst[i] = float64 ? v64[at + i] : v[at + i];
        }
      } else if (float64) {
        float[] dst = p.mutableStorage("vectorToParameters");
        for (int i = 0; i < dst.length; i++) {
          dst[i] = (float) v64[at + i];
        }
      } else {
        System.arraycopy(v, at, p.mutableStorage("vectorToParameters"), 0, p.numel());
      }
      p.bumpVersion();
      at += p.numel();
    }
  }
}
