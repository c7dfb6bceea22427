package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import java.util.Arrays;

/** Helpers shared by the rule families: broadcasting loops, un-broadcasting, fresh outputs. */
public final class Rules {
  private Rules() {}

  /** A binary float function applied elementwise. */
  @FunctionalInterface
  public interface BinaryOp {
    float apply(float a, float b);
  }

  /** A unary float function applied elementwise. */
  @FunctionalInterface
  public interface UnaryOp {
    float apply(float x);
  }

  /** {@code f(a, b)} elementwise with broadcasting; the output has the broadcast shape. */
  public static Tensor broadcastBinary(String op, Tensor a, Tensor b, BinaryOp f) {
    int[] as = a.shape();
    int[] bs = b.shape();
    int[] os = Shapes.broadcast(op, as, bs);
    float[] x = a.storage();
    float[] y = b.storage();
    float[] out = new float[Shapes.numel(os)];
    if (x.length == out.length && y.length == out.length) {
      for (int i = 0; i < out.length; i++) {
        out[i] = f.apply(x[i], y[i]);
      }
    } else if (y.length == 1 && x.length == out.length) {
      float v = y[0];
      for (int i = 0; i < out.length; i++) {
        out[i] = f.apply(x[i], v);
      }
    } else if (x.length == 1 && y.length == out.length) {
      float v = x[0];
      for (int i = 0; i < out.length; i++) {
        out[i] = f.apply(v, y[i]);
      }
    } else if (out.length > 0) {
      // one row of the last dimension at a time, where each operand either runs along (stride 1) or repeats
      // one value (stride 0, a column broadcast like [n,1] + [n,m]); the other dimensions by an odometer
      int[] sa = Shapes.broadcastStrides(as, os);
      int[] sb = Shapes.broadcastStrides(bs, os);
      int last = os.length - 1;
      int inner = os[last];
      int ia = sa[last];
      int ib = sb[last];
      int[] idx = new int[os.length];
      int oa = 0;
      int ob = 0;
      for (int o = 0; o < out.length; o += inner) {
        if (ia == 1 && ib == 0) {
          float v = y[ob];
          for (int j = 0; j < inner; j++) {
            out[o + j] = f.apply(x[oa + j], v);
          }
        } else if (ia == 0 && ib == 1) {
          float u = x[oa];
          for (int j = 0; j < inner; j++) {
            out[o + j] = f.apply(u, y[ob + j]);
          }
        } else {
          for (int j = 0; j < inner; j++) {
            out[o + j] = f.apply(x[oa + j * ia], y[ob + j * ib]);
          }
        }
        for (int d = last - 1; d >= 0; d--) {
          oa += sa[d];
          ob += sb[d];
          if (++idx[d] < os[d]) {
            break;
          }
          oa -= sa[d] * os[d];
          ob -= sb[d] * os[d];
          idx[d] = 0;
        }
      }
    }
    return Tensor.wrap(out, os);
  }

  /** {@code f(x)} elementwise. */
  public static Tensor unary(Tensor a, UnaryOp f) {
    float[] x = a.storage();
    float[] out = new float[x.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.apply(x[i]);
    }
    return Tensor.wrapLike(out, a);
  }

  /** A kernel of the form {@code f(in, out, n)}, e.g. {@code Kernels.get()::exp}. */
  @FunctionalInterface
  public interface UnaryKernel {
    void apply(float[] in, float[] out, int n);
  }

  /** {@code f(x)} elementwise through a vectorised kernel. */
  public static Tensor unaryKernel(Tensor a, UnaryKernel f) {
    float[] out = new float[a.numel()];
    f.apply(a.storage(), out, out.length);
    return Tensor.wrapLike(out, a);
  }

  /**
   * Whether {@code row} broadcasts against {@code a} as one row repeated over all of {@code a}'s leading
   * dimensions: {@code row}'s shape, without leading 1s, is {@code [n]} and {@code a} (at least 2-D) ends
   * in {@code n}, as a linear layer's bias against its {@code (batch, n)} output.
   */
  public static boolean isRowOf(Tensor row, Tensor a) {
    int[] rs = row.shape();
    int[] as = a.shape();
    if (as.length < 2 || rs.length == 0 || rs.length > as.length || row.numel() == 0
        || row.numel() != as[as.length - 1]) {
      return false;
    }
    for (int i = 0; i < rs.length - 1; i++) {
      if (rs[i] != 1) {
        return false;
      }
    }
    return rs[rs.length - 1] == as[as.length - 1];
  }

