package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ShapeRules;
import java.util.Arrays;

/**
 * Merges dimensions {@code startDim .. endDim} into one ({@code torch.nn.Flatten}); the default keeps the
 * batch dimension and flattens the rest, so {@code (N, 1, 28, 28)} becomes {@code (N, 784)}.
 */
public final class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  /** {@code Flatten(startDim = 1, endDim = -1)}. */
  public Flatten() {
    this(1, -1);
  }

  /** Flattens {@code startDim .. endDim} (inclusive; negative counts from the end). */
  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /**
   * The row generated code differentiates {@link #forward} with (its adjoint and JVP below). The eager forward
   * records through {@link Tensor#reshape}'s row instead, which is the same operation to PyTorch
   * ({@code ReshapeAliasBackward0}) and the one that can return a view.
   */
  @SuppressWarnings("unused")
  private static final Row FORWARD = Row.of(Flatten.class, "forward", Tensor.class);

  /**
   * {@code x.flatten(startDim, endDim)}, as PyTorch's module: a view of {@code x} when its strides allow one (a
   * contiguous batch: no copy, {@code ReshapeAliasBackward0}), else a copy ({@code UnsafeViewBackward0}).
   */
  @Override
  @Primitive(rules = Flatten.class, vjp = "forwardVjp", node = "ReshapeAliasBackward0", reads = {})
  public Tensor forward(Tensor x) {
    return x.reshape(flattenedShape(x));
  }

  /** The adjoint of {@link #forward}: ∂x = g in x's shape ({@code reshape}'s), the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, Flatten self, Tensor x) {
    return Grads.of(null, ShapeRules.reshapeVjp(g, out, x).get(0));
  }

  /** The JVP of {@link #forward}: the tangent flattened the same way; null is zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor out, Flatten self, Tensor x) {
    return tX == null ? null : ShapeRules.reshape(tX, out.shape());
  }

  private int[] flattenedShape(Tensor x) {
    int n = x.dim();
    int s = startDim < 0 ? startDim + n : startDim;
    int e = endDim < 0 ? endDim + n : endDim;
    if (n == 0) {
      return new int[] {1};
    }
    if (s < 0 || e >= n || s > e) {
      throw new IllegalArgumentException("Flatten: start_dim " + startDim + " and end_dim " + endDim
          + " do not fit an input of shape " + Arrays.toString(x.shape()));
    }
    int[] shape = x.shape();
    int[] out = new int[n - (e - s)];
    int merged = 1;
    for (int i = s; i <= e; i++) {
      merged *= shape[i];
    }
    for (int i = 0, j = 0; i < n; i++) {
      if (i < s || i > e) {
        out[j++] = shape[i];
      } else if (i == s) {
        out[j++] = merged;
      }
    }
    return out;
  }

  @Override
  protected String extraRepr() {
    return "start_dim=" + startDim + ", end_dim=" + endDim;
  }
}
