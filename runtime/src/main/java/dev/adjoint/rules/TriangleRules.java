package dev.adjoint.rules;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * {@code tril} and {@code triu}: the lower or upper triangle of the last two dimensions (a batch of matrices),
 * the rest zero, with PyTorch's {@code diagonal} offset (0 the main diagonal, positive above it, negative below).
 * Both are linear: the adjoint applies the same mask to the upstream gradient, and so does the JVP.
 */
public final class TriangleRules {
  private TriangleRules() {}

  /** Elements with {@code j - i <= diagonal} of every trailing matrix kept, the others zero. */
  public static Tensor tril(Tensor a, int diagonal) {
    return mask("tril", a, diagonal, true);
  }

  /** ∂a = tril(g, diagonal). Reads nothing. */
  public static Grads trilVjp(Tensor g, Tensor out, Tensor a, int diagonal) {
    return Grads.of(as(mask("tril", g, diagonal, true), a), null);
  }

  /** ṫ = tril(ȧ, diagonal). */
  public static Tensor trilJvp(Tensor ta, Tensor out, Tensor a, int diagonal) {
    return ta == null ? null : mask("tril", ta, diagonal, true);
  }

  /** The adjoint is linear in g and does not read a: its tangent at fixed g is zero. */
  public static Grads trilVjpJvp(Tensor g, Tensor out, Tensor a, int diagonal, Tensor tOut, Tensor ta) {
    return null;
  }

  /** Elements with {@code j - i >= diagonal} of every trailing matrix kept, the others zero. */
  public static Tensor triu(Tensor a, int diagonal) {
    return mask("triu", a, diagonal, false);
  }

  /** ∂a = triu(g, diagonal). Reads nothing. */
  public static Grads triuVjp(Tensor g, Tensor out, Tensor a, int diagonal) {
    return Grads.of(as(mask("triu", g, diagonal, false), a), null);
  }

  /** ṫ = triu(ȧ, diagonal). */
  public static Tensor triuJvp(Tensor ta, Tensor out, Tensor a, int diagonal) {
    return ta == null ? null : mask("triu", ta, diagonal, false);
  }

  /** The adjoint is linear in g and does not read a: its tangent at fixed g is zero. */
  public static Grads triuVjpJvp(Tensor g, Tensor out, Tensor a, int diagonal, Tensor tOut, Tensor ta) {
    return null;
  }

  private static Tensor as(Tensor g, Tensor like) {
    return like == null ? g : F64Rules.as(g, like);
  }

  private static Tensor mask(String op, Tensor a, int diagonal, boolean lower) {
    int[] s = a.shape();
    if (s.length < 2) {
      throw new IllegalArgumentException(op + ": input tensor must have at least 2 dimensions, got shape "
          + java.util.Arrays.toString(s));
    }
    int rows = s[s.length - 2];
    int cols = s[s.length - 1];
    int n = a.numel();
    if (a.dtype() == Tensor.DType.FLOAT64) {
      double[] v = a.toDoubleArray();
      for (int k = 0; k < n; k++) {
        if (!keep(k, rows, cols, diagonal, lower)) {
          v[k] = 0;
        }
      }
      return Tensor.wrap(v, s);
    }
    float[] v = a.toFloatArray();
    for (int k = 0; k < n; k++) {
      if (!keep(k, rows, cols, diagonal, lower)) {
        v[k] = 0;
      }
    }
    return Tensor.wrap(v, s);
  }

  private static boolean keep(int k, int rows, int cols, int diagonal, boolean lower) {
    int j = k % cols;
    int i = (k / cols) % rows;
    long d = (long) j - i;
    return lower ? d <= diagonal : d >= diagonal;
  }
}
