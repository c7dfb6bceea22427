package dev.adjoint.shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One shape function per primitive row, keyed by the row's method ({@code "Tensor.matmul"},
 * {@code "F.linear"}, {@code "Linear.forward"}): the result's shape from the inputs' symbolic shapes, or a
 * {@link ShapeError} naming both shapes. The annotation processor evaluates them on {@code @Shape}s; the rows'
 * adjoints return gradients shaped as their inputs (checked for every row by the rule tests), so the generated
 * backward needs no functions of its own. A row without an entry gives an unknown shape.
 *
 * <p>Arguments, receiver first (then the call's arguments, then a module's receiver inputs): a
 * {@link SymShape} for a tensor, a {@link Long} for a known {@code int}, a {@code long[]} for a known {@code int[]}
 * (a varargs {@code int...} may also come as one {@link Long} per element), a {@link Boolean}, a {@link Double}
 * for a number, a {@link String} for a string constant, a {@link Module} for a module receiver, and {@code null}
 * for anything unknown. Overloads share one function, which tells them apart by their arguments.
 *
 * <p>Where the result's size depends on the data ({@code maskedSelect}, a mask in {@code index}) or on a value the
 * caller cannot see (an {@code int[]} that is not a constant), the function says so with an unknown size
 * ({@code _}) or an unknown shape, never a guess: the rank and every other size are still checked.
 */
public final class ShapeRules {
  private ShapeRules() {}

  /** A shape function. */
  @FunctionalInterface
  public interface ShapeFn {
    /** The result's shape ({@link SymShape#UNKNOWN} when it cannot tell), equating sizes through {@code u}. */
    SymShape apply(Unifier u, List<Object> args);
  }

  /**
   * A module receiver ({@code fc1} in {@code fc1.forward(x)}).
   *
   * @param type the module's simple class name
   * @param config its constructor's {@code int} arguments, {@code null} where unknown
   */
  public record Module(String type, List<Long> config) {
    /** Constructor argument {@code i}, or {@code fallback} when absent or unknown. */
    public long arg(int i, long fallback) {
      return i < config.size() && config.get(i) != null ? config.get(i) : fallback;
    }
  }

  private static final Map<String, ShapeFn> TABLE = new HashMap<>();

  /** The shape function of a row: {@code owner} is the declaring class's simple name. */
  public static Optional<ShapeFn> of(String owner, String method) {
    return Optional.ofNullable(TABLE.get(owner + "." + method));
  }

  /** The keys of every row with a shape function. */
  public static java.util.Set<String> keys() {
    return java.util.Collections.unmodifiableSet(TABLE.keySet());
  }

  private static void put(ShapeFn fn, String... keys) {
    for (String k : keys) {
      TABLE.put(k, fn);
    }
  }