  /**
   * Whether {@code column} has {@code a}'s shape but for a last dimension of 1 ({@code [.., m, 1]} against
   * {@code [.., m, n]}, {@code n > 1}), so {@code a + column} adds one value to each row of {@code a}.
   */
  public static boolean isColumnOf(Tensor column, Tensor a) {
    int[] cs = column.shape();
    int[] as = a.shape();
    if (as.length < 2 || cs.length != as.length || cs[cs.length - 1] != 1 || as[as.length - 1] <= 1) {
      return false;
    }
    for (int i = 0; i < cs.length - 1; i++) {
      if (cs[i] != as[i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code a + column} where {@link #isColumnOf}{@code (column, a)}; the result has {@code a}'s shape. */
  public static Tensor addColumn(Tensor a, Tensor column) {
    int rows = column.numel();
    float[] out = new float[a.numel()];
    dev.adjoint.kernel.Kernels.get().addColumn(a.storage(), column.storage(), out, rows,
        rows == 0 ? 0 : out.length / rows);
    return Tensor.wrapLike(out, a);
  }

  /** {@code a + row} where {@link #isRowOf}{@code (row, a)}; the result has {@code a}'s shape. */
  public static Tensor addRow(Tensor a, Tensor row) {
    int n = row.numel();
    float[] out = new float[a.numel()];
    dev.adjoint.kernel.Kernels.get().addRow(a.storage(), row.storage(), out, n == 0 ? 0 : out.length / n, n);
    return Tensor.wrapLike(out, a);
  }

  /**
   * Sums {@code g} down to {@code like}'s shape over the dimensions that broadcasting expanded: the adjoint of
   * broadcasting. Returns {@code g} itself when the shapes already agree.
   */
  public static Tensor unbroadcast(Tensor g, Tensor like) {
    return g.sameShape(like) ? g : unbroadcast(g, like.shape());
  }

  /** {@link #unbroadcast(Tensor, Tensor)} to {@code shape}. */
  public static Tensor unbroadcast(Tensor g, int[] shape) {
    if (F64Rules.any(g)) {
      return F64Rules.unbroadcast(g, shape);
    }
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) {
      return g;
    }
    float[] src = g.storage();
    float[] out = new float[Shapes.numel(shape)];
    if (out.length == 1) {
      out[0] = dev.adjoint.kernel.Kernels.get().sum(src, 0, src.length);
      return Tensor.wrap(out, shape);
    }
    if (gs.length >= 2 && isRowOf(Tensor.wrap(out, shape), g)) {
      // a bias gradient: column sums of g seen as (rows, n), each summed top to bottom
      int n = out.length;
      dev.adjoint.kernel.Kernels.get().sumAxis(src, 1, src.length / n, n, out);
      return Tensor.wrap(out, shape);
    }
    int[] st = Shapes.broadcastStrides(shape, gs);
    int[] idx = new int[gs.length];
    int off = 0;
    for (int i = 0; i < src.length; i++) {
      out[off] += src[i];
      for (int d = gs.length - 1; d >= 0; d--) {
        off += st[d];
        if (++idx[d] < gs[d]) {
          break;
        }
        off -= st[d] * gs[d];
        idx[d] = 0;
      }
    }
    return Tensor.wrap(out, shape);
  }

  /** The sum of all elements as a 0-D tensor (the gradient of a scalar operand). */
  public static Tensor sumAll(Tensor g) {
    if (F64Rules.any(g)) {
      return F64Rules.sumAll(g);
    }
    return Tensor.scalar(dev.adjoint.kernel.Kernels.get().sum(g.storage(), 0, g.numel()));
  }

  /** The sum of {@code a[i] * b[i]} as a 0-D tensor; both have the same number of elements. */
  public static Tensor dotAll(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.dotAll(a, b);
    }
    return Tensor.scalar(dev.adjoint.kernel.Kernels.get().dot(a.storage(), b.storage(), a.numel()));
  }
}
