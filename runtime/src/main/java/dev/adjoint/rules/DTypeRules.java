package dev.adjoint.rules;

import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.autograd.Grads;

/**
 * Conversions between dtypes and PyTorch's type promotion ({@code torch.result_type}) over FLOAT32, FLOAT64,
 * INT64 and BOOL: the category (bool &lt; integer &lt; floating) decides first, and within the highest
 * category present, tensors with dimensions outrank 0-dimensional tensors, which outrank Java scalars.
 * So {@code float32[n] + float64[]} is float32, {@code float32[] + float64[]} float64, {@code int64[n] +
 * float64[]} float64, {@code int64[n] * 2.5} float32 (the default dtype) and {@code float64[n] * 2.5}
 * float64.
 */
public final class DTypeRules {
  private DTypeRules() {}

  /** {@code a} converted to {@code dtype} (a new tensor; float64 to float32 rounds to nearest). */
  public static Tensor to(Tensor a, DType dtype) {
    if (a.dtype() == dtype) {
      return a.copy();
    }
    if (dtype == DType.FLOAT64) {
      return Tensor.wrap(a.toDoubleArray(), a.shape());
    }
    float[] f;
    if (a.dtype() == DType.FLOAT64) {
      double[] d = a.storageF64();
      f = new float[d.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = convert(d[i], dtype);
      }
    } else {
      f = a.storage().clone();
      for (int i = 0; i < f.length; i++) {
        f[i] = convert(f[i], dtype);
      }
    }
    return Tensor.wrap(f, a.shape(), dtype);
  }

  private static float convert(double v, DType dtype) {
    return switch (dtype) {
      case BOOL -> v != 0 ? 1f : 0f;
      case INT64 -> (float) (v < 0 ? Math.ceil(v) : Math.floor(v)); // truncation toward zero, as a C cast
      default -> (float) v;
    };
  }

  /** ∂a = g converted back to {@code a}'s dtype ({@code ToCopyBackward0}). */
  public static Grads toVjp(Tensor g, Tensor out, Tensor a, DType dtype) {
    return Grads.of(back(g, a));
  }

  /** The tangent of {@code a.to(dtype)}: {@code ȧ} converted to the result's dtype (a cast is linear). */
  public static Tensor toJvp(Tensor ta, Tensor out, Tensor a, DType dtype) {
    return ta == null ? null : ta.dtype() == out.dtype() ? ta : to(ta, out.dtype());
  }

  /** ∂a of {@code a.toDouble()}: g converted back to {@code a}'s dtype. */
  public static Grads toDoubleVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(back(g, a));
  }

  /** The tangent of {@code a.toDouble()}: {@code ȧ} in float64. */
  public static Tensor toDoubleJvp(Tensor ta, Tensor out, Tensor a) {
    return toJvp(ta, out, a, DType.FLOAT64);
  }

  /** ∂a of {@code a.toFloat()}: g converted back to {@code a}'s dtype. */
  public static Grads toFloatVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(back(g, a));
  }

  /** The tangent of {@code a.toFloat()}: {@code ȧ} in float32. */
  public static Tensor toFloatJvp(Tensor ta, Tensor out, Tensor a) {
    return toJvp(ta, out, a, DType.FLOAT32);
  }

  private static Tensor back(Tensor g, Tensor a) {
    return g.dtype() == a.dtype() ? g : to(g, a.dtype());
  }

  /** The dtype of {@code a op b} for two tensors ({@code torch.result_type(a, b)}). */
  public static DType resultType(Tensor a, Tensor b) {
    DType x = a.dtype();
    DType y = b.dtype();
    if (x == y) {
      return x;
    }
    int cx = category(x);
    int cy = category(y);
    if (cx != cy) {
      return cx > cy ? x : y; // the higher category wins whatever the dimensions
    }
    boolean ax = a.dim() > 0;
    boolean ay = b.dim() > 0;
    if (ax != ay) {
      return ax ? x : y; // same category: a tensor with dimensions outranks a 0-dimensional one
    }
    return rank(x) >= rank(y) ? x : y;
  }

  /** The dtype of {@code a op s} for a Java {@code double} scalar: floating scalars promote only non-floats. */
  public static DType resultType(Tensor a, double s) {
    return a.dtype().isFloatingPoint() ? a.dtype() : DType.FLOAT32;
  }

  /** Whether either operand is FLOAT64 and the pair computes in float64. */
  public static boolean isF64(Tensor a, Tensor b) {
    return (a.dtype() == DType.FLOAT64 || b.dtype() == DType.FLOAT64) && resultType(a, b) == DType.FLOAT64;
  }

  /** Whether an operation mixing {@code a} and {@code b} needs the float64 path (either is FLOAT64). */
  public static boolean anyF64(Tensor a, Tensor b) {
    return a.dtype() == DType.FLOAT64 || b.dtype() == DType.FLOAT64;
  }

  private static int category(DType t) {
    return switch (t) {
      case BOOL -> 0;
      case INT64 -> 1;
      case FLOAT32, FLOAT64 -> 2;
    };
  }

  private static int rank(DType t) {
    return switch (t) {
      case BOOL -> 0;
      case INT64 -> 1;
      case FLOAT32 -> 2;
      case FLOAT64 -> 3;
    };
  }
}