  static {
    put((u, a) -> shape(a, 0), "Tensor.neg", "Tensor.exp", "Tensor.log", "Tensor.sqrt", "Tensor.abs", "Tensor.sin",
        "Tensor.cos", "Tensor.tanh", "Tensor.sigmoid", "Tensor.relu", "Tensor.log1p", "Tensor.expm1",
        "Tensor.square", "Tensor.reciprocal", "Tensor.rsqrt", "Tensor.tan", "Tensor.asin", "Tensor.acos",
        "Tensor.atan", "Tensor.sinh", "Tensor.cosh", "Tensor.sign", "Tensor.floor", "Tensor.ceil", "Tensor.round",
        "Tensor.trunc", "Tensor.tril", "Tensor.triu", "Tensor.clamp", "Tensor.clampMin", "Tensor.clampMax",
        "Tensor.rsub", "Tensor.clone", "Tensor.contiguous", "Tensor.to", "Tensor.toDouble", "Tensor.toFloat",
        "Tensor.cumsum", "Tensor.cumprod",
        "F.relu", "F.sigmoid", "F.tanh", "F.leakyRelu", "F.gelu", "F.silu", "F.softplus", "F.elu", "F.logSigmoid",
        "F.hardtanh");
    put((u, a) -> shape(a, 1), "ReLU.forward", "Sigmoid.forward", "Tanh.forward", "GELU.forward", "SiLU.forward",
        "Softplus.forward", "LeakyReLU.forward", "Dropout.forward");
    put(ShapeRules::softmax, "F.softmax", "F.logSoftmax");
    put((u, a) -> binary(u, a, "+"), "Tensor.add");
    put((u, a) -> binary(u, a, "-"), "Tensor.sub");
    put((u, a) -> binary(u, a, "*"), "Tensor.mul");
    put((u, a) -> binary(u, a, "/"), "Tensor.div");
    put((u, a) -> binary(u, a, "maximum"), "Tensor.maximum");
    put((u, a) -> binary(u, a, "atan2"), "Tensor.atan2");
    put((u, a) -> binary(u, a, "hypot"), "Tensor.hypot");
    put((u, a) -> binary(u, a, "logaddexp"), "Tensor.logaddexp");
    put((u, a) -> binary(u, a, "minimum"), "Tensor.minimum");
    put((u, a) -> a.get(0) instanceof SymShape ? binary(u, a, "pow") : shape(a, 1), "Tensor.pow");
    put(ShapeRules::where, "Tensor.where");
    put(ShapeRules::reduce, "Tensor.sum", "Tensor.mean", "Tensor.max", "Tensor.min", "Tensor.prod",
        "Tensor.logsumexp", "Tensor.amax", "Tensor.amin");
    put((u, a) -> a.size() == 1 ? new SymShape(List.of()) : reduce(u, a), "Tensor.var", "Tensor.std");
    put((u, a) -> new SymShape(List.of()), "Tensor.norm");
    // session 10
    put((u, a) -> ranks(u, a, "mm", 2, 2), "Tensor.mm");
    put((u, a) -> ranks(u, a, "mv", 2, 1), "Tensor.mv");
    put((u, a) -> ranks(u, a, "bmm", 3, 3), "Tensor.bmm");
    put((u, a) -> ranks(u, a, "dot", 1, 1), "Tensor.dot");
    put(ShapeRules::outer, "Tensor.outer");
    put((u, a) -> {
      SymShape p = ranks(u, a.subList(1, 3), "mm", 2, 2);
      SymShape self = shape(a, 0);
      return p.known() && self.known() ? broadcast(u, self, p, "addmm") : p;
    }, "Tensor.addmm");
    put((u, a) -> shape(a, 0), "Tensor.erf", "Tensor.fmod", "Tensor.remainder");
    put((u, a) -> a.size() > 2 && a.get(2) instanceof SymShape
        ? binary(u, List.of(binary(u, a.subList(0, 2), "lerp"), a.get(2)), "lerp") : binary(u, a.subList(0, 2), "lerp"),
        "Tensor.lerp");
    put(ShapeRules::softmax, "Tensor.softmax", "Tensor.logSoftmax");
    put((u, a) -> shape(a, 0), "Tensor.cross");
    put(ShapeRules::diag, "Tensor.diag");
    put(ShapeRules::matmul, "Tensor.matmul");
    put(ShapeRules::t, "Tensor.t");
    put(ShapeRules::transpose, "Tensor.transpose");
    put(ShapeRules::permute, "Tensor.permute");
    put(ShapeRules::reshape, "Tensor.reshape", "Tensor.view");
    put((u, a) -> sameNumel(u, a, shape(a, 1), "viewAs"), "Tensor.viewAs");
    put(ShapeRules::squeeze, "Tensor.squeeze");
    put(ShapeRules::unsqueeze, "Tensor.unsqueeze");
    put(ShapeRules::flatten, "Tensor.flatten");
    put(ShapeRules::select, "Tensor.select");
    put(ShapeRules::narrow, "Tensor.narrow");
    put(ShapeRules::slice, "Tensor.slice");
    put(ShapeRules::expand, "Tensor.expand");
    put((u, a) -> shape(a, 0), "Linalg.cholesky", "Linalg.inv");
    put((u, a) -> dropLast(shape(a, 0), 2), "Linalg.det", "Linalg.logdet", "Linalg.logabsdet");
    put((u, a) -> dropLast(shape(a, 0), 1), "Linalg.eigvalsh");
    put((u, a) -> dropLast(shape(a, 0), 2), "Linalg.matrixNorm");
    put((u, a) -> a.size() == 2 ? new SymShape(List.of()) : SymShape.UNKNOWN, "Linalg.vectorNorm");
    put((u, a) -> pinv(shape(a, 0)), "Linalg.pinv");
    put((u, a) -> lstsq(shape(a, 0), shape(a, 1)), "Linalg.lstsq");
    // the right-hand side's shape when neither operand is batched (batch dimensions broadcast: unknown then)
    put((u, a) -> unbatched(shape(a, 0), shape(a, 1), shape(a, 1)), "Linalg.solve", "Linalg.solveTriangular");
    put((u, a) -> unbatched(shape(a, 0), shape(a, 1), shape(a, 0)), "Linalg.choleskySolve");
    put(ShapeRules::expandAs, "Tensor.expandAs");
    put((u, a) -> join(u, a, false), "Tensor.cat");
    put((u, a) -> join(u, a, true), "Tensor.stack");
    put((u, a) -> linear(u, shape(a, 0), shape(a, 1), a.size() > 2 ? shape(a, 2) : null), "F.linear");
    put((u, a) -> linear(u, shape(a, 1), shape(a, 2), a.size() > 3 ? shape(a, 3) : null), "Linear.forward");
    put((u, a) -> loss(u, a, "mseLoss", false), "F.mseLoss", "F.l1Loss", "F.smoothL1Loss", "F.huberLoss");
    put((u, a) -> loss(u, a, "binaryCrossEntropyWithLogits", true), "F.binaryCrossEntropyWithLogits",
        "F.binaryCrossEntropy");
    put(ShapeRules::classLoss, "F.crossEntropy", "F.nllLoss");
    put((u, a) -> conv2d(u, shape(a, 0), shape(a, 1), a.size() > 2 ? shape(a, 2) : null, 1, 0), "F.conv2d");
    put(ShapeRules::conv2dModule, "Conv2d.forward");
    put(ShapeRules::maxPool2dModule, "MaxPool2d.forward", "AvgPool2d.forward");
    put(ShapeRules::flattenModule, "Flatten.forward");
    put(ShapeRules::channels, "BatchNorm1d.forward", "BatchNorm2d.forward");
    put((u, a) -> shape(a, 1), "LayerNorm.forward", "GroupNorm.forward");
    put((u, a) -> shape(a, 0), "F.layerNorm", "F.groupNorm", "F.batchNorm", "Tensor.maskedFill", "Tensor.flip",
        "Tensor.roll", "Tensor.scatter", "Tensor.scatterAdd");
    // the rows of copy_, fill_ and zero_ (package-private, what the in-place form writes): the receiver's shape
    put((u, a) -> shape(a, 0), "Tensor.copyFrom", "Tensor.filled", "Tensor.zeroed");
    put((u, a) -> embedding(u, shape(a, 0), shape(a, 1)), "F.embedding");
    put((u, a) -> embedding(u, shape(a, 1), shape(a, 2)), "Embedding.forward");
    put(ShapeRules::indexSelect, "Tensor.indexSelect");
    put((u, a) -> shape(a, 2), "Tensor.gather");
    put(ShapeRules::unflatten, "Tensor.unflatten");
    put(ShapeRules::diagonal, "Tensor.diagonal");
    put(ShapeRules::asStrided, "Tensor.asStrided");
    put(ShapeRules::index, "Tensor.index");
    put(ShapeRules::indexPut, "Tensor.indexPut");
    put(ShapeRules::maskedSelect, "Tensor.maskedSelect");
    put((u, a) -> repeat(u, shape(a, 0), ints(a, 1), false), "Tensor.repeat");
    put((u, a) -> repeat(u, shape(a, 0), ints(a, 1), true), "Tensor.tile");
    put(ShapeRules::sortValues, "Tensor.sortValues");
    put(ShapeRules::topkValues, "Tensor.topkValues");
    put(ShapeRules::reshape, "Tensor.unsafeView");
    put((u, a) -> svdvals(u, shape(a, 0)), "Linalg.svdvals");
    put((u, a) -> loss(u, a, "klDiv", false), "F.klDiv");
    put(ShapeRules::conv1d, "F.conv1d");
    put(ShapeRules::conv1dModule, "Conv1d.forward");
    put((u, a) -> convTranspose(u, 2, shape(a, 0), shape(a, 1), longs(a, 3), longs(a, 4), longs(a, 5), integer(a, 6),
        longs(a, 7)), "F.convTranspose2d");
    put((u, a) -> convTranspose(u, 1, shape(a, 0), shape(a, 1), longs(a, 3), longs(a, 4), longs(a, 5), integer(a, 6),
        longs(a, 7)), "F.convTranspose1d");
    put((u, a) -> convTransposeModule(u, 2, a), "ConvTranspose2d.forward");
    put((u, a) -> convTransposeModule(u, 1, a), "ConvTranspose1d.forward");
    put((u, a) -> pool2d(u, "maxPool2d", shape(a, 0), longs(a, 1), longs(a, 2), longs(a, 3), longs(a, 4),
        flag(a, 5, false), a.size() > 5 && !(a.get(5) instanceof Boolean)), "F.maxPool2d");
    put((u, a) -> pool2d(u, "avgPool2d", shape(a, 0), longs(a, 1), longs(a, 2), longs(a, 3), new long[] {1},
        flag(a, 4, false), a.size() > 4 && !(a.get(4) instanceof Boolean)), "F.avgPool2d");
    put((u, a) -> adaptiveAvgPool2d(u, shape(a, 0), longs(a, 1)), "F.adaptiveAvgPool2d");
    put((u, a) -> adaptiveAvgPool2d(u, shape(a, 1), a.get(0) instanceof Module m && m.config().size() == 1
        && m.config().get(0) != null ? new long[] {m.config().get(0)} : null), "AdaptiveAvgPool2d.forward");
  }

  /** {@code embedding}: indices of any shape and a {@code [V, D]} table give the indices' shape then {@code D}. */
  private static SymShape embedding(Unifier u, SymShape idx, SymShape w) {
    if (!idx.known() || !w.known()) {
      return SymShape.UNKNOWN;
    }
    if (w.rank() != 2) {
      throw new ShapeError("embedding(" + u.resolve(idx) + ", weight " + u.resolve(w) + "): the weight must be 2-D");
    }
    List<Dim> out = new ArrayList<>(idx.dims());
    out.add(w.dim(1));
    return dims(out);
  }

