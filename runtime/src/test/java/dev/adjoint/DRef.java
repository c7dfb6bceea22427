package dev.adjoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A small double-precision reference implementation of every primitive's forward, written
 * independently of the runtime (plain loops over row-major {@code double[]}). The rule tests use it
 * to check the float forward and to take central differences that float noise cannot hide.
 */
final class DRef {
  final double[] v;
  final int[] shape;

  DRef(double[] v, int[] shape) {
    this.v = v;
    this.shape = shape;
    if (v.length != numel(shape)) {
      throw new IllegalArgumentException(v.length + " values for shape " + Arrays.toString(shape));
    }
  }

  static DRef of(Tensor t) {
    float[] f = t.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = f[i];
    }
    return new DRef(d, t.shape());
  }

  static int numel(int[] s) {
    int n = 1;
    for (int x : s) {
      n *= x;
    }
    return n;
  }

  static int[] strides(int[] s) {
    int[] st = new int[s.length];
    int acc = 1;
    for (int i = s.length - 1; i >= 0; i--) {
      st[i] = acc;
      acc *= s[i];
    }
    return st;
  }

  /** Multi-index of flat position {@code i} in shape {@code s}. */
  static int[] unravel(int i, int[] s) {
    int[] idx = new int[s.length];
    for (int d = s.length - 1; d >= 0; d--) {
      idx[d] = i % s[d];
      i /= s[d];
    }
    return idx;
  }

  double at(int... idx) {
    int off = 0;
    int[] st = strides(shape);
    for (int d = 0; d < idx.length; d++) {
      off += idx[d] * st[d];
    }
    return v[off];
  }

  DRef map(DoubleUnaryOperator f) {
    double[] o = new double[v.length];
    for (int i = 0; i < o.length; i++) {
      o[i] = f.applyAsDouble(v[i]);
    }
    return new DRef(o, shape);
  }

  /** Elementwise with NumPy broadcasting. */
  DRef zip(DRef b, DoubleBinaryOperator f) {
    int n = Math.max(shape.length, b.shape.length);
    int[] os = new int[n];
    for (int i = 0; i < n; i++) {
      int da = dimFromEnd(shape, n - i);
      int db = dimFromEnd(b.shape, n - i);
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException("broadcast " + Arrays.toString(shape) + " " + Arrays.toString(b.shape));
      }
      os[i] = Math.max(da, db);
    }
    double[] o = new double[numel(os)];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, os);
      o[i] = f.applyAsDouble(get(this, idx), get(b, idx));
    }
    return new DRef(o, os);
  }

  private static int dimFromEnd(int[] s, int k) {
    return s.length - k >= 0 ? s[s.length - k] : 1;
  }

  private static double get(DRef t, int[] outIdx) {
    int lead = outIdx.length - t.shape.length;
    int off = 0;
    int[] st = strides(t.shape);
    for (int d = 0; d < t.shape.length; d++) {
      int i = t.shape[d] == 1 ? 0 : outIdx[d + lead];
      off += i * st[d];
    }
    return t.v[off];
  }

  DRef add(DRef b) {
    return zip(b, Double::sum);
  }

  DRef sub(DRef b) {
    return zip(b, (x, y) -> x - y);
  }

  DRef mul(DRef b) {
    return zip(b, (x, y) -> x * y);
  }

  DRef div(DRef b) {
    return zip(b, (x, y) -> x / y);
  }

  static DRef scalar(double x) {
    return new DRef(new double[] {x}, new int[0]);
  }

  double sumAll() {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  /** Reduction over {@code dim} with {@code op} = "sum", "mean" or "max". */
  DRef reduce(int dim, boolean keep, String op) {
    int d = dim < 0 ? dim + shape.length : dim;
    int[] os = shape.clone();
    os[d] = 1;
    double[] o = new double[numel(os)];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, os);
      double acc = op.equals("max") ? Double.NEGATIVE_INFINITY : 0;
      for (int j = 0; j < shape[d]; j++) {
        idx[d] = j;
        double x = at(idx);
        acc = op.equals("max") ? Math.max(acc, x) : acc + x;
      }
      o[i] = op.equals("mean") ? acc / shape[d] : acc;
    }
    return new DRef(o, keep ? os : squeeze(os, d));
  }

  static int[] squeeze(int[] s, int d) {
    int[] r = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i != d) {
        r[j++] = s[i];
      }
    }
    return r;
  }

  static int[] unsqueeze(int[] s, int d) {
    int[] r = new int[s.length + 1];
    for (int i = 0, j = 0; i < r.length; i++) {
      r[i] = i == d ? 1 : s[j++];
    }
    return r;
  }

  /** PyTorch's {@code as_strided} over these values laid out row-major (a view's reference forward). */
  DRef asStrided(int[] size, int[] stride, int offset) {
    double[] r = new double[numel(size)];
    int[] idx = new int[size.length];
    for (int i = 0; i < r.length; i++) {
      int p = offset;
      for (int d = 0; d < size.length; d++) {
        p += idx[d] * stride[d];
      }
      r[i] = v[p];
      for (int d = size.length - 1; d >= 0; d--) {
        if (++idx[d] < size[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return new DRef(r, size.clone());
  }

  DRef reshape(int... s) {
    int[] r = s.clone();
    int known = 1;
    int infer = -1;
    for (int i = 0; i < r.length; i++) {
      if (r[i] == -1) {
        infer = i;
      } else {
        known *= r[i];
      }
    }
    if (infer >= 0) {
      r[infer] = v.length / known;
    }
    return new DRef(v.clone(), r);
  }

  DRef transpose(int d0, int d1) {
    if (shape.length < 2) {
      return new DRef(v.clone(), shape);
    }
    int x = d0 < 0 ? d0 + shape.length : d0;
    int y = d1 < 0 ? d1 + shape.length : d1;
    int[] os = shape.clone();
    os[x] = shape[y];
    os[y] = shape[x];
    double[] o = new double[v.length];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, os);
      int t = idx[x];
      idx[x] = idx[y];
      idx[y] = t;
      o[i] = at(idx);
    }
    return new DRef(o, os);
  }

  /** PyTorch's matmul: 1-D operands get a dimension added and removed, leading dims broadcast. */
  DRef matmul(DRef b) {
    DRef a2 = shape.length == 1 ? reshape(1, shape[0]) : this;
    DRef b2 = b.shape.length == 1 ? b.reshape(b.shape[0], 1) : b;
    int m = a2.shape[a2.shape.length - 2];
    int k = a2.shape[a2.shape.length - 1];
    int n = b2.shape[b2.shape.length - 1];
    int[] ab = Arrays.copyOf(a2.shape, a2.shape.length - 2);
    int[] bb = Arrays.copyOf(b2.shape, b2.shape.length - 2);
    // broadcast batch shapes with zip on dummy tensors
    int[] batch = new DRef(new double[numel(ab)], ab).zip(new DRef(new double[numel(bb)], bb), Double::sum).shape;
    int[] os = Arrays.copyOf(batch, batch.length + 2);
    os[batch.length] = m;
    os[batch.length + 1] = n;
    double[] o = new double[numel(os)];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, os);
      int[] bi = Arrays.copyOf(idx, batch.length);
      int r = idx[batch.length];
      int c = idx[batch.length + 1];
      double s = 0;
      for (int q = 0; q < k; q++) {
        s += a2.atBatch(bi, r, q) * b2.atBatch(bi, q, c);
      }
      o[i] = s;
    }
    DRef res = new DRef(o, os);
    if (shape.length == 1 && b.shape.length == 1) {
      return res.reshape();
    }
    if (shape.length == 1) {
      return res.reshape(squeeze(os, batch.length));
    }
    if (b.shape.length == 1) {
      return res.reshape(squeeze(os, batch.length + 1));
    }
    return res;
  }

  private double atBatch(int[] batchIdx, int r, int c) {
    int nb = shape.length - 2;
    int[] idx = new int[shape.length];
    for (int d = 0; d < nb; d++) {
      idx[d] = shape[d] == 1 ? 0 : batchIdx[batchIdx.length - nb + d];
    }
    idx[nb] = r;
    idx[nb + 1] = c;
    return at(idx);
  }

  /** {@code this[idx]} along dimension 0. */
  DRef index(DRef idx) {
    int rows = shape[0];
    int row = v.length / rows;
    int[] os = new int[idx.shape.length + shape.length - 1];
    System.arraycopy(idx.shape, 0, os, 0, idx.shape.length);
    System.arraycopy(shape, 1, os, idx.shape.length, shape.length - 1);
    double[] o = new double[numel(os)];
    for (int i = 0; i < idx.v.length; i++) {
      int r = (int) idx.v[i];
      r = r < 0 ? r + rows : r;
      System.arraycopy(v, r * row, o, i * row, row);
    }
    return new DRef(o, os);
  }

  /** Python's {@code [start:end]} along {@code dim}, clamped. */
  DRef slice(int dim, int start, int end) {
    int d = dim < 0 ? dim + shape.length : dim;
    int n = shape[d];
    int lo = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    int hi = end < 0 ? Math.max(0, end + n) : Math.min(end, n);
    hi = Math.max(lo, hi);
    int[] os = shape.clone();
    os[d] = hi - lo;
    double[] o = new double[numel(os)];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, os);
      idx[d] += lo;
      o[i] = at(idx);
    }
    return new DRef(o, os);
  }

  static DRef cat(List<DRef> ts, int dim) {
    int d = dim < 0 ? dim + ts.get(0).shape.length : dim;
    int[] os = ts.get(0).shape.clone();
    os[d] = 0;
    for (DRef t : ts) {
      os[d] += t.shape[d];
    }
    double[] o = new double[numel(os)];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, os);
      int j = idx[d];
      for (DRef t : ts) {
        if (j < t.shape[d]) {
          idx[d] = j;
          o[i] = t.at(idx);
          break;
        }
        j -= t.shape[d];
      }
    }
    return new DRef(o, os);
  }

  static DRef stack(List<DRef> ts, int dim) {
    int d = dim < 0 ? dim + ts.get(0).shape.length + 1 : dim;
    List<DRef> parts = new ArrayList<>();
    for (DRef t : ts) {
      parts.add(t.reshape(unsqueeze(t.shape, d)));
    }
    return cat(parts, d);
  }

  /** Softmax (or log-softmax) along {@code dim}, by the definition (no max shift needed in double here). */
  DRef softmax(int dim, boolean log) {
    int d = dim < 0 ? dim + shape.length : dim;
    double[] o = new double[v.length];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, shape);
      double s = 0;
      int[] j = idx.clone();
      for (int q = 0; q < shape[d]; q++) {
        j[d] = q;
        s += Math.exp(at(j));
      }
      o[i] = log ? v[i] - Math.log(s) : Math.exp(v[i]) / s;
    }
    return new DRef(o, shape);
  }

  static DRef mse(DRef x, DRef y) {
    return scalar(x.sub(y).map(d -> d * d).sumAll() / x.v.length);
  }

  /** {@code mean(-(y·log σ(z) + (1-y)·log(1-σ(z))))}, written with log1p for large |z|. */
  static DRef bceWithLogits(DRef z, DRef y) {
    double s = 0;
    for (int i = 0; i < z.v.length; i++) {
      double zi = z.v[i];
      double logSig = -Math.log1p(Math.exp(-zi));   // log σ(z)
      double logOneMinus = -Math.log1p(Math.exp(zi)); // log(1-σ(z))
      if (Double.isInfinite(logSig)) {
        logSig = zi;
      }
      if (Double.isInfinite(logOneMinus)) {
        logOneMinus = -zi;
      }
      s -= y.v[i] * logSig + (1 - y.v[i]) * logOneMinus;
    }
    return scalar(s / z.v.length);
  }

  static DRef nll(DRef logp, DRef target) {
    int n = logp.shape[0];
    double s = 0;
    for (int i = 0; i < n; i++) {
      s -= logp.at(i, (int) target.v[i]);
    }
    return scalar(s / n);
  }

  /** erf(z) = 2/√π ∫₀ᶻ e^(−t²) dt by composite Simpson (4000 intervals): independent of the runtime's series. */
  static double erf(double z) {
    int n = 4000;
    double h = z / n;
    double s = 1 + Math.exp(-z * z);
    for (int i = 1; i < n; i++) {
      double t = i * h;
      s += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
    }
    return s * h / 3 * 2 / Math.sqrt(Math.PI);
  }

  /** The cross product along {@code dim} (size 3) of two references of one shape, by index arithmetic. */
  DRef cross(DRef b, int dim) {
    int d = dim < 0 ? dim + shape.length : dim;
    double[] o = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int[] idx = unravel(i, shape);
      int c = idx[d];
      int[] p = idx.clone();
      int[] q = idx.clone();
      p[d] = (c + 1) % 3;
      q[d] = (c + 2) % 3;
      o[i] = at(p) * b.at(q) - at(q) * b.at(p);
    }
    return new DRef(o, shape);
  }

  /** {@code torch.diag}: a vector's diagonal matrix, or a matrix's diagonal {@code k}. */
  DRef diag(int k) {
    if (shape.length == 1) {
      int m = shape[0] + Math.abs(k);
      double[] o = new double[m * m];
      for (int i = 0; i < shape[0]; i++) {
        o[(k >= 0 ? i : i - k) * m + (k >= 0 ? i + k : i)] = v[i];
      }
      return new DRef(o, new int[] {m, m});
    }
    java.util.List<Double> d = new java.util.ArrayList<>();
    for (int r = 0; r < shape[0]; r++) {
      int c = r + k;
      if (c >= 0 && c < shape[1]) {
        d.add(at(r, c));
      }
    }
    return new DRef(d.stream().mapToDouble(Double::doubleValue).toArray(), new int[] {d.size()});
  }

  /** The exact GELU x·Φ(x). */
  static double gelu(double x) {
    return x * 0.5 * (1 + erf(x / Math.sqrt(2)));
  }

  /** GELU's tanh approximation. */
  static double geluTanh(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  /** PyTorch's softplus: x itself above the threshold. */
  static double softplus(double x, double beta, double threshold) {
    return x * beta > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta;
  }

  /** Reduction over several dims (empty: all) with "sum", "mean", "max", "min", "prod" or "logsumexp". */
  DRef reduceDims(int[] dims, boolean keep, String op) {
    boolean[] red = new boolean[shape.length];
    for (int d : dims) {
      red[d < 0 ? d + shape.length : d] = true;
    }
    if (dims.length == 0) {
      Arrays.fill(red, true);
    }
    int[] os = shape.clone();
    for (int d = 0; d < os.length; d++) {
      if (red[d]) {
        os[d] = 1;
      }
    }
    List<List<Double>> groups = new ArrayList<>();
    for (int i = 0; i < numel(os); i++) {
      groups.add(new ArrayList<>());
    }
    int[] ost = strides(os);
    for (int i = 0; i < v.length; i++) {
      int[] idx = unravel(i, shape);
      int o = 0;
      for (int d = 0; d < idx.length; d++) {
        o += (red[d] ? 0 : idx[d]) * ost[d];
      }
      groups.get(o).add(v[i]);
    }
    double[] r = new double[groups.size()];
    for (int k = 0; k < r.length; k++) {
      List<Double> g = groups.get(k);
      double acc = switch (op) {
        case "max" -> Double.NEGATIVE_INFINITY;
        case "min" -> Double.POSITIVE_INFINITY;
        case "prod" -> 1;
        default -> 0;
      };
      for (double x : g) {
        acc = switch (op) {
          case "max" -> Math.max(acc, x);
          case "min" -> Math.min(acc, x);
          case "prod" -> acc * x;
          case "logsumexp" -> acc + Math.exp(x);
          default -> acc + x;
        };
      }
      r[k] = op.equals("mean") ? acc / g.size() : op.equals("logsumexp") ? Math.log(acc) : acc;
    }
    int[] rs = os;
    if (!keep) {
      List<Integer> kept = new ArrayList<>();
      for (int d = 0; d < shape.length; d++) {
        if (!red[d]) {
          kept.add(shape[d]);
        }
      }
      rs = kept.stream().mapToInt(Integer::intValue).toArray();
    }
    return new DRef(r, rs);
  }

  /** Variance (or standard deviation) over dims (empty: all) by the definition, with a correction. */
  DRef variance(int[] dims, int correction, boolean keep, boolean sqrt) {
    DRef m = reduceDims(dims, true, "mean");
    DRef sq = sub(m).map(x -> x * x);
    DRef s = sq.reduceDims(dims, keep, "sum");
    int n = v.length / Math.max(1, s.v.length);
    return s.map(x -> sqrt ? Math.sqrt(x / (n - correction)) : x / (n - correction));
  }

  /** The p-norm of all elements. */
  double pnorm(double p) {
    double s = 0;
    for (double x : v) {
      s += Math.pow(Math.abs(x), p);
    }
    return Math.pow(s, 1 / p);
  }

  /** {@code tril} ({@code lower}) or {@code triu} of the last two dimensions, {@code diagonal} the offset. */
  DRef triangle(int diagonal, boolean lower) {
    double[] o = new double[v.length];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, shape);
      int d = idx[idx.length - 1] - idx[idx.length - 2];
      o[i] = (lower ? d <= diagonal : d >= diagonal) ? v[i] : 0;
    }
    return new DRef(o, shape);
  }

  /** Running sum or product along {@code dim}. */
  DRef running(int dim, boolean product) {
    int d = dim < 0 ? dim + shape.length : dim;
    double[] o = new double[v.length];
    for (int i = 0; i < o.length; i++) {
      int[] idx = unravel(i, shape);
      int last = idx[d];
      double acc = product ? 1 : 0;
      for (int j = 0; j <= last; j++) {
        idx[d] = j;
        acc = product ? acc * at(idx) : acc + at(idx);
      }
      o[i] = acc;
    }
    return new DRef(o, shape);
  }

  /** Per-element loss terms reduced as {@code reduction} says ("batchmean": the sum over the first dimension's size). */
  static DRef loss(DRef terms, String reduction, int... shape) {
    return switch (reduction) {
      case "none" -> terms;
      case "sum" -> scalar(terms.sumAll());
      case "mean" -> scalar(terms.sumAll() / terms.v.length);
      case "batchmean" -> scalar(terms.sumAll() / shape[0]);
      default -> throw new IllegalArgumentException(reduction);
    };
  }

  static double smoothL1(double d, double beta) {
    double z = Math.abs(d);
    return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
  }

  static double huber(double d, double delta) {
    double z = Math.abs(d);
    return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
  }

  /** Binary cross-entropy of one probability, logs clamped at -100 as PyTorch. */
  static double bce(double x, double t) {
    return -(t * Math.max(Math.log(x), -100) + (1 - t) * Math.max(Math.log(1 - x), -100));
  }
}