  /** {@code indexSelect(dim, index)}: dimension {@code dim} becomes the index's length. */
  private static SymShape indexSelect(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    SymShape idx = shape(a, 2);
    if (!x.known() || d == null) {
      return SymShape.UNKNOWN;
    }
    int nd = dim("indexSelect", x, d, x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    out.set(nd, idx.known() && idx.rank() == 1 ? idx.dim(0) : Dim.UNKNOWN);
    return dims(out);
  }

  // ---- helpers

  private static SymShape shape(List<Object> a, int i) {
    return i < a.size() && a.get(i) instanceof SymShape s ? s : SymShape.UNKNOWN;
  }

  private static Long integer(List<Object> a, int i) {
    return i < a.size() && a.get(i) instanceof Long l ? l : null;
  }

  private static boolean flag(List<Object> a, int i, boolean fallback) {
    return i < a.size() && a.get(i) instanceof Boolean b ? b : fallback;
  }

  /** A known {@code int[]} argument, or {@code null}. */
  private static long[] longs(List<Object> a, int i) {
    return i < a.size() && a.get(i) instanceof long[] l ? l : null;
  }

  /**
   * The {@code int}s from position {@code from} on (one {@link Long} each, or one {@code long[]}), or {@code null}
   * when one is unknown.
   */
  private static List<Long> ints(List<Object> a, int from) {
    List<Long> out = new ArrayList<>();
    if (a.size() == from + 1 && a.get(from) instanceof long[] arr) {
      for (long v : arr) {
        out.add(v);
      }
      return out;
    }
    for (int i = from; i < a.size(); i++) {
      if (!(a.get(i) instanceof Long l)) {
        return null;
      }
      out.add(l);
    }
    return out;
  }

  /** A possibly negative dimension index normalised for {@code rank}, or a {@link ShapeError}. */
  private static int dim(String op, SymShape s, long d, int rank) {
    int r = Math.max(rank, 1);
    long nd = d < 0 ? d + r : d;
    if (nd < 0 || nd >= r) {
      throw new ShapeError(op + " on " + s + ": dimension out of range (expected to be in range of [" + (-r) + ", "
          + (r - 1) + "], but got " + d + ")");
    }
    return (int) nd;
  }

  private static SymShape dims(List<Dim> d) {
    return new SymShape(d);
  }

  // ---- elementwise

  /** PyTorch's broadcasting of two shapes. */
  public static SymShape broadcast(Unifier u, SymShape a, SymShape b, String op) {
    if (!a.known() || !b.known()) {
      return SymShape.UNKNOWN;
    }
    SymShape ra = u.resolve(a);
    SymShape rb = u.resolve(b);
    int n = Math.max(a.rank(), b.rank());
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int ia = i - (n - a.rank());
      int ib = i - (n - b.rank());
      Dim da = ia >= 0 ? a.dim(ia) : Dim.of(1);
      Dim db = ib >= 0 ? b.dim(ib) : Dim.of(1);
      int at = i;
      out.add(u.broadcast(da, db, () -> ra + " " + op + " " + rb + ": the size of tensor a (" + u.resolve(da)
          + ") must match the size of tensor b (" + u.resolve(db) + ") at non-singleton dimension " + at));
    }
    return dims(out);
  }

  private static SymShape binary(Unifier u, List<Object> a, String op) {
    if (a.size() > 1 && a.get(1) instanceof SymShape b) {
      return broadcast(u, shape(a, 0), b, op);
    }
    if (a.size() > 1 && a.get(1) == null && !(a.get(0) instanceof SymShape)) {
      return SymShape.UNKNOWN;
    }
    return shape(a, 0);
  }

  private static SymShape where(Unifier u, List<Object> a) {
    SymShape out = shape(a, 0);
    for (int i = 1; i < a.size(); i++) {
      if (a.get(i) instanceof SymShape s) {
        out = broadcast(u, out, s, "where");
      }
    }
    return out;
  }

  private static SymShape softmax(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    if (x.known() && d != null) {
      dim("softmax", x, d, x.rank());
    }
    return x;
  }

  // ---- reductions

  private static SymShape reduce(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    if (a.size() == 1) {
      return dims(List.of());
    }
    Long d = integer(a, 1);
    if (!x.known() || d == null) {
      return SymShape.UNKNOWN;
    }
    boolean keep = flag(a, a.size() - 1, false);
    if (x.rank() == 0) {
      dim("reduction", x, d, 0);
      return x;
    }
    int nd = dim("reduction", x, d, x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    if (keep) {
      out.set(nd, Dim.of(1));
    } else {
      out.remove(nd);
    }
    return dims(out);
  }

  // ---- linear algebra

  /** PyTorch's {@code matmul}: dot, matrix-vector, matrix product, batched with broadcasting. */
  public static SymShape matmul(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    SymShape y = shape(a, 1);
    if (!x.known() || !y.known()) {
      return SymShape.UNKNOWN;
    }
    SymShape rx = u.resolve(x);
    SymShape ry = u.resolve(y);
    if (x.rank() == 0 || y.rank() == 0) {
      throw new ShapeError(rx + " @ " + ry + ": both arguments to matmul need to be at least 1D");
    }
    Dim k1 = x.dim(-1);
    Dim k2 = y.rank() == 1 ? y.dim(0) : y.dim(-2);
    u.equal(k1, k2, () -> rx + " @ " + ry + ": mat1 and mat2 shapes cannot be multiplied (size " + u.resolve(k1)
        + " of the first's last dimension, " + u.resolve(k2) + " of the second's "
        + (y.rank() == 1 ? "only" : "first matrix") + " dimension)");
    List<Dim> bx = x.rank() > 2 ? x.dims().subList(0, x.rank() - 2) : List.of();
    List<Dim> by = y.rank() > 2 ? y.dims().subList(0, y.rank() - 2) : List.of();
    List<Dim> out = new ArrayList<>(broadcast(u, dims(bx), dims(by), "@ (batch)").dims());
    if (x.rank() >= 2) {
      out.add(x.dim(-2));
    }
    if (y.rank() >= 2) {
      out.add(y.dim(-1));
    }
    return u.resolve(dims(out));
  }

  /** {@code mm}, {@code mv}, {@code bmm}, {@code dot}: {@code matmul} for operands of exactly these ranks. */
  private static SymShape ranks(Unifier u, List<Object> a, String op, int rx, int ry) {
    SymShape x = shape(a, 0);
    SymShape y = shape(a, 1);
    if (x.known() && x.rank() != rx || y.known() && y.rank() != ry) {
      throw new ShapeError(op + "(" + (x.known() ? u.resolve(x) : "?") + ", " + (y.known() ? u.resolve(y) : "?")
          + "): expects a " + rx + "-D and a " + ry + "-D tensor");
    }
    if (op.equals("bmm") && x.known() && y.known()) {
      SymShape rx0 = u.resolve(x);
      SymShape ry0 = u.resolve(y);
      u.equal(x.dim(0), y.dim(0), () -> "bmm(" + rx0 + ", " + ry0 + "): the batch sizes differ");
    }
    return matmul(u, a);
  }

  /** {@code diag(k)}: a vector {@code [n]} → {@code [n, n]} for k = 0 (unknown sizes otherwise), a matrix → a vector. */
  private static SymShape diag(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    if (!x.known()) {
      return SymShape.UNKNOWN;
    }
    Long k = integer(a, 1);
    if (x.rank() == 1) {
      return k != null && k == 0 ? u.resolve(dims(List.of(x.dim(0), x.dim(0)))) : dims(List.of(Dim.UNKNOWN, Dim.UNKNOWN));
    }
    if (x.rank() != 2) {
      throw new ShapeError("diag(" + u.resolve(x) + "): expected a 1-D or 2-D tensor");
    }
    return dims(List.of(Dim.UNKNOWN));
  }

  /** {@code outer}: {@code [n]} and {@code [m]} → {@code [n, m]}. */
  private static SymShape outer(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    SymShape y = shape(a, 1);
    if (!x.known() || !y.known()) {
      return SymShape.UNKNOWN;
    }
    if (x.rank() != 1 || y.rank() != 1) {
      throw new ShapeError("outer(" + u.resolve(x) + ", " + u.resolve(y) + "): 1D tensors expected");
    }
    return u.resolve(dims(List.of(x.dim(0), y.dim(0))));
  }

  /** {@code F.linear}: {@code x [..., in]}, {@code weight [out, in]}, {@code bias [out]} → {@code [..., out]}. */
  public static SymShape linear(Unifier u, SymShape x, SymShape w, SymShape b) {
    if (!x.known() || !w.known()) {
      return SymShape.UNKNOWN;
    }
    SymShape rx = u.resolve(x);
    SymShape rw = u.resolve(w);
    if (w.rank() != 2 || x.rank() == 0) {
      throw new ShapeError("linear(" + rx + ", weight " + rw + "): the weight must be 2-D and the input at least 1-D");
    }
    u.equal(x.dim(-1), w.dim(1), () -> "linear(" + rx + ", weight " + rw + "): mat1 and mat2 shapes cannot be"
        + " multiplied (input features " + u.resolve(x.dim(-1)) + ", weight in_features " + u.resolve(w.dim(1)) + ")");
    if (b != null && b.known()) {
      SymShape rb = u.resolve(b);
      if (b.rank() != 1) {
        throw new ShapeError("linear: bias " + rb + " must be 1-D (weight " + rw + ")");
      }
      u.equal(b.dim(0), w.dim(0), () -> "linear: bias " + rb + " does not match weight " + rw
          + " (out_features " + u.resolve(w.dim(0)) + ")");
    }
    List<Dim> out = new ArrayList<>(x.dims().subList(0, x.rank() - 1));
    out.add(w.dim(0));
    return u.resolve(dims(out));
  }

  // ---- views

  private static SymShape t(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    if (!x.known()) {
      return x;
    }
    if (x.rank() > 2) {
      throw new ShapeError("t() on " + u.resolve(x) + ": t() expects a tensor with <= 2 dimensions, but self is "
          + x.rank() + "D");
    }
    return x.rank() < 2 ? x : dims(List.of(x.dim(1), x.dim(0)));
  }

  private static SymShape transpose(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d0 = integer(a, 1);
    Long d1 = integer(a, 2);
    if (!x.known() || d0 == null || d1 == null) {
      return SymShape.UNKNOWN;
    }
    if (x.rank() == 0) {
      return x;
    }
    int i = dim("transpose", x, d0, x.rank());
    int j = dim("transpose", x, d1, x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    out.set(i, x.dim(j));
    out.set(j, x.dim(i));
    return dims(out);
  }

  private static SymShape permute(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    List<Long> p = ints(a, 1);
    if (!x.known() || p == null) {
      return SymShape.UNKNOWN;
    }
    if (p.size() != x.rank()) {
      throw new ShapeError("permute" + p + " on " + u.resolve(x) + ": number of dims don't match in permute");
    }
    List<Dim> out = new ArrayList<>();
    boolean[] seen = new boolean[x.rank()];
    for (long d : p) {
      int nd = dim("permute", x, d, x.rank());
      if (seen[nd]) {
        throw new ShapeError("permute" + p + " on " + u.resolve(x) + ": repeated dim in permute");
      }
      seen[nd] = true;
      out.add(x.dim(nd));
    }
    return dims(out);
  }

  /** {@code reshape}/{@code view}: at most one {@code -1}, inferred; the element counts must agree. */
  private static SymShape reshape(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    List<Long> sizes = ints(a, 1);
    if (sizes == null) {
      return SymShape.UNKNOWN;
    }
    int infer = -1;
    Dim known = Dim.of(1);
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      long s = sizes.get(i);
      if (s == -1) {
        if (infer >= 0) {
          throw new ShapeError("reshape" + sizes + " of " + u.resolve(x) + ": only one dimension can be inferred");
        }
        infer = i;
        out.add(Dim.UNKNOWN);
      } else if (s < 0) {
        throw new ShapeError("reshape" + sizes + " of " + u.resolve(x) + ": invalid shape dimension " + s);
      } else {
        out.add(Dim.of(s));
        known = known.times(Dim.of(s));
      }
    }
    Dim n = u.resolve(x.numel());
    if (infer >= 0) {
      if (n.known()) {
        Dim q = known.coeff() == 0 ? Dim.UNKNOWN : n.dividedBy(known);
        if (!q.known() && n.constant()) {
          throw new ShapeError("reshape" + sizes + ": shape '" + sizes + "' is invalid for input of size " + n
              + " (" + u.resolve(x) + ")");
        }
        out.set(infer, q);
      }
      return dims(out);
    }
    if (n.known()) {
      Dim total = known;
      u.equal(n, total, () -> "reshape" + sizes + ": shape '" + sizes + "' is invalid for input of size " + n
          + " (" + u.resolve(x) + ")");
    }
    return dims(out);
  }

  private static SymShape sameNumel(Unifier u, List<Object> a, SymShape target, String op) {
    SymShape x = shape(a, 0);
    if (x.known() && target.known()) {
      u.equal(x.numel(), target.numel(), () -> op + ": " + u.resolve(x) + " and " + u.resolve(target)
          + " have different numbers of elements");
    }
    return target;
  }

  private static SymShape squeeze(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    if (!x.known()) {
      return x;
    }
    List<Dim> out = new ArrayList<>();
    if (a.size() == 1) {
      for (Dim d : x.dims()) {
        Dim r = u.resolve(d);
        if (!r.known()) {
          return SymShape.UNKNOWN;
        }
        if (!(r.constant() && r.coeff() == 1)) {
          out.add(d);
        }
      }
      return dims(out);
    }
    Long d = integer(a, 1);
    if (d == null) {
      return SymShape.UNKNOWN;
    }
    if (x.rank() == 0) {
      return x;
    }
    int nd = dim("squeeze", x, d, x.rank());
    Dim r = u.resolve(x.dim(nd));
    if (!r.known()) {
      return SymShape.UNKNOWN;
    }
    out.addAll(x.dims());
    if (r.constant() && r.coeff() == 1) {
      out.remove(nd);
    }
    return dims(out);
  }

  private static SymShape unsqueeze(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    if (!x.known() || d == null) {
      return SymShape.UNKNOWN;
    }
    int nd = dim("unsqueeze", x, d, x.rank() + 1);
    List<Dim> out = new ArrayList<>(x.dims());
    out.add(nd, Dim.of(1));
    return dims(out);
  }

  private static SymShape flatten(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long s = a.size() > 1 ? integer(a, 1) : Long.valueOf(0);
    Long e = a.size() > 2 ? integer(a, 2) : Long.valueOf(-1);
    return flattenDims(x, s, e);
  }

  private static SymShape flattenDims(SymShape x, Long s, Long e) {
    if (!x.known() || s == null || e == null) {
      return SymShape.UNKNOWN;
    }
    if (x.rank() == 0) {
      return dims(List.of(Dim.of(1)));
    }
    int from = dim("flatten", x, s, x.rank());
    int to = dim("flatten", x, e, x.rank());
    if (from > to) {
      throw new ShapeError("flatten on " + x + ": start_dim cannot come after end_dim");
    }
    List<Dim> out = new ArrayList<>(x.dims().subList(0, from));
    Dim p = Dim.of(1);
    for (int i = from; i <= to; i++) {
      p = p.times(x.dim(i));
    }
    out.add(p);
    out.addAll(x.dims().subList(to + 1, x.rank()));
    return dims(out);
  }

  private static SymShape select(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    if (!x.known() || d == null) {
      return SymShape.UNKNOWN;
    }
    int nd = dim("select", x, d, x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    out.remove(nd);
    return dims(out);
  }

  private static SymShape narrow(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    Long len = integer(a, 3);
    if (!x.known() || d == null) {
      return SymShape.UNKNOWN;
    }
    int nd = dim("narrow", x, d, x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    out.set(nd, len == null ? Dim.UNKNOWN : Dim.of(len));
    return dims(out);
  }

  /** {@code slice(dim, start, end[, step])}: the sliced dimension's length when it and the bounds are constants. */
  private static SymShape slice(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    Long start = integer(a, 2);
    Long end = integer(a, 3);
    Long step = a.size() > 4 ? integer(a, 4) : Long.valueOf(1);
    if (!x.known() || d == null) {
      return SymShape.UNKNOWN;
    }
    int nd = dim("slice", x, d, x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    Dim n = x.dim(nd);
    if (n.constant() && start != null && end != null && step != null && step > 0) {
      long len = n.coeff();
      long s = Math.min(Math.max(start < 0 ? start + len : start, 0), len);
      long e = Math.min(Math.max(end < 0 ? end + len : end, 0), len);
      out.set(nd, Dim.of(e > s ? (e - s + step - 1) / step : 0));
    } else {
      out.set(nd, Dim.UNKNOWN);
    }
    return dims(out);
  }

  /** {@code expand(sizes...)}: the sizes, {@code -1} keeping the input's dimension (leading new ones may not). */
  private static SymShape expand(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    List<Long> sizes = ints(a, 1);
    if (sizes == null) {
      return SymShape.UNKNOWN;
    }
    List<Dim> out = new ArrayList<>();
    int lead = sizes.size() - (x.known() ? x.rank() : 0);
    for (int i = 0; i < sizes.size(); i++) {
      long s = sizes.get(i);
      if (s == -1) {
        out.add(x.known() && i >= lead ? x.dim(i - lead) : Dim.UNKNOWN);
      } else {
        out.add(Dim.of(s));
      }
    }
    return dims(out);
  }

  /** {@code s} without its last {@code k} dimensions (unknown when its rank is unknown or smaller). */
  /** {@code pinv}: a matrix's last two sizes swapped. */
  private static SymShape pinv(SymShape a) {
    if (!a.known() || a.rank() < 2) {
      return SymShape.UNKNOWN;
    }
    List<Dim> d = new ArrayList<>(a.dims());
    Dim m = d.get(d.size() - 2);
    d.set(d.size() - 2, d.get(d.size() - 1));
    d.set(d.size() - 1, m);
    return dims(d);
  }

  /** {@code lstsq(A [m, n], B [m, k])} of two unbatched operands: {@code [n, k]}. */
  private static SymShape lstsq(SymShape a, SymShape b) {
    if (!a.known() || !b.known() || a.rank() != 2 || b.rank() != 2) {
      return SymShape.UNKNOWN;
    }
    return dims(new ArrayList<>(List.of(a.dims().get(1), b.dims().get(1))));
  }

  private static SymShape dropLast(SymShape s, int k) {
    return s.known() && s.rank() >= k ? dims(new ArrayList<>(s.dims().subList(0, s.rank() - k))) : SymShape.UNKNOWN;
  }

  /** {@code result} when both operands are matrices (no batch dimensions to broadcast), else unknown. */
  private static SymShape unbatched(SymShape a, SymShape b, SymShape result) {
    return a.known() && b.known() && a.rank() == 2 && b.rank() == 2 ? result : SymShape.UNKNOWN;
  }

  private static SymShape expandAs(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    SymShape to = shape(a, 1);
    if (!x.known() || !to.known()) {
      return to;
    }
    SymShape b = broadcast(u, x, to, "expandAs");
    if (b.rank() != to.rank()) {
      throw new ShapeError("expandAs: " + u.resolve(x) + " has more dimensions than " + u.resolve(to));
    }
    return to;
  }

  /** {@code cat}/{@code stack} of the call's tensors along the last argument's dimension. */
  private static SymShape join(Unifier u, List<Object> a, boolean stack) {
    List<SymShape> ts = new ArrayList<>();
    for (Object o : a.subList(0, a.size() - 1)) {
      ts.add(o instanceof SymShape s ? s : SymShape.UNKNOWN);
    }
    Long d = integer(a, a.size() - 1);
    if (d == null || ts.isEmpty() || ts.stream().anyMatch(s -> !s.known())) {
      return SymShape.UNKNOWN;
    }
    SymShape first = ts.get(0);
    String op = stack ? "stack" : "cat";
    int nd = dim(op, first, d, first.rank() + (stack ? 1 : 0));
    List<Dim> out = new ArrayList<>(first.dims());
    Dim along = stack ? Dim.of(ts.size()) : first.dims().isEmpty() ? Dim.UNKNOWN : first.dim(nd);
    for (int k = 1; k < ts.size(); k++) {
      SymShape s = ts.get(k);
      int at = k;
      if (s.rank() != first.rank()) {
        throw new ShapeError(op + " of " + u.resolve(first) + " and " + u.resolve(s) + ": tensors must have the same"
            + " number of dimensions");
      }
      for (int i = 0; i < first.rank(); i++) {
        if (!stack && i == nd) {
          along = along.times(Dim.of(1)).known() && s.dim(i).known()
              ? sum(u.resolve(along), u.resolve(s.dim(i))) : Dim.UNKNOWN;
          continue;
        }
        int di = i;
        out.set(i, u.equal(out.get(i), s.dim(i), () -> op + " of " + u.resolve(first) + " and " + u.resolve(s)
            + ": sizes of tensors must match except in dimension " + nd + " (size " + u.resolve(first.dim(di))
            + " against " + u.resolve(s.dim(di)) + " in dimension " + di + ", tensor " + at + ")"));
      }
    }
    if (stack) {
      out.add(nd, along);
    } else {
      out.set(nd, along);
    }
    return dims(out);
  }

  /** The sum of two sizes when it is a size we can write (constants, or equal monomials). */
  private static Dim sum(Dim x, Dim y) {
    if (x.constant() && y.constant()) {
      return Dim.of(x.coeff() + y.coeff());
    }
    if (x.known() && y.known() && x.symbols().equals(y.symbols())) {
      return new Dim(x.coeff() + y.coeff(), x.symbols());
    }
    return Dim.UNKNOWN;
  }

  // ---- losses

  private static SymShape loss(Unifier u, List<Object> a, String op, boolean sameSize) {
    SymShape x = shape(a, 0);
    SymShape y = shape(a, 1);
    if (x.known() && y.known()) {
      SymShape rx = u.resolve(x);
      SymShape ry = u.resolve(y);
      if (sameSize) {
        if (x.rank() != y.rank()) {
          throw new ShapeError(op + "(" + rx + ", " + ry + "): Target size must be the same as input size");
        }
        for (int i = 0; i < x.rank(); i++) {
          u.equal(x.dim(i), y.dim(i), () -> op + "(" + rx + ", " + ry
              + "): Target size must be the same as input size");
        }
      } else {
        broadcast(u, x, y, "vs");
      }
    }
    Object reduction = a.size() > 2 ? a.get(2) : "mean";
    if ("none".equals(reduction)) {
      return x.known() && y.known() ? broadcast(u, x, y, "vs") : SymShape.UNKNOWN;
    }
    return reduction instanceof String ? dims(List.of()) : SymShape.UNKNOWN;
  }

  /** {@code crossEntropy}/{@code nllLoss}: input {@code [N, C]}, target {@code [N]} (class indices) or {@code [N, C]}. */
  private static SymShape classLoss(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    SymShape y = shape(a, 1);
    if (x.known() && y.known() && x.rank() >= 1) {
      SymShape rx = u.resolve(x);
      SymShape ry = u.resolve(y);
      if (y.rank() == x.rank()) {
        for (int i = 0; i < x.rank(); i++) {
          u.equal(x.dim(i), y.dim(i), () -> "crossEntropy(" + rx + ", " + ry + "): probabilities target must have"
              + " the input's shape");
        }
      } else if (y.rank() == x.rank() - 1 && x.rank() >= 2) {
        u.equal(x.dim(0), y.dim(0), () -> "crossEntropy(" + rx + ", " + ry + "): Expected input batch_size ("
            + u.resolve(x.dim(0)) + ") to match target batch_size (" + u.resolve(y.dim(0)) + ")");
      } else if (!(x.rank() == 1 && y.rank() == 0)) {
        throw new ShapeError("crossEntropy(" + rx + ", " + ry + "): the target must be [N] class indices or "
            + rx + " probabilities");
      }
    }
    Object reduction = a.size() > 4 ? a.get(4) : "mean";
    return "none".equals(reduction) ? SymShape.UNKNOWN : reduction instanceof String ? dims(List.of())
        : SymShape.UNKNOWN;
  }

  // ---- convolution, pooling, normalisation

  private static Dim window(Dim in, long k, long stride, long pad) {
    if (!in.constant()) {
      return Dim.UNKNOWN;
    }
    return Dim.of(Math.floorDiv(in.coeff() + 2 * pad - k, stride) + 1);
  }

  /** {@code conv2d}: {@code x [N, C, H, W]}, {@code weight [O, C, kh, kw]} → {@code [N, O, H', W']}. */
  public static SymShape conv2d(Unifier u, SymShape x, SymShape w, SymShape b, long stride, long pad) {
    if (!x.known() || !w.known()) {
      return SymShape.UNKNOWN;
    }
    SymShape rx = u.resolve(x);
    SymShape rw = u.resolve(w);
    if (x.rank() != 4 || w.rank() != 4) {
      throw new ShapeError("conv2d(" + rx + ", weight " + rw + "): expected 4-D input and weight");
    }
    u.equal(x.dim(1), w.dim(1), () -> "conv2d(" + rx + ", weight " + rw + "): expected input to have "
        + u.resolve(w.dim(1)) + " channels, but got " + u.resolve(x.dim(1)) + " channels instead");
    Dim kh = u.resolve(w.dim(2));
    Dim kw = u.resolve(w.dim(3));
    Dim h = kh.constant() ? window(u.resolve(x.dim(2)), kh.coeff(), stride, pad) : Dim.UNKNOWN;
    Dim wd = kw.constant() ? window(u.resolve(x.dim(3)), kw.coeff(), stride, pad) : Dim.UNKNOWN;
    if ((h.constant() && h.coeff() <= 0) || (wd.constant() && wd.coeff() <= 0)) {
      throw new ShapeError("conv2d(" + rx + ", weight " + rw + "): Kernel size can't be greater than actual input"
          + " size");
    }
    return dims(List.of(x.dim(0), w.dim(0), h, wd));
  }

  private static SymShape conv2dModule(Unifier u, List<Object> a) {
    if (!(a.get(0) instanceof Module m)) {
      return SymShape.UNKNOWN;
    }
    SymShape w = shape(a, 2);
    if (!w.known() && m.config().size() >= 3 && m.arg(0, -1) >= 0 && m.arg(1, -1) >= 0 && m.arg(2, -1) >= 0) {
      w = SymShape.of((int) m.arg(1, 0), (int) m.arg(0, 0), (int) m.arg(2, 0), (int) m.arg(2, 0));
    }
    return conv2d(u, shape(a, 1), w, null, m.arg(3, 1), m.arg(4, 0));
  }

  private static SymShape maxPool2dModule(Unifier u, List<Object> a) {
    SymShape x = shape(a, 1);
    if (!(a.get(0) instanceof Module m) || !x.known() || m.arg(0, -1) < 0) {
      return SymShape.UNKNOWN;
    }
    if (x.rank() != 4 && x.rank() != 3) {
      throw new ShapeError(m.type() + " on " + u.resolve(x) + ": expected 3-D or 4-D input");
    }
    long k = m.arg(0, 1);
    long s = m.arg(1, k);
    long p = m.arg(2, 0);
    List<Dim> out = new ArrayList<>(x.dims().subList(0, x.rank() - 2));
    out.add(window(u.resolve(x.dim(-2)), k, s, p));
    out.add(window(u.resolve(x.dim(-1)), k, s, p));
    return dims(out);
  }

  private static SymShape flattenModule(Unifier u, List<Object> a) {
    if (!(a.get(0) instanceof Module m)) {
      return SymShape.UNKNOWN;
    }
    return flattenDims(shape(a, 1), m.config().isEmpty() ? Long.valueOf(1) : m.config().get(0),
        m.config().size() < 2 ? Long.valueOf(-1) : m.config().get(1));
  }

  private static SymShape channels(Unifier u, List<Object> a) {
    SymShape x = shape(a, 1);
    if (a.get(0) instanceof Module m && x.known() && x.rank() >= 2 && m.arg(0, -1) >= 0) {
      SymShape rx = u.resolve(x);
      u.equal(x.dim(1), Dim.of(m.arg(0, 0)), () -> m.type() + "(" + m.arg(0, 0) + ") on " + rx
          + ": running_mean should contain " + u.resolve(x.dim(1)) + " elements not " + m.arg(0, 0));
    }
    return x;
  }

  // ---- views and copies with int[] arguments

  /** {@code unflatten(dim, sizes...)}: dimension {@code dim} split into {@code sizes}, one of them may be -1. */
  private static SymShape unflatten(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    List<Long> sizes = ints(a, 2);
    if (!x.known() || d == null || sizes == null) {
      return SymShape.UNKNOWN;
    }
    int nd = dim("unflatten", x, d, x.rank());
    Dim n = u.resolve(x.dim(nd));
    int infer = -1;
    Dim known = Dim.of(1);
    List<Dim> part = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      long s = sizes.get(i);
      if (s == -1) {
        if (infer >= 0) {
          throw new ShapeError("unflatten" + sizes + " of " + u.resolve(x) + ": only one dimension can be inferred");
        }
        infer = i;
        part.add(Dim.UNKNOWN);
      } else if (s < 0) {
        throw new ShapeError("unflatten" + sizes + " of " + u.resolve(x) + ": invalid shape dimension " + s);
      } else {
        part.add(Dim.of(s));
        known = known.times(Dim.of(s));
      }
    }
    if (infer >= 0) {
      Dim q = known.coeff() == 0 || !n.known() ? Dim.UNKNOWN : n.dividedBy(known);
      if (!q.known() && n.constant()) {
        throw new ShapeError("unflatten" + sizes + ": shape " + sizes + " is invalid for input of size " + n + " ("
            + u.resolve(x) + ")");
      }
      part.set(infer, q);
    } else if (n.known()) {
      Dim total = known;
      u.equal(n, total, () -> "unflatten" + sizes + ": shape " + sizes + " is invalid for input of size " + n
          + " (" + u.resolve(x) + ")");
    }
    List<Dim> out = new ArrayList<>(x.dims().subList(0, nd));
    out.addAll(part);
    out.addAll(x.dims().subList(nd + 1, x.rank()));
    return dims(out);
  }

  /**
   * {@code diagonal(offset, dim1, dim2)} (no arguments: {@code 0, 0, 1}): the two dimensions removed, the
   * diagonal's length last; that length is known for constant sizes, or for the main diagonal of two equal sizes.
   */
  private static SymShape diagonal(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long offset = a.size() == 1 ? Long.valueOf(0) : integer(a, 1);
    Long d1 = a.size() == 1 ? Long.valueOf(0) : integer(a, 2);
    Long d2 = a.size() == 1 ? Long.valueOf(1) : integer(a, 3);
    if (!x.known() || d1 == null || d2 == null) {
      return SymShape.UNKNOWN;
    }
    if (x.rank() < 2) {
      throw new ShapeError("diagonal on " + u.resolve(x) + ": expects a tensor of at least 2 dimensions");
    }
    int i = dim("diagonal", x, d1, x.rank());
    int j = dim("diagonal", x, d2, x.rank());
    if (i == j) {
      throw new ShapeError("diagonal on " + u.resolve(x) + ": diagonal dimensions cannot be identical " + d1 + ", "
          + d2);
    }
    Dim n1 = u.resolve(x.dim(i));
    Dim n2 = u.resolve(x.dim(j));
    Dim len;
    if (offset != null && n1.constant() && n2.constant()) {
      long k = offset >= 0 ? Math.min(n1.coeff(), n2.coeff() - offset) : Math.min(n1.coeff() + offset, n2.coeff());
      len = Dim.of(Math.max(k, 0));
    } else {
      len = offset != null && offset == 0 && n1.known() && n1.equals(n2) ? n1 : Dim.UNKNOWN;
    }
    List<Dim> out = new ArrayList<>();
    for (int k = 0; k < x.rank(); k++) {
      if (k != i && k != j) {
        out.add(x.dim(k));
      }
    }
    out.add(len);
    return dims(out);
  }

  /** {@code asStrided(size, stride[, offset])}: the requested sizes (whether they fit the storage is data). */
  private static SymShape asStrided(Unifier u, List<Object> a) {
    long[] size = longs(a, 1);
    if (size == null) {
      return SymShape.UNKNOWN;
    }
    List<Dim> out = new ArrayList<>();
    for (long s : size) {
      if (s < 0) {
        throw new ShapeError("asStrided" + java.util.Arrays.toString(size) + ": negative size " + s);
      }
      out.add(Dim.of(s));
    }
    return dims(out);
  }

  /**
   * {@code index(idx)}: a 1-D index gives {@code [_, rest...]} whatever its dtype (an INT64 index's length, or a
   * BOOL mask's count of true elements, which is data); an index of more dimensions depends on the dtype, which
   * shapes do not carry, and several indices on which of them are masks: unknown.
   */
  private static SymShape index(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    if (a.size() != 2 || !(a.get(1) instanceof SymShape idx) || !x.known() || !idx.known() || x.rank() == 0
        || idx.rank() != 1) {
      return SymShape.UNKNOWN;
    }
    List<Dim> out = new ArrayList<>();
    out.add(Dim.UNKNOWN);
    out.addAll(x.dims().subList(1, x.rank()));
    return dims(out);
  }

  /** {@code indexPut(indices, values, accumulate)}: a copy of the receiver, its shape. */
  private static SymShape indexPut(Unifier u, List<Object> a) {
    return shape(a, 0);
  }

  /** {@code maskedSelect(mask)}: the two broadcast; a 1-D result of as many elements as the mask has true: data. */
  private static SymShape maskedSelect(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    SymShape m = shape(a, 1);
    if (x.known() && m.known()) {
      broadcast(u, x, m, "maskedSelect");
    }
    return dims(List.of(Dim.UNKNOWN));
  }

  /** {@code repeat(repeats...)}, or {@code tile(dims...)} (padded with leading 1s to the rank first). */
  private static SymShape repeat(Unifier u, SymShape x, List<Long> reps, boolean tile) {
    if (!x.known() || reps == null) {
      return SymShape.UNKNOWN;
    }
    List<Long> r = new ArrayList<>(reps);
    String op = tile ? "tile" : "repeat";
    if (tile) {
      while (r.size() < x.rank()) {
        r.add(0, 1L);
      }
    } else if (r.size() < x.rank()) {
      throw new ShapeError("repeat" + reps + " of " + u.resolve(x) + ": Number of dimensions of repeat dims can not"
          + " be smaller than number of dimensions of tensor");
    }
    int lead = r.size() - x.rank();
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      if (r.get(i) < 0) {
        throw new ShapeError(op + reps + " of " + u.resolve(x) + ": negative repeat " + r.get(i));
      }
      out.add(Dim.of(r.get(i)).times(i < lead ? Dim.of(1) : x.dim(i - lead)));
    }
    return dims(out);
  }

  /** {@code sortValues(dim, stable, indices)}: the receiver's shape. */
  private static SymShape sortValues(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    if (x.known() && d != null) {
      dim("sort", x, d, x.rank());
    }
    return x;
  }

  /** {@code topkValues(dim, indices)}: the indices' shape. */
  private static SymShape topkValues(Unifier u, List<Object> a) {
    SymShape x = shape(a, 0);
    Long d = integer(a, 1);
    if (x.known() && d != null) {
      dim("topk", x, d, x.rank());
    }
    return shape(a, 2);
  }

  /** {@code svdvals}: {@code [..., m, n]} gives {@code [..., min(m, n)]} (known for constants or {@code m = n}). */
  private static SymShape svdvals(Unifier u, SymShape x) {
    if (!x.known()) {
      return x;
    }
    if (x.rank() < 2) {
      throw new ShapeError("svdvals on " + u.resolve(x) + ": the input must have at least 2 dimensions");
    }
    Dim m = u.resolve(x.dim(-2));
    Dim n = u.resolve(x.dim(-1));
    Dim k = m.constant() && n.constant() ? Dim.of(Math.min(m.coeff(), n.coeff()))
        : m.known() && m.equals(n) ? m : Dim.UNKNOWN;
    List<Dim> out = new ArrayList<>(x.dims().subList(0, x.rank() - 2));
    out.add(k);
    return dims(out);
  }

  // ---- 1-d convolution, 2-d pooling with int[] arguments

  /** The single element of a 1-d convolution's {@code int[]} option, or {@code null} (unknown, or not one). */
  private static Long one(long[] v) {
    return v != null && v.length == 1 ? Long.valueOf(v[0]) : null;
  }

  /** {@code conv1d(x, weight, bias, stride[], padding[] or "same"/"valid", dilation[], groups)}. */
  private static SymShape conv1d(Unifier u, List<Object> a) {
    Object pad = a.size() > 4 ? a.get(4) : null;
    Object padding = pad instanceof long[] p ? one(p) : pad instanceof String s ? s : null;
    return conv1d(u, shape(a, 0), shape(a, 1), shape(a, 2), one(longs(a, 3)), padding, one(longs(a, 5)),
        integer(a, 6));
  }

  /**
   * {@code ConvTranspose1d/2d.forward}: the module's options from its short constructors ({@code in, out, k} and
   * for 2-d {@code in, out, k, stride, padding, outputPadding}; one group, dilation 1); the long ones leave the
   * spatial sizes unknown.
   */
  private static SymShape convTransposeModule(Unifier u, int n, List<Object> a) {
    if (!(a.get(0) instanceof Module m)) {
      return SymShape.UNKNOWN;
    }
    List<Long> c = m.config();
    boolean shortForm = c.size() == 3 || n == 2 && c.size() == 6;
    SymShape w = shape(a, 2);
    if (!w.known() && shortForm && c.stream().allMatch(java.util.Objects::nonNull)) {
      int[] ws = new int[n + 2];
      ws[0] = c.get(0).intValue();
      ws[1] = c.get(1).intValue();
      for (int k = 0; k < n; k++) {
        ws[2 + k] = c.get(2).intValue();
      }
      w = SymShape.of(ws);
    }
    if (!shortForm) {
      return convTranspose(u, n, shape(a, 1), w, null, null, null, null, null);
    }
    long[] stride = {c.size() > 3 ? c.get(3) : 1};
    long[] pad = {c.size() > 4 ? c.get(4) : 0};
    long[] outPad = {c.size() > 5 ? c.get(5) : 0};
    return convTranspose(u, n, shape(a, 1), w, stride, pad, outPad, 1L, new long[] {1});
  }

  /**
   * A transposed convolution of {@code x [N, C, *in]} or {@code [C, *in]} ({@code n} spatial dimensions) with
   * {@code weight [C, O/groups, *k]}: {@code [N, O, *out]}, {@code out = (in − 1)·stride − 2·pad + dil·(k − 1) +
   * outputPadding + 1} for constants; {@code null} options are unknown.
   */
  private static SymShape convTranspose(Unifier u, int n, SymShape x, SymShape w, long[] stride, long[] pad,
      long[] outPad, Long groups, long[] dil) {
    String op = "convTranspose" + n + "d";
    if (!x.known()) {
      return SymShape.UNKNOWN;
    }
    SymShape rx = u.resolve(x);
    if (x.rank() != n + 2 && x.rank() != n + 1) {
      throw new ShapeError(op + "(" + rx + "): expected " + (n + 1) + "-D (unbatched) or " + (n + 2)
          + "-D (batched) input");
    }
    int channel = x.rank() - n - 1;
    List<Dim> out = new ArrayList<>(x.dims().subList(0, channel));
    if (!w.known()) {
      out.add(Dim.UNKNOWN);
      for (int k = 0; k < n; k++) {
        out.add(Dim.UNKNOWN);
      }
      return dims(out);
    }
    SymShape rw = u.resolve(w);
    if (w.rank() != n + 2) {
      throw new ShapeError(op + "(" + rx + ", weight " + rw + "): expected a " + (n + 2) + "-D weight");
    }
    u.equal(x.dim(channel), w.dim(0), () -> op + "(" + rx + ", weight " + rw + "): expected input to have "
        + u.resolve(w.dim(0)) + " channels, but got " + u.resolve(x.dim(channel)) + " channels instead");
    Dim perGroup = u.resolve(w.dim(1));
    out.add(perGroup.constant() && groups != null ? Dim.of(perGroup.coeff() * groups) : Dim.UNKNOWN);
    for (int k = 0; k < n; k++) {
      Dim in = u.resolve(x.dim(channel + 1 + k));
      Dim kk = u.resolve(w.dim(2 + k));
      if (!in.constant() || !kk.constant() || stride == null || pad == null || outPad == null || dil == null) {
        out.add(Dim.UNKNOWN);
        continue;
      }
      long size = (in.coeff() - 1) * pick(stride, k) - 2 * pick(pad, k) + pick(dil, k) * (kk.coeff() - 1)
          + pick(outPad, k) + 1;
      if (size <= 0) {
        throw new ShapeError(op + "(" + rx + ", weight " + rw + "): the output size " + size + " is too small");
      }
      out.add(Dim.of(size));
    }
    return dims(out);
  }


  /** {@code Conv1d.forward}: the module's options from its constructor ({@code in, out, k, stride, padding, ...}). */
  private static SymShape conv1dModule(Unifier u, List<Object> a) {
    if (!(a.get(0) instanceof Module m)) {
      return SymShape.UNKNOWN;
    }
    List<Long> c = m.config();
    boolean full = c.size() > 3;
    Long groups = full ? (c.size() > 6 ? c.get(6) : null) : Long.valueOf(1);
    SymShape w = shape(a, 2);
    if (!w.known() && c.size() >= 3 && c.get(0) != null && c.get(1) != null && c.get(2) != null && groups != null
        && groups > 0) {
      w = SymShape.of(c.get(1).intValue(), (int) (c.get(0) / groups), c.get(2).intValue());
    }
    Long stride = full ? c.get(3) : Long.valueOf(1);
    Object padding = full ? (c.size() > 4 ? c.get(4) : null) : Long.valueOf(0);
    Long dilation = full ? (c.size() > 5 ? c.get(5) : null) : Long.valueOf(1);
    return conv1d(u, shape(a, 1), w, shape(a, 3), stride, padding, dilation, groups);
  }

  /**
   * A 1-d convolution of {@code x [N, C, L]} or {@code [C, L]} with {@code weight [O, C/groups, k]}: the channels
   * and bias are checked, and {@code L'} is {@code (L + 2·pad − dil·(k − 1) − 1) / stride + 1} for constants,
   * {@code L} for {@code "same"}; {@code null} options are unknown.
   */
  private static SymShape conv1d(Unifier u, SymShape x, SymShape w, SymShape b, Long stride, Object padding,
      Long dilation, Long groups) {
    if (!x.known() || !w.known()) {
      return SymShape.UNKNOWN;
    }
    SymShape rx = u.resolve(x);
    SymShape rw = u.resolve(w);
    if (w.rank() != 3 || (x.rank() != 2 && x.rank() != 3)) {
      throw new ShapeError("conv1d(" + rx + ", weight " + rw + "): expected a 2-D or 3-D input and a 3-D weight");
    }
    boolean batched = x.rank() == 3;
    Dim channels = x.dim(batched ? 1 : 0);
    if (groups != null && groups > 0) {
      u.equal(channels, w.dim(1).times(Dim.of(groups)), () -> "conv1d(" + rx + ", weight " + rw + "): Given groups="
          + groups + ", expected input to have " + u.resolve(w.dim(1).times(Dim.of(groups))) + " channels, but got "
          + u.resolve(channels) + " channels instead");
    }
    if (b != null && b.known()) {
      SymShape rb = u.resolve(b);
      if (b.rank() != 1) {
        throw new ShapeError("conv1d: bias " + rb + " must be 1-D (weight " + rw + ")");
      }
      u.equal(b.dim(0), w.dim(0), () -> "conv1d: bias " + rb + " does not match weight " + rw);
    }
    Dim len = u.resolve(x.dim(-1));
    Dim k = u.resolve(w.dim(2));
    Dim out;
    if ("same".equals(padding)) {
      out = len;
    } else {
      Long p = "valid".equals(padding) ? Long.valueOf(0) : padding instanceof Long l ? l : null;
      if (len.constant() && k.constant() && p != null && stride != null && dilation != null && stride > 0) {
        long span = dilation * (k.coeff() - 1) + 1;
        if (len.coeff() + 2 * p < span) {
          throw new ShapeError("conv1d(" + rx + ", weight " + rw + "): Calculated padded input size per channel: ("
              + (len.coeff() + 2 * p) + "). Kernel size: (" + span + "). Kernel size can't be greater than actual"
              + " input size");
        }
        out = Dim.of((len.coeff() + 2 * p - span) / stride + 1);
      } else {
        out = Dim.UNKNOWN;
      }
    }
    List<Dim> result = new ArrayList<>();
    if (batched) {
      result.add(x.dim(0));
    }
    result.add(w.dim(0));
    result.add(out);
    return dims(result);
  }

  /** Element {@code i} of a pooling option of one or two elements, or {@code null}. */
  private static Long pick(long[] v, int i) {
    return v == null || (v.length != 1 && v.length != 2) ? null : Long.valueOf(v.length == 1 ? v[0] : v[i]);
  }

  /** PyTorch's {@code pooling_output_shape}, or unknown when an operand is. */
  private static Dim pooled(Dim in, Long k, Long pad, Long stride, Long dil, boolean ceil) {
    if (!in.constant() || k == null || pad == null || stride == null || dil == null || stride <= 0) {
      return Dim.UNKNOWN;
    }
    long num = in.coeff() + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
    long out = Math.floorDiv(num, stride) + 1;
    if (ceil && (out - 1) * stride >= in.coeff() + pad) {
      out--;
    }
    return Dim.of(out);
  }

  /**
   * {@code maxPool2d}/{@code avgPool2d} over the last two dimensions of a 3-D or 4-D input: each output size by
   * PyTorch's formula where the options and the input's size are constants, else unknown; an empty stride is the
   * kernel.
   */
  private static SymShape pool2d(Unifier u, String op, SymShape x, long[] kernel, long[] stride, long[] padding,
      long[] dilation, boolean ceil, boolean ceilUnknown) {
    if (!x.known()) {
      return x;
    }
    SymShape rx = u.resolve(x);
    if (x.rank() != 3 && x.rank() != 4) {
      throw new ShapeError(op + " on " + rx + ": Expected 3D or 4D (batch mode) tensor for input");
    }
    long[] s = stride != null && stride.length == 0 ? kernel : stride;
    List<Dim> out = new ArrayList<>(x.dims().subList(0, x.rank() - 2));
    for (int i = 0; i < 2; i++) {
      Long k = pick(kernel, i);
      Long p = pick(padding, i);
      if (k != null && p != null && (p < 0 || p > k / 2)) {
        throw new ShapeError(op + " on " + rx + ": pad should be at most half of kernel size, but got pad=" + p
            + " and kernel_size=" + k);
      }
      Dim o = ceilUnknown ? Dim.UNKNOWN : pooled(u.resolve(x.dim(x.rank() - 2 + i)), k, p, pick(s, i),
          pick(dilation, i), ceil);
      if (o.constant() && o.coeff() < 1) {
        throw new ShapeError(op + " on " + rx + ": Output size is too small (" + o + ")");
      }
      out.add(o);
    }
    return dims(out);
  }

  /** {@code adaptiveAvgPool2d(outputSize)}: the last two sizes become the output size (one element for both). */
  private static SymShape adaptiveAvgPool2d(Unifier u, SymShape x, long[] size) {
    if (!x.known()) {
      return x;
    }
    if (x.rank() != 3 && x.rank() != 4) {
      throw new ShapeError("adaptiveAvgPool2d on " + u.resolve(x) + ": Expected 3D or 4D tensor");
    }
    List<Dim> out = new ArrayList<>(x.dims().subList(0, x.rank() - 2));
    for (int i = 0; i < 2; i++) {
      Long o = pick(size, i);
      if (o != null && o <= 0) {
        throw new ShapeError("adaptiveAvgPool2d on " + u.resolve(x) + ": output_size must be positive, got " + o);
      }
      out.add(o == null ? Dim.UNKNOWN : Dim.of(o));
    }
    return dims(out);
  }
}
