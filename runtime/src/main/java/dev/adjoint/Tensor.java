package dev.adjoint;

import dev.adjoint.annotation.Primitive;
import dev.adjoint.annotation.Primitive.Grad;
import dev.adjoint.autograd.Engine;
import dev.adjoint.autograd.Node;
import dev.adjoint.autograd.Row;
import dev.adjoint.autograd.TensorAccess;
import dev.adjoint.rules.ElementwiseRules;
import dev.adjoint.rules.InPlaceRules;
import dev.adjoint.rules.IndexingRules;
import dev.adjoint.rules.LinalgRules;
import dev.adjoint.rules.NnRules;
import dev.adjoint.rules.PointwiseRules;
import dev.adjoint.rules.ProductRules;
import dev.adjoint.rules.ReductionRules;
import dev.adjoint.rules.RepeatRules;
import dev.adjoint.rules.ShapeRules;
import dev.adjoint.rules.TriangleRules;
import dev.adjoint.rules.UnaryRules;
import dev.adjoint.rules.ViewRules;
import dev.adjoint.shape.Shapes;
import java.util.Arrays;
import java.util.List;

/**
 * A float32 n-dimensional array (storage, offset, shape and strides) that can record the operations made on it, with
 * PyTorch's autograd semantics: {@link #requiresGrad(boolean)}, a {@link #grad()} that accumulates,
 * {@link #backward()}, {@link #detach()}, and in-place operations whose names end in {@code _}, recorded
 * as PyTorch records them (the tensor is rebased onto the operation's node, its version counted).
 *
 * <p>Every differentiable operation is one row ({@link Primitive}): its forward and adjoint side by side in
 * a {@code dev.adjoint.rules} class, and here the annotation naming the adjoint, the node and what it reads,
 * with a {@link Row} beside it that records the forward's result from that annotation. View operations
 * ({@code view}, {@code reshape}, {@code t}, {@code slice}, {@code select}, {@code expand}, ...) return O(1)
 * views that share storage and version counter with their base, as in PyTorch, and an in-place change
 * through a view reaches the base and its graph (see {@link Views}); other operations return new, dense
 * tensors. {@link #detach()} shares storage and version counter with its source, as in PyTorch.
 *
 * <p>Index tensors ({@link #randperm}, {@link #argmax}) have dtype {@link DType#INT64}: they hold
 * integers (exactly, up to 2^24), print without a decimal point and cannot require grad.
 */
public final class Tensor {

  /**
   * The element type. FLOAT64 tensors store {@code double[]} ({@link #storageF64()}); the others store
   * {@code float[]} ({@link #storage()}): INT64 marks integer-valued index tensors (exact up to 2^24), BOOL the
   * 0/1 masks that comparisons return ({@code x.gt(y)}) and that {@link #index(Tensor...)},
   * {@link #maskedFill} and {@link #where} take.
   */
  public enum DType {
    FLOAT32, FLOAT64, INT64, BOOL;

    /** Whether tensors of this type can require grad ({@code dtype.is_floating_point}). */
    public boolean isFloatingPoint() {
      return this == FLOAT32 || this == FLOAT64;
    }

    /** PyTorch's spelling, as {@code toString} prints it: {@code torch.float64}. */
    public String torchName() {
      return switch (this) {
        case FLOAT32 -> "torch.float32";
        case FLOAT64 -> "torch.float64";
        case INT64 -> "torch.int64";
        case BOOL -> "torch.bool";
      };
    }
  }

  /** The {@code float[]} of every FLOAT64 tensor: its elements live in {@link #data64}. */
  private static final float[] NO_FLOATS = new float[0];

  static {
    // first, before the rows below: the autograd package's access to what the public API does not offer
    TensorAccess.install(new Access());
  }

  // The storage and geometry are final in spirit: only setData (PyTorch's `t.data = x`, used by
  // Module.to(dtype) to convert parameters in place) replaces them, all together, on a tensor that is
  // not a view and has no graph.

  /** The storage, shared by a tensor and its views (and {@link #detach()}); empty for FLOAT64. */
  float[] data;
  /** The storage of a FLOAT64 tensor, shared like {@link #data}; {@code null} for every other dtype. */
  double[] data64;
  /** Where element {@code (0, ..., 0)} sits in {@link #data}. */
  int offset;
  int[] shape;
  /** Storage steps per index of each dimension; row-major ({@link Shapes#strides}) unless a view. */
  int[] strides;
  /** {@link #isContiguous()}, decided once per geometry (every read asks). */
  private boolean contiguous;
  int numel;
  DType dtype;
  final int[] version;
  /**
   * How many times {@link #setData} replaced this tensor's data: not a version (PyTorch's {@code x.data = y}
   * keeps {@code x._version}), but read by backward to refuse a graph that saved the old data.
   */
  int dataSwaps;
  boolean requiresGrad;
  Tensor grad;
  Node gradFn;
  /** For a view made by a view operation: its base and how it was made (see {@link Views}); else null. */
  Views.Info view;
  /**
   * A token of the backward pass (an engine task) to which this tensor, a gradient that a rule has just
   * allocated, was handed with nothing else holding it ({@link dev.adjoint.autograd.Grads#owned}); null for
   * every other tensor. That backward may make it a leaf's {@code grad} without copying it.
   */
  Object gradOwner;
  /**
   * The array and version at which {@link #zero_()} last left this dense float32 tensor all zeros, so that the
   * engine can let an adjoint write a leaf's gradient straight into a zeroed {@code grad}
   * ({@link dev.adjoint.autograd.Grads#into}); any later change bumps the version (or swaps the array).
   */
  private float[] zeroedData;
  private int zeroedVersion;
  /** How many nodes hold this tensor among their saved tensors now (see {@link dev.adjoint.autograd.BufferPool}). */
  int savedBy;
  /**
   * Whether this is an activation between two layers of a container that no user code can reach, whose array
   * goes back to the {@link dev.adjoint.autograd.BufferPool} once no node saves it.
   */
  boolean internal;

  /** A dense, row-major tensor over all of {@code data}. */
  Tensor(float[] data, int[] shape, DType dtype, int[] version) {
    this(data, 0, shape, Shapes.strides(shape), true, dtype, version);
  }

  /** A tensor over {@code data} with any geometry (a view); the caller checks that it stays in bounds. */
  Tensor(float[] data, int offset, int[] shape, int[] strides, DType dtype, int[] version) {
    this(data, offset, shape, strides, Views.isContiguous(shape, strides), dtype, version);
  }

  /** A dense, row-major FLOAT64 tensor over all of {@code data64}. */
  Tensor(double[] data64, int[] shape, int[] version) {
    this(NO_FLOATS, data64, 0, shape, Shapes.strides(shape), true, DType.FLOAT64, version);
  }

  /** A tensor over {@code src}'s storage (either kind) with any geometry: views of it. */
  Tensor(Tensor src, int offset, int[] shape, int[] strides) {
    this(src.data, src.data64, offset, shape, strides, Views.isContiguous(shape, strides), src.dtype, src.version);
  }

  private Tensor(float[] data, int offset, int[] shape, int[] strides, boolean contiguous, DType dtype,
      int[] version) {
    this(data, null, offset, shape, strides, contiguous, dtype, version);
    if (dtype == DType.FLOAT64) {
      throw new IllegalArgumentException("a FLOAT64 tensor stores double[]; use Tensor.wrap(double[], ...)");
    }
  }

  private Tensor(float[] data, double[] data64, int offset, int[] shape, int[] strides, boolean contiguous,
      DType dtype, int[] version) {
    this(data, data64, offset, shape, strides, contiguous, dtype, version, Shapes.numel(shape));
  }

  private Tensor(float[] data, double[] data64, int offset, int[] shape, int[] strides, boolean contiguous,
      DType dtype, int[] version, int numel) {
    this.data = data;
    this.data64 = data64;
    this.offset = offset;
    this.shape = shape;
    this.strides = strides;
    this.contiguous = contiguous;
    this.numel = numel;
    this.dtype = dtype;
    this.version = version;
  }

  /** The autograd package's access to a tensor's internals ({@link TensorAccess}). */
  private static final class Access extends TensorAccess {
    @Override
    protected void setGradFn(Tensor t, Node node) {
      t.gradFn = node;
      t.requiresGrad = true;
    }

    @Override
    protected int[] shape(Tensor t) {
      return t.shape;
    }

    @Override
    protected boolean isDense(Tensor t) {
      return t.isDense();
    }

    @Override
    protected int dataSwaps(Tensor t) {
      return t.dataSwaps;
    }

    @Override
    protected Object gradOwner(Tensor t) {
      return t.gradOwner;
    }

    @Override
    protected void setGradOwner(Tensor t, Object owner) {
      t.gradOwner = owner;
    }

    @Override
    protected Object array(Tensor t) {
      return t.data64 != null ? t.data64 : t.data;
    }

    @Override
    protected void retire(Tensor t) {
      t.data = NO_FLOATS;
      t.gradOwner = null;
      t.internal = false;
    }

    @Override
    protected int savedBy(Tensor t, int delta) {
      return t.savedBy += delta;
    }

    @Override
    protected boolean internal(Tensor t) {
      return t.internal;
    }

    @Override
    protected void setInternal(Tensor t, boolean internal) {
      t.internal = internal;
    }

    @Override
    protected boolean isKnownZero(Tensor t) {
      return t.zeroedData != null && t.zeroedData == t.data && t.zeroedVersion == t.version[0] && t.isDense();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Creation

  /**
   * Wraps {@code data} (not copied: the caller gives it up) as a float tensor of {@code shape}. For
   * kernels and generated code; user code normally uses {@link #of(float...)}.
   */
  public static Tensor wrap(float[] data, int... shape) {
    int n = Shapes.numel(shape);
    if (data.length != n) {
      throw new IllegalArgumentException("wrap: " + data.length + " values do not fill shape "
          + Shapes.str(shape) + " (" + n + " elements)");
    }
    int[] own = shape.clone();
    return new Tensor(data, null, 0, own, Shapes.strides(own), true, DType.FLOAT32, new int[1], n);
  }

  /**
   * A dense FLOAT32 tensor over {@code data} (not copied) with {@code like}'s shape, for the many kernels that
   * make a result of their input's shape; {@code wrap(data, like.shape())} without copying the shape twice.
   */
  public static Tensor wrapLike(float[] data, Tensor like) {
    if (data.length != like.numel) {
      throw new IllegalArgumentException("wrapLike: " + data.length + " values do not fill shape "
          + Shapes.str(like.shape) + " (" + like.numel + " elements)");
    }
    return new Tensor(data, null, 0, like.shape, like.contiguous ? like.strides : Shapes.strides(like.shape), true,
        DType.FLOAT32, new int[1], like.numel);
  }

  /** Like {@link #wrap(float[], int...)} with a dtype; INT64 data must hold integers. */
  public static Tensor wrap(float[] data, int[] shape, DType dtype) {
    if (data.length != Shapes.numel(shape)) {
      throw new IllegalArgumentException("wrap: " + data.length + " values do not fill shape "
          + Shapes.str(shape));
    }
    return new Tensor(data, shape.clone(), dtype, new int[1]);
  }

  /**
   * Wraps {@code data} (not copied: the caller gives it up) as a FLOAT64 tensor of {@code shape}: for kernels,
   * rules and generated code; user code normally uses {@link #of(DType, double...)}.
   */
  public static Tensor wrap(double[] data, int... shape) {
    if (data.length != Shapes.numel(shape)) {
      throw new IllegalArgumentException("wrap: " + data.length + " values do not fill shape "
          + Shapes.str(shape) + " (" + Shapes.numel(shape) + " elements)");
    }
    return new Tensor(data, shape.clone(), new int[1]);
  }

  /**
   * A 1-D tensor of the given values in {@code dtype} ({@code torch.tensor([...], dtype=...)}): FLOAT64 keeps
   * them exactly, FLOAT32 rounds them, INT64 and BOOL need integral (0/1) values.
   */
  public static Tensor of(DType dtype, double... values) {
    return fromDoubles("of", values.clone(), new int[] {values.length}, dtype);
  }

  /** A 2-D tensor in {@code dtype} from rows of equal length. */
  public static Tensor of(DType dtype, double[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    double[] d = new double[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new IllegalArgumentException("of(double[][]): row " + i + " has " + rows[i].length
            + " values, expected " + cols + " like row 0");
      }
      System.arraycopy(rows[i], 0, d, i * cols, cols);
    }
    return fromDoubles("of", d, new int[] {rows.length, cols}, dtype);
  }

  /** A 0-dimensional tensor of {@code dtype} holding {@code value}. */
  public static Tensor scalar(double value, DType dtype) {
    return fromDoubles("scalar", new double[] {value}, new int[0], dtype);
  }

  /** {@code values} (given up) as a dense tensor of {@code dtype}, rounded to float for the float-stored types. */
  static Tensor fromDoubles(String op, double[] values, int[] shape, DType dtype) {
    if (dtype == DType.FLOAT64) {
      return new Tensor(values, shape, new int[1]);
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      double v = values[i];
      if (dtype == DType.INT64 && v != Math.rint(v) || dtype == DType.BOOL && v != 0 && v != 1) {
        throw new IllegalArgumentException(op + ": value " + v + " at " + i + " is not a valid " + dtype);
      }
      f[i] = (float) v;
    }
    return new Tensor(f, shape, dtype, new int[1]);
  }

  /** A 1-D float32 tensor of the given values ({@code torch.tensor([...])}); float64: {@link #of(DType, double...)}. */
  public static Tensor of(float... values) {
    return new Tensor(values.clone(), new int[] {values.length}, DType.FLOAT32, new int[1]);
  }

  /**
   * A 1-D <b>float32</b> tensor of the given values, each rounded to the nearest float, as
   * {@code torch.tensor([0.5, 1.5])} gives PyTorch's default dtype float32 although Python's numbers are
   * doubles: {@code Tensor.of(0.1).getDouble(0)} is {@code 0.10000000149011612}. For float64, which keeps the
   * values exactly, use {@link #of(DType, double...)}: {@code Tensor.of(DType.FLOAT64, 0.1)}
   * ({@code torch.tensor([0.1], dtype=torch.float64)}).
   */
  public static Tensor of(double... values) {
    float[] d = new float[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) values[i];
    }
    return new Tensor(d, new int[] {values.length}, DType.FLOAT32, new int[1]);
  }

  /** A 2-D tensor from rows of equal length. */
  public static Tensor of(float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] d = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new IllegalArgumentException("of(float[][]): row " + i + " has " + rows[i].length
            + " values, expected " + cols + " like row 0");
      }
      System.arraycopy(rows[i], 0, d, i * cols, cols);
    }
    return new Tensor(d, new int[] {rows.length, cols}, DType.FLOAT32, new int[1]);
  }

  /** A 0-dimensional tensor holding {@code value} ({@code torch.tensor(3.0)}). */
  public static Tensor scalar(double value) {
    return new Tensor(new float[] {(float) value}, new int[0], DType.FLOAT32, new int[1]);
  }

  /** A tensor of zeros; {@code zeros()} is a 0-D zero ({@code torch.zeros(())}). */
  public static Tensor zeros(int... shape) {
    Shapes.check("zeros", shape);
    return new Tensor(new float[Shapes.numel(shape)], shape.clone(), DType.FLOAT32, new int[1]);
  }

  /** A tensor of ones. */
  public static Tensor ones(int... shape) {
    return full(1f, shape);
  }

  /** A tensor of zeros of {@code dtype} ({@code torch.zeros(shape, dtype=...)}). */
  public static Tensor zeros(int[] shape, DType dtype) {
    return full(0, shape, dtype);
  }

  /** A tensor of ones of {@code dtype}. */
  public static Tensor ones(int[] shape, DType dtype) {
    return full(1, shape, dtype);
  }

  /** A tensor of {@code dtype} filled with {@code value}. */
  public static Tensor full(double value, int[] shape, DType dtype) {
    Shapes.check("full", shape);
    double[] d = new double[Shapes.numel(shape)];
    Arrays.fill(d, value);
    return fromDoubles("full", d, shape.clone(), dtype);
  }

  /** A tensor filled with {@code value}. */
  public static Tensor full(float value, int... shape) {
    Shapes.check("full", shape);
    float[] d = new float[Shapes.numel(shape)];
    Arrays.fill(d, value);
    return new Tensor(d, shape.clone(), DType.FLOAT32, new int[1]);
  }

  /** {@code [start, start+step, ...)} below {@code end}, as float32 ({@code torch.arange}). */
  public static Tensor arange(double start, double end, double step) {
    if (step == 0 || (end - start) / step < 0) {
      throw new IllegalArgumentException("arange: upper bound and larger bound inconsistent with step sign"
          + " (start=" + start + ", end=" + end + ", step=" + step + ")");
    }
    int n = (int) Math.ceil((end - start) / step);
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      d[i] = (float) (start + i * step);
    }
    return new Tensor(d, new int[] {n}, DType.FLOAT32, new int[1]);
  }

  /** {@code [0, 1, ..., end-1]}. */
  public static Tensor arange(int end) {
    return arange(0, end, 1);
  }

  /** Standard normal samples from {@code gen}. */
  public static Tensor randn(Generator gen, int... shape) {
    Shapes.check("randn", shape);
    float[] d = new float[Shapes.numel(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) gen.nextGaussian();
    }
    return new Tensor(d, shape.clone(), DType.FLOAT32, new int[1]);
  }

  /** Standard normal samples of a floating {@code dtype} from {@code gen} (FLOAT64: not rounded). */
  public static Tensor randn(Generator gen, int[] shape, DType dtype) {
    Shapes.check("randn", shape);
    double[] d = new double[Shapes.numel(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = gen.nextGaussian();
    }
    return fromDoubles("randn", d, shape.clone(), floating("randn", dtype));
  }

  /** Uniform samples in {@code [0, 1)} of a floating {@code dtype} from {@code gen} (FLOAT64: 53 bits). */
  public static Tensor rand(Generator gen, int[] shape, DType dtype) {
    Shapes.check("rand", shape);
    if (dtype == DType.FLOAT32) {
      return rand(gen, shape);
    }
    double[] d = new double[Shapes.numel(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = gen.nextDouble();
    }
    return fromDoubles("rand", d, shape.clone(), floating("rand", dtype));
  }

  /** {@code [start, start+step, ...)} below {@code end} in {@code dtype}. */
  public static Tensor arange(double start, double end, double step, DType dtype) {
    if (dtype != DType.FLOAT64) {
      return arange(start, end, step).to(dtype);
    }
    int n = arange(start, end, step).numel();
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = start + i * step;
    }
    return new Tensor(d, new int[] {n}, new int[1]);
  }

  /** The {@code n × n} identity matrix, float32 ({@code torch.eye(n)}). */
  public static Tensor eye(int n) {
    return eye(n, n, DType.FLOAT32);
  }

  /** The {@code n × m} matrix with ones on its main diagonal, float32 ({@code torch.eye(n, m)}). */
  public static Tensor eye(int n, int m) {
    return eye(n, m, DType.FLOAT32);
  }

  /** The {@code n × m} matrix with ones on its main diagonal, of {@code dtype}. */
  public static Tensor eye(int n, int m, DType dtype) {
    if (n < 0 || m < 0) {
      throw new IllegalArgumentException("eye: n and m must be non-negative, got n=" + n + ", m=" + m);
    }
    double[] d = new double[n * m];
    for (int i = 0; i < Math.min(n, m); i++) {
      d[i * m + i] = 1;
    }
    return fromDoubles("eye", d, new int[] {n, m}, dtype);
  }

  /**
   * {@code steps} evenly spaced values from {@code start} to {@code end}, both included, float32
   * ({@code torch.linspace}); computed as PyTorch does, from {@code start} for the first half and back from
   * {@code end} for the second, so the last value is {@code end} exactly.
   */
  public static Tensor linspace(double start, double end, int steps) {
    return linspace(start, end, steps, DType.FLOAT32);
  }

  /** {@link #linspace(double, double, int)} in {@code dtype} (float32 or float64). */
  public static Tensor linspace(double start, double end, int steps, DType dtype) {
    if (steps < 0) {
      throw new IllegalArgumentException("linspace: number of steps must be non-negative, got " + steps);
    }
    floating("linspace", dtype);
    double[] d = new double[steps];
    if (steps == 1) {
      d[0] = start;
    } else if (steps > 1) {
      double step = (end - start) / (steps - 1);
      int half = steps / 2;
      for (int i = 0; i < steps; i++) {
        d[i] = i < half ? start + step * i : end - step * (steps - i - 1);
      }
    }
    return fromDoubles("linspace", d, new int[] {steps}, dtype);
  }

  /**
   * {@code steps} values {@code base^e} for exponents evenly spaced from {@code start} to {@code end}, both included,
   * float32 ({@code torch.logspace(start, end, steps)}, base 10).
   */
  public static Tensor logspace(double start, double end, int steps) {
    return logspace(start, end, steps, 10, DType.FLOAT32);
  }

  /** {@link #logspace(double, double, int)} in {@code base} and {@code dtype} (float32 or float64). */
  public static Tensor logspace(double start, double end, int steps, double base, DType dtype) {
    if (steps < 0) {
      throw new IllegalArgumentException("logspace: number of steps must be non-negative, got " + steps);
    }
    floating("logspace", dtype);
    double[] e = linspace(start, end, steps, DType.FLOAT64).toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      e[i] = Math.pow(base, e[i]);
    }
    return fromDoubles("logspace", e, new int[] {steps}, dtype);
  }

  private static DType floating(String op, DType dtype) {
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException(op + ": \"" + op + "\" not implemented for '" + dtype + "'");
    }
    return dtype;
  }

  /** Standard normal samples from the default generator ({@link Adjoint#manualSeed}). */
  public static Tensor randn(int... shape) {
    return randn(Generator.defaultGenerator(), shape);
  }

  /** Uniform samples in {@code [0, 1)} from {@code gen}. */
  public static Tensor rand(Generator gen, int... shape) {
    Shapes.check("rand", shape);
    float[] d = new float[Shapes.numel(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = gen.nextFloat();
    }
    return new Tensor(d, shape.clone(), DType.FLOAT32, new int[1]);
  }

  /** Uniform samples in {@code [0, 1)} from the default generator. */
  public static Tensor rand(int... shape) {
    return rand(Generator.defaultGenerator(), shape);
  }

  /** A random permutation of {@code 0 .. n-1} (an INT64 index tensor), from {@code gen}. */
  public static Tensor randperm(int n, Generator gen) {
    int[] p = gen.permutation(n);
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      d[i] = p[i];
    }
    return new Tensor(d, new int[] {n}, DType.INT64, new int[1]);
  }

  /** A random permutation of {@code 0 .. n-1} from the default generator. */
  public static Tensor randperm(int n) {
    return randperm(n, Generator.defaultGenerator());
  }

  /** An INT64 index tensor of the given values ({@code torch.tensor([2, 0, 1])}). */
  public static Tensor indices(int... values) {
    float[] d = new float[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return new Tensor(d, new int[] {values.length}, DType.INT64, new int[1]);
  }

  /** A tensor of zeros with the shape of {@code t}; float64 when {@code t} is, else float32. */
  public static Tensor zerosLike(Tensor t) {
    return t.dtype == DType.FLOAT64 ? zeros(t.shape, DType.FLOAT64) : zeros(t.shape);
  }

  /** A tensor of ones with the shape of {@code t}; float64 when {@code t} is, else float32. */
  public static Tensor onesLike(Tensor t) {
    return t.dtype == DType.FLOAT64 ? ones(t.shape, DType.FLOAT64) : ones(t.shape);
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection

  /** The sizes of the dimensions (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** The size of dimension {@code d} (negative counts from the end). */
  public int size(int d) {
    return shape[Shapes.dim("size", d, shape.length)];
  }

  /** Whether this tensor's shape equals {@code other}'s ({@code a.shape == b.shape}), without copying either. */
  public boolean sameShape(Tensor other) {
    return shape == other.shape || Arrays.equals(shape, other.shape);
  }

  /** The number of dimensions. */
  public int dim() {
    return shape.length;
  }

  /** The number of elements. */
  public int numel() {
    return numel;
  }

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /**
   * The value of a one-element tensor of any dtype as a Java {@code float} ({@code x.item()} in Python): exact for
   * float32, int64 and bool; a FLOAT64 value is rounded to the nearest float, as {@code (float) x.item()} would, so
   * {@code if (loss.item() < tol)} reads the same for both dtypes. {@link #itemDouble()} is the exact value of any
   * dtype (Python's {@code item()} is a double; see docs/DECISIONS.md).
   */
  public float item() {
    live("item");
    if (numel != 1) {
      throw new IllegalStateException("item: a Tensor with " + numel + " elements (shape "
          + Shapes.str(shape) + ") cannot be converted to a scalar");
    }
    return data64 != null ? (float) data64[offset] : data[offset];
  }

  /** The exact value of a one-element tensor of any dtype ({@code x.item()} in Python, a double). */
  public double itemDouble() {
    live("itemDouble");
    if (numel != 1) {
      throw new IllegalStateException("itemDouble: a Tensor with " + numel + " elements (shape "
          + Shapes.str(shape) + ") cannot be converted to a scalar");
    }
    return data64 != null ? data64[offset] : data[offset];
  }

  /** One element, by its full index (negative indices count from the end). */
  public float get(int... index) {
    if (data64 != null) {
      throw notImplementedF64("get", "use getDouble(int...)");
    }
    return data[storageIndex("get", index)];
  }

  /** One element of any dtype, exactly, by its full index (negative indices count from the end). */
  public double getDouble(int... index) {
    int at = storageIndex("getDouble", index);
    return data64 != null ? data64[at] : data[at];
  }

  private int storageIndex(String op, int... index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of shape "
          + Shapes.str(shape));
    }
    int off = offset;
    for (int d = 0; d < shape.length; d++) {
      int i = index[d] < 0 ? index[d] + shape[d] : index[d];
      if (i < 0 || i >= shape[d]) {
        throw new IndexOutOfBoundsException(op + ": index " + index[d] + " is out of bounds for dimension "
            + d + " with size " + shape[d]);
      }
      off += i * strides[d];
    }
    return off;
  }

  /**
   * A row-major copy of the elements. A FLOAT64 tensor throws, as rounding would be silent: use {@link
   * #toDoubleArray()}, or {@code to(DType.FLOAT32).toFloatArray()}.
   */
  public float[] toFloatArray() {
    live("toFloatArray");
    if (data64 != null) {
      throw notImplementedF64("toFloatArray", "use toDoubleArray(), or to(FLOAT32) first");
    }
    return isDense() ? data.clone() : Views.gather(this);
  }

  /** A row-major copy of the elements as doubles, exact for every dtype. */
  public double[] toDoubleArray() {
    live("toDoubleArray");
    if (data64 != null) {
      return isDense() ? data64.clone() : Views.gather64(this);
    }
    float[] f = storage();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /**
   * The elements of a FLOAT64 tensor, row-major, for reading: the backing array when dense, else a fresh
   * copy (as {@link #storage()} for the float-stored types). Throws for other dtypes: promote first
   * ({@link #to(DType)}) or read {@link #toDoubleArray()}.
   */
  public double[] storageF64() {
    if (data64 == null) {
      throw new IllegalStateException("storageF64: the tensor is " + dtype + ", not FLOAT64 (shape "
          + Shapes.str(shape) + "); use toDoubleArray() or to(FLOAT64)");
    }
    return isDense() ? data64 : Views.gather64(this);
  }

  /** The backing {@code double[]} of a dense FLOAT64 tensor, to write in place, as {@link #mutableStorage}. */
  public double[] mutableStorageF64(String op) {
    if (data64 == null) {
      throw new IllegalStateException(op + ": the tensor is " + dtype + ", not FLOAT64 (shape "
          + Shapes.str(shape) + ")");
    }
    if (!isDense()) {
      throw new IllegalStateException(op + ": cannot write in place through the row-major array of a "
          + "non-contiguous or offset view (shape " + Shapes.str(shape) + ", strides " + Shapes.str(strides)
          + ", storage offset " + offset + "); write to its base");
    }
    return data64;
  }

  /**
   * The exception for an operation that has no float64 path yet: it names the operation (the first caller
   * outside the storage accessors when {@code op} is null) and the shape, so an op that is not ported fails
   * loudly instead of computing a FLOAT64 tensor in float32.
   */
  IllegalStateException notImplementedF64(String op, String hint) {
    String who = op;
    String detail = "";
    if (who == null) {
      // the rule that read float32 storage, and the public operation (Tensor's or F's) that called it, if any
      List<StackWalker.StackFrame> frames = StackWalker.getInstance().walk(f -> f.limit(64).toList());
      String rule = "storage";
      for (StackWalker.StackFrame f : frames) {
        String c = f.getClassName();
        if (!c.equals(Tensor.class.getName()) && !c.equals(Views.class.getName())
            && !c.equals("dev.adjoint.rules.Rules")) {
          rule = c.substring(c.lastIndexOf('.') + 1) + "." + f.getMethodName();
          break;
        }
      }
      String facade = null;
      for (StackWalker.StackFrame f : frames) {
        String c = f.getClassName();
        if ((c.equals(Tensor.class.getName()) || c.equals("dev.adjoint.nn.F"))
            && !f.getMethodName().equals("storage") && !f.getMethodName().equals("notImplementedF64")) {
          facade = f.getMethodName();
        } else if (facade != null && !c.startsWith("dev.adjoint.")) {
          break;
        }
      }
      who = facade != null ? facade : rule;
      detail = facade != null ? rule + " " : "";
    }
    return new IllegalStateException(who + ": not implemented for FLOAT64 (" + detail + "on a tensor of shape "
        + Shapes.str(shape) + (hint == null ? ")" : "; " + hint + ")"));
  }

  /**
   * The elements, row-major, exactly {@link #numel()} of them: for reading. When this tensor is
   * <em>dense</em> (contiguous, storage offset 0, and its storage holds nothing else, as every tensor that
   * is not a view) this is the backing array itself, not copied; otherwise (a strided or offset view) it is
   * a fresh row-major copy, made on every call, so read it once per operation. Kernels and generated code
   * read through it. Writing to the result reaches this tensor only when it is dense: writers use
   * {@link #mutableStorage(String)}, and must call {@link #bumpVersion()} (the array bypasses the version
   * counter, so never write to a tensor that a recorded operation has saved).
   */
  public float[] storage() {
    live("storage");
    if (data64 != null) {
      throw notImplementedF64(null, "this operation reads float32 storage and has no float64 path yet");
    }
    return isDense() ? data : Views.gather(this);
  }

  /**
   * The backing array, for code that writes the elements in place (optimizers, initialisers): the same
   * row-major array as {@link #storage()}, which must be this tensor's own. Throws {@code
   * IllegalStateException} naming {@code op} when this tensor is a view that is not dense (a slice,
   * a transpose, an expanded tensor), since writes to a copy would be lost: write to its base, or to a
   * {@code contiguous()} tensor. In-place operations of this class write through any view.
   */
  public float[] mutableStorage(String op) {
    if (data64 != null) {
      throw notImplementedF64(op, "it writes float32 storage; use mutableStorageF64");
    }
    if (!isDense()) {
      throw new IllegalStateException(op + ": cannot write in place through the row-major array of a "
          + "non-contiguous or offset view (shape " + Shapes.str(shape) + ", strides " + Shapes.str(strides)
          + ", storage offset " + offset + "); use an in-place Tensor operation (copy_, add_, ...), or "
          + "write to its base");
    }
    return data;
  }

  /** The storage steps of each dimension ({@code x.stride()}; a copy). */
  public int[] strides() {
    return strides.clone();
  }

  /** The storage step of dimension {@code d} ({@code x.stride(d)}; negative counts from the end). */
  public int stride(int d) {
    return strides[Shapes.dim("stride", d, shape.length)];
  }

  /** Where the first element sits in the storage ({@code x.storage_offset()}). */
  public int storageOffset() {
    return offset;
  }

  /**
   * Whether the elements lie in the storage in row-major order with no gaps ({@code x.is_contiguous()});
   * as PyTorch, dimensions of size 1 may have any stride, and a tensor with no elements is contiguous.
   */
  public boolean isContiguous() {
    return contiguous;
  }

  /** Contiguous, offset 0 and alone in its storage: {@link #storage()} is then the backing array. */
  boolean isDense() {
    return offset == 0 && storageSize() == numel && isContiguous();
  }

  /** The number of elements of the storage (either kind), shared with views. */
  int storageSize() {
    return data64 != null ? data64.length : data.length;
  }

  /**
   * Whether this tensor is a view made by a view operation ({@code x._is_view()}): it shares storage and
   * version counter with {@link #base()}, and an in-place change through it reaches the base and its
   * graph. {@link #detach()} shares storage too but is not such a view, as in PyTorch.
   */
  public boolean isView() {
    return view != null;
  }

  /** The tensor whose storage this view shares ({@code x._base}; never itself a view), or {@code null}. */
  public Tensor base() {
    return view == null ? null : view.base;
  }

  /** How many in-place changes this tensor's storage has seen (PyTorch's {@code _version}). */
  public int version() {
    return version[0];
  }

  // ---------------------------------------------------------------------------------------------
  // Autograd state

  /**
   * Sets whether operations on this leaf are recorded; returns {@code this}. On a recorded result,
   * {@code true} changes nothing (as in PyTorch) and {@code false} is an error.
   */
  public Tensor requiresGrad(boolean requires) {
    if (gradFn() != null && requires) {
      return this;
    }
    if (gradFn != null) {
      throw new IllegalStateException("requiresGrad: you can only change requiresGrad flags of leaf "
          + "variables (this tensor was made by " + gradFn.name() + "). Use detach() to get a leaf.");
    }
    if (requires && !dtype.isFloatingPoint()) {
      throw new IllegalStateException("requiresGrad: only floating point tensors can require gradients "
          + "(this one is " + dtype + ")");
    }
    this.requiresGrad = requires;
    return this;
  }

  /**
   * Whether this tensor records operations (a leaf that asked to, or a result of recorded ones); a view
   * also when its base does, as in PyTorch.
   */
  public boolean requiresGrad() {
    return requiresGrad || view != null && (gradFn() != null || view.base.requiresGrad());
  }

  /** The accumulated gradient, or {@code null} until a backward pass reaches this tensor. */
  public Tensor grad() {
    return grad;
  }

  /**
   * Makes this tensor hold {@code src}'s values, dtype and shape ({@code t.data = src} in PyTorch): this
   * object keeps its identity, autograd flags, gradient and version counter, and from now on shares
   * {@code src}'s storage (so a later in-place change of either shows in the other, as in PyTorch).
   * {@link dev.adjoint.nn.Module#to} converts parameters this way, so that every field, container and
   * optimizer that holds a parameter sees the converted one. Nothing is recorded, and the version is kept,
   * as PyTorch keeps it. Unlike PyTorch, a backward through a graph that saved the old data throws (naming
   * setData) instead of reading the new data silently; caches keyed by the storage drop their copies.
   *
   * <p>Throws naming the shapes and dtypes when this tensor is a view (its base would not follow), is not
   * a leaf (its node holds the old geometry), requires grad while {@code src} is not floating point, or
   * when {@code src} is this tensor.
   */
  public void setData(Tensor src) {
    java.util.Objects.requireNonNull(src, "setData: src");
    if (src == this) {
      return;
    }
    if (view != null) {
      throw new IllegalStateException("setData: this tensor (shape " + Shapes.str(shape) + ", " + dtype
          + ") is a view of another tensor; set the data of its base");
    }
    if (gradFn != null) {
      throw new IllegalStateException("setData: this tensor (shape " + Shapes.str(shape) + ") was made by "
          + gradFn.name() + "; only a leaf's data can be replaced (use detach())");
    }
    if (requiresGrad && !src.dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("setData: this tensor requires grad, and the new data is " + src.dtype
          + " (only floating point tensors can require gradients)");
    }
    this.data = src.data;
    this.data64 = src.data64;
    this.offset = src.offset;
    this.shape = src.shape.clone();
    this.strides = src.strides.clone();
    this.contiguous = src.contiguous;
    this.numel = src.numel;
    this.dtype = src.dtype;
    dataSwaps++;
  }

  /** Replaces the gradient ({@code t.grad = g} in PyTorch; {@code null} clears it). */
  public void setGrad(Tensor g) {
    if (g != null && !Arrays.equals(g.shape, shape)) {
      throw new IllegalArgumentException("setGrad: assigned grad has shape " + Shapes.str(g.shape)
          + " but the tensor has shape " + Shapes.str(shape));
    }
    if (g != null && g.dtype != dtype) {
      throw new IllegalArgumentException("setGrad: assigned grad has data of a different type (the grad is "
          + g.dtype + ", the tensor " + dtype + ")");
    }
    this.grad = g;
  }

  /** Whether this tensor is a leaf: made by the user, not by a recorded operation. */
  public boolean isLeaf() {
    return gradFn() == null;
  }

  /**
   * The node that made this tensor ({@code grad_fn}), or {@code null} for a leaf. For a view whose base
   * (or another view of it) changed in place since, this is a new {@code AsStridedBackward0} node reading
   * the base's current node, as PyTorch regenerates it.
   */
  public Node gradFn() {
    if (view != null) {
      Views.refresh(this);
    }
    return gradFn;
  }

  /**
   * Which output of {@link #gradFn()} this tensor is ({@code output_nr}): 0 for a leaf and for the result of
   * an operation of one output.
   */
  public int outputNr() {
    Node fn = gradFn();
    return fn == null ? 0 : fn.outputNr(this);
  }

  /** Asks a non-leaf to keep its gradient in {@link #grad()} during backward. */
  public Tensor retainGrad() {
    if (!requiresGrad()) {
      throw new IllegalStateException("retainGrad: can't retain the grad of a tensor that does not "
          + "require grad");
    }
    if (gradFn() != null) {
      gradFn.retain(this);
    }
    return this;
  }

  /**
   * Registers a hook on this tensor's gradient ({@code register_hook}): on each backward it receives the
   * gradient with respect to this tensor (summed over its uses) and may return a replacement of the same
   * shape, or {@code null} to keep it. For a leaf it runs before accumulation into {@link #grad()}; for a
   * non-leaf, before the gradient flows on into {@link #gradFn()}. {@code Autograd.grad} returns the
   * gradient before hooks, as PyTorch 1.13. The handle removes the hook.
   */
  public dev.adjoint.autograd.RemovableHandle registerHook(java.util.function.UnaryOperator<Tensor> hook) {
    if (!requiresGrad()) {
      throw new IllegalStateException("registerHook: cannot register a hook on a tensor that doesn't require "
          + "gradient (shape " + Shapes.str(shape) + ")");
    }
    Node fn = gradFn();
    return fn == null ? dev.adjoint.autograd.AccumulateGrad.registerHook(this, hook)
        : fn.registerPreHook(fn.outputNr(this), hook);
  }

  /**
   * Registers a hook that runs with this leaf after a backward has accumulated its gradient into
   * {@link #grad()} ({@code register_post_accumulate_grad_hook}, PyTorch 2.1): an optimizer step per
   * parameter, for instance. Only for leaves that require grad. The handle removes the hook.
   */
  public dev.adjoint.autograd.RemovableHandle registerPostAccumulateGradHook(
      java.util.function.Consumer<Tensor> hook) {
    if (!requiresGrad()) {
      throw new IllegalStateException("registerPostAccumulateGradHook: cannot register a hook on a tensor that "
          + "doesn't require gradient (shape " + Shapes.str(shape) + ")");
    }
    if (gradFn() != null) {
      throw new IllegalStateException("registerPostAccumulateGradHook: post accumulate grad hooks cannot be "
          + "registered on non-leaf tensors (this tensor was made by " + gradFn().name() + ")");
    }
    return dev.adjoint.autograd.AccumulateGrad.registerPostAccumulateGradHook(this, hook);
  }

  /**
   * Backward with every option of PyTorch's {@code backward}: {@code createGraph} records the backward
   * itself (so the gradients can be differentiated again); {@code inputs}, when not empty, limits
   * accumulation to those tensors.
   */
  public void backward(Tensor gradient, boolean retainGraph, boolean createGraph, Tensor... inputs) {
    Engine.backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph || createGraph, createGraph,
        inputs.length == 0 ? null : inputs);
  }

  /**
   * A tensor sharing this one's storage (and version counter, strides and offset) that is not recorded.
   * As in PyTorch it is not a view ({@link #isView()} is false): in-place changes through it are never
   * recorded, though they count a version.
   */
  public Tensor detach() {
    return new Tensor(this, offset, shape, strides);
  }

  /** Backward from a one-element tensor: accumulates d(this)/d(leaf) into each leaf's grad. */
  public void backward() {
    Engine.backward(this, null, false);
  }

  /** Backward with the given gradient of this tensor (the vector of the vector-Jacobian product). */
  public void backward(Tensor gradient) {
    Engine.backward(this, gradient, false);
  }

  /**
   * Backward from a one-element tensor that keeps the graph (its saved tensors) for a later backward
   * when {@code retainGraph} ({@code loss.backward(retain_graph=True)}).
   */
  public void backward(boolean retainGraph) {
    Engine.backward(this, null, retainGraph);
  }

  /** Backward that keeps the graph (its saved tensors) for a later backward when {@code retainGraph}. */
  public void backward(Tensor gradient, boolean retainGraph) {
    Engine.backward(this, gradient, retainGraph);
  }

  // ---------------------------------------------------------------------------------------------
  // In-place operations. Each counts a new version of the storage. With grad mode on and this tensor or
  // an operand requiring grad, the change is recorded as in PyTorch: this tensor's gradFn becomes the
  // operation's node (inputs: the value before the change and the operands) and it requires grad. A leaf
  // that requires grad may change in place only with grad mode off (the optimizers' updates).

  /** {@code this -= other} in place (broadcasting {@code other}); recorded as {@code SubBackward0}. */
  public Tensor sub_(Tensor other) {
    return InPlace.binary(this, other, InPlace.Op.SUB);
  }

  /** {@code this -= s} in place; recorded as {@code SubBackward0}. */
  public Tensor sub_(double s) {
    InPlace.Pending record = InPlace.records("sub_", this) ? InPlace.prepare(SUB_D, this, this, s) : null;
    if (data64 == null || !InPlace.scalar64("sub_", this, x -> x - s)) {
      float[] d = InPlace.begin("sub_", this);
      dev.adjoint.kernel.Kernels.get().affine(d, 1f, (float) -s, d, d.length);
      InPlace.end(this, d);
    }
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /** {@code this += other} in place (broadcasting {@code other}); recorded as {@code AddBackward0}. */
  public Tensor add_(Tensor other) {
    return InPlace.binary(this, other, InPlace.Op.ADD);
  }

  /** {@code this += s} in place; recorded as {@code AddBackward0}. */
  public Tensor add_(double s) {
    InPlace.Pending record = InPlace.records("add_", this) ? InPlace.prepare(ADD_D, this, this, s) : null;
    if (data64 == null || !InPlace.scalar64("add_", this, x -> x + s)) {
      float[] d = InPlace.begin("add_", this);
      dev.adjoint.kernel.Kernels.get().affine(d, 1f, (float) s, d, d.length);
      InPlace.end(this, d);
    }
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /**
   * {@code this += alpha * other} in place ({@code torch.add_(other, alpha=...)}), one rounding per element
   * when the shapes agree; recorded as {@code AddBackward0}.
   */
  public Tensor add_(Tensor other, double alpha) {
    return InPlace.addScaled(this, other, alpha);
  }

  /** {@code this *= other} in place (broadcasting {@code other}); recorded as {@code MulBackward0}. */
  public Tensor mul_(Tensor other) {
    return InPlace.binary(this, other, InPlace.Op.MUL);
  }

  /** {@code this *= s} in place; recorded as {@code MulBackward0}. */
  public Tensor mul_(double s) {
    InPlace.Pending record = InPlace.records("mul_", this) ? InPlace.prepare(MUL_D, this, this, s) : null;
    if (data64 == null || !InPlace.scalar64("mul_", this, x -> x * s)) {
      float[] d = InPlace.begin("mul_", this);
      dev.adjoint.kernel.Kernels.get().affine(d, (float) s, 0f, d, d.length);
      InPlace.end(this, d);
    }
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /** {@code this /= other} in place (broadcasting {@code other}); recorded as {@code DivBackward0}. */
  public Tensor div_(Tensor other) {
    return InPlace.binary(this, other, InPlace.Op.DIV);
  }

  /** {@code this /= s} in place; recorded as {@code DivBackward0}. */
  public Tensor div_(double s) {
    InPlace.Pending record = InPlace.records("div_", this) ? InPlace.prepare(DIV_D, this, this, s) : null;
    if (data64 == null || !InPlace.scalar64("div_", this, x -> x / s)) {
      float[] d = InPlace.begin("div_", this);
      float fs = (float) s;
      for (int i = 0; i < d.length; i++) {
        d[i] /= fs;
      }
      InPlace.end(this, d);
    }
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /** {@code zero_}/{@code fill_} of a FLOAT64 tensor, through any view, recorded as the float32 ones. */
  private Tensor fill64(String op, double value, InPlace.Pending record) {
    Views.checkNoInternalOverlap(op, this);
    if (isDense()) {
      Arrays.fill(data64, value);
    } else {
      for (int p : Views.positions(this)) {
        data64[p] = value;
      }
    }
    bumpVersion();
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /** Sets every element to zero in place; recorded as {@code ZeroBackward0} (the old value gets gradient 0). */
  public Tensor zero_() {
    InPlace.Pending record = InPlace.records("zero_", this) ? InPlace.prepare(ZEROED, this, this) : null;
    if (data64 != null) {
      return fill64("zero_", 0, record);
    }
    float[] d = InPlace.begin("zero_", this);
    Arrays.fill(d, 0f);
    InPlace.end(this, d);
    if (record != null) {
      InPlace.commit(record);
    } else if (d == data && isDense()) {
      zeroedData = d;
      zeroedVersion = version[0];
    }
    return this;
  }

  /** Sets every element to {@code value} in place; recorded as {@code FillBackward2} (the old value gets 0). */
  public Tensor fill_(double value) {
    InPlace.Pending record = InPlace.records("fill_", this) ? InPlace.prepare(FILLED, this, this, value) : null;
    if (data64 != null) {
      return fill64("fill_", value, record);
    }
    float[] d = InPlace.begin("fill_", this);
    Arrays.fill(d, (float) value);
    InPlace.end(this, d);
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /**
   * Copies {@code src} (broadcast to this shape) into this tensor in place; recorded as {@code
   * CopyBackwards}: the gradient flows to {@code src} (summed over broadcast dimensions), the old value
   * gets 0. A non-float tensor is not recorded, as in PyTorch.
   */
  public Tensor copy_(Tensor src) {
    return InPlace.binary(this, src, InPlace.Op.COPY);
  }

  // The rows of the in-place operations that have no out-of-place primitive: each row's method computes what
  // the in-place form writes, out of place, and is the row that form records through (package-private: the
  // public operations are the in-place ones).

  static final Row COPY_FROM = Row.of(Tensor.class, "copyFrom", Tensor.class);

  /** What {@link #copy_} writes, out of place: {@code src} broadcast to this shape, in this dtype. */
  @Primitive(rules = InPlaceRules.class, vjp = "copyFromVjp", node = "CopyBackwards", reads = {})
  Tensor copyFrom(Tensor src) {
    return COPY_FROM.record(InPlaceRules.copyFrom(this, src), this, src);
  }

  private static final Row FILLED = Row.of(Tensor.class, "filled", double.class);

  /** What {@link #fill_} writes, out of place: a tensor of this shape and dtype full of {@code value}. */
  @Primitive(rules = InPlaceRules.class, vjp = "filledVjp", node = "FillBackward2", reads = {})
  Tensor filled(double value) {
    return FILLED.record(Tensor.full(value, shape(), dtype()), this, value);
  }

  private static final Row ZEROED = Row.of(Tensor.class, "zeroed");

  /** What {@link #zero_} writes, out of place: zeros of this shape and dtype. */
  @Primitive(rules = InPlaceRules.class, vjp = "zeroedVjp", node = "ZeroBackward0", reads = {})
  Tensor zeroed() {
    return ZEROED.record(Tensor.zeros(shape(), dtype()), this);
  }

  /** {@code -this} in place; recorded as {@code NegBackward0}. */
  public Tensor neg_() {
    return InPlace.unary(this, InPlaceRules.Unary.NEG, 0, 0, NEG);
  }

  /** {@code e ** this} in place; recorded as {@code ExpBackward0}, which saves the result (this tensor). */
  public Tensor exp_() {
    return InPlace.unary(this, InPlaceRules.Unary.EXP, 0, 0, EXP);
  }

  /** The natural logarithm in place; recorded as {@code LogBackward0} with a copy of the old value. */
  public Tensor log_() {
    return InPlace.unary(this, InPlaceRules.Unary.LOG, 0, 0, LOG);
  }

  /** The square root in place; recorded as {@code SqrtBackward0}, which saves the result. */
  public Tensor sqrt_() {
    return InPlace.unary(this, InPlaceRules.Unary.SQRT, 0, 0, SQRT);
  }

  /** The absolute value in place; recorded as {@code AbsBackward0} with a copy of the old value. */
  public Tensor abs_() {
    return InPlace.unary(this, InPlaceRules.Unary.ABS, 0, 0, ABS);
  }

  /** The sine in place; recorded as {@code SinBackward0} with a copy of the old value. */
  public Tensor sin_() {
    return InPlace.unary(this, InPlaceRules.Unary.SIN, 0, 0, SIN);
  }

  /** The cosine in place; recorded as {@code CosBackward0} with a copy of the old value. */
  public Tensor cos_() {
    return InPlace.unary(this, InPlaceRules.Unary.COS, 0, 0, COS);
  }

  /** The hyperbolic tangent in place; recorded as {@code TanhBackward0}, which saves the result. */
  public Tensor tanh_() {
    return InPlace.unary(this, InPlaceRules.Unary.TANH, 0, 0, TANH);
  }

  /** The logistic sigmoid in place; recorded as {@code SigmoidBackward0}, which saves the result. */
  public Tensor sigmoid_() {
    return InPlace.unary(this, InPlaceRules.Unary.SIGMOID, 0, 0, SIGMOID);
  }

  /** {@code max(x, 0)} in place; recorded as {@code ReluBackward0}, which saves the result. */
  public Tensor relu_() {
    return InPlace.unary(this, InPlaceRules.Unary.RELU, 0, 0, RELU);
  }

  /** {@code this ** p} in place; recorded as {@code PowBackward0} with a copy of the old value. */
  public Tensor pow_(double p) {
    return InPlace.unary(this, InPlaceRules.Unary.POW, p, 0, POW_D);
  }

  /**
   * Limits every element to {@code [min, max]} in place ({@code torch.clamp_}); pass an infinity for a
   * missing bound. NaN stays NaN, and {@code min > max} sets every element to {@code max}, as in PyTorch.
   * Recorded as {@code ClampBackward1} with a copy of the old value: the gradient passes where
   * {@code min <= x <= max}, bounds included.
   */
  public Tensor clamp_(double min, double max) {
    return InPlace.unary(this, InPlaceRules.Unary.CLAMP, min, max, CLAMP);
  }

  /**
   * Detaches this tensor from the graph in place ({@code detach_()}): it becomes a leaf that does not
   * require grad; the storage, its values and the version counter are unchanged. Allowed on any tensor,
   * leaves that require grad included.
   */
  public Tensor detach_() {
    if (view != null) {
      throw new IllegalStateException("detach_: Can't detach views in-place. Use detach() instead. If you "
          + "are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
          + "True, gradients are views of DDP buckets, and hence detach_() cannot be called on these "
          + "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
          + "torch/optim/optimizer.py as the solution. (this view has shape " + Shapes.str(shape) + ")");
    }
    gradFn = null;
    requiresGrad = false;
    return this;
  }

  /** Sets this leaf's requiresGrad in place ({@code requires_grad_()}); returns {@code this}. */
  public Tensor requiresGrad_(boolean requires) {
    return requiresGrad(requires);
  }

  /**
   * Records an in-place change made through {@link #storage()} (PyTorch's version counter): code that
   * writes the backing array directly, such as the optimizers, calls this once per update so that a
   * backward through a graph that saved this tensor fails as in PyTorch instead of using the new values.
   */
  public void bumpVersion() {
    version[0]++;
  }

  // ---------------------------------------------------------------------------------------------
  // Differentiable operations. Each is one row (see Primitive): the @Primitive names the adjoint, the node
  // and what it reads; the Row beside it, resolved from that annotation, records the result of the rule's
  // forward (a pure computation).

  static final Row ADD_T = Row.of(Tensor.class, "add", Tensor.class);

  /** {@code this + other}, broadcasting. */
  @Primitive(rules = ElementwiseRules.class, vjp = "addVjp", node = "AddBackward0", scalar = "+", reads = {})
  public Tensor add(Tensor other) {
    return ADD_T.record(ElementwiseRules.add(this, other), this, other);
  }

  private static final Row ADD_D = Row.of(Tensor.class, "add", double.class);

  /** {@code this + s}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "addScalarVjp", node = "AddBackward0", scalar = "+",
      reads = {})
  public Tensor add(double s) {
    return ADD_D.record(ElementwiseRules.add(this, s), this, s);
  }

  static final Row SUB_T = Row.of(Tensor.class, "sub", Tensor.class);

  /** {@code this - other}, broadcasting. */
  @Primitive(rules = ElementwiseRules.class, vjp = "subVjp", node = "SubBackward0", scalar = "-", reads = {})
  public Tensor sub(Tensor other) {
    return SUB_T.record(ElementwiseRules.sub(this, other), this, other);
  }

  private static final Row SUB_D = Row.of(Tensor.class, "sub", double.class);

  /** {@code this - s}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "subScalarVjp", node = "SubBackward0", scalar = "-",
      reads = {})
  public Tensor sub(double s) {
    return SUB_D.record(ElementwiseRules.sub(this, s), this, s);
  }

  private static final Row RSUB = Row.of(Tensor.class, "rsub", double.class);

  /** {@code s - this} (PyTorch's {@code rsub}). */
  @Primitive(rules = ElementwiseRules.class, vjp = "rsubVjp", node = "RsubBackward1", scalar = "r-",
      reads = {})
  public Tensor rsub(double s) {
    return RSUB.record(ElementwiseRules.rsub(this, s), this, s);
  }

  static final Row MUL_T = Row.of(Tensor.class, "mul", Tensor.class);

  /** {@code this * other}, broadcasting. */
  @Primitive(rules = ElementwiseRules.class, vjp = "mulVjp", node = "MulBackward0", scalar = "*",
      reads = {0, 1}, grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor mul(Tensor other) {
    return MUL_T.record(ElementwiseRules.mul(this, other), this, other);
  }

  private static final Row MUL_D = Row.of(Tensor.class, "mul", double.class);

  /** {@code this * s}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "mulScalarVjp", node = "MulBackward0", scalar = "*",
      reads = {0}, grads = @Grad(of = 1, reads = {0}), savesScalar = true)
  public Tensor mul(double s) {
    return MUL_D.record(ElementwiseRules.mul(this, s), this, s);
  }

  static final Row DIV_T = Row.of(Tensor.class, "div", Tensor.class);

  /** {@code this / other}, broadcasting. */
  @Primitive(rules = ElementwiseRules.class, vjp = "divVjp", node = "DivBackward0", scalar = "/",
      reads = {0, 1}, grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0, 1})})
  public Tensor div(Tensor other) {
    return DIV_T.record(ElementwiseRules.div(this, other), this, other);
  }

  private static final Row DIV_D = Row.of(Tensor.class, "div", double.class);

  /** {@code this / s}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "divScalarVjp", node = "DivBackward0", scalar = "/",
      reads = {0}, grads = @Grad(of = 1, reads = {0}), savesScalar = true)
  public Tensor div(double s) {
    return DIV_D.record(ElementwiseRules.div(this, s), this, s);
  }

  private static final Row POW_D = Row.of(Tensor.class, "pow", double.class);

  /** {@code this ** p}, elementwise. */
  @Primitive(rules = ElementwiseRules.class, vjp = "powVjp", node = "PowBackward0", scalar = "Math.pow",
      reads = {0, Primitive.OUT}, grads = {@Grad(of = 0, reads = {0}), @Grad(of = 1, reads = {0, Primitive.OUT})})
  public Tensor pow(double p) {
    return POW_D.record(ElementwiseRules.pow(this, p), this, p);
  }

  private static final Row NEG = Row.of(Tensor.class, "neg");

  /** {@code -this}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "negVjp", node = "NegBackward0", scalar = "neg",
      reads = {})
  public Tensor neg() {
    return NEG.record(ElementwiseRules.neg(this), this);
  }

  private static final Row EXP = Row.of(Tensor.class, "exp");

  /** {@code e ** this}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "expVjp", node = "ExpBackward0", scalar = "Math.exp",
      reads = {Primitive.OUT})
  public Tensor exp() {
    return EXP.record(ElementwiseRules.exp(this), this);
  }

  private static final Row LOG = Row.of(Tensor.class, "log");

  /** The natural logarithm. */
  @Primitive(rules = ElementwiseRules.class, vjp = "logVjp", node = "LogBackward0", scalar = "Math.log",
      reads = {0})
  public Tensor log() {
    return LOG.record(ElementwiseRules.log(this), this);
  }

  private static final Row SQRT = Row.of(Tensor.class, "sqrt");

  /** The square root. */
  @Primitive(rules = ElementwiseRules.class, vjp = "sqrtVjp", node = "SqrtBackward0", scalar = "Math.sqrt",
      reads = {Primitive.OUT})
  public Tensor sqrt() {
    return SQRT.record(ElementwiseRules.sqrt(this), this);
  }

  private static final Row ABS = Row.of(Tensor.class, "abs");

  /** The absolute value (subgradient 0 at 0, as in PyTorch). */
  @Primitive(rules = ElementwiseRules.class, vjp = "absVjp", node = "AbsBackward0", scalar = "Math.abs",
      reads = {0})
  public Tensor abs() {
    return ABS.record(ElementwiseRules.abs(this), this);
  }

  private static final Row SIN = Row.of(Tensor.class, "sin");

  /** The sine. */
  @Primitive(rules = ElementwiseRules.class, vjp = "sinVjp", node = "SinBackward0", scalar = "Math.sin",
      reads = {0})
  public Tensor sin() {
    return SIN.record(ElementwiseRules.sin(this), this);
  }

  private static final Row COS = Row.of(Tensor.class, "cos");

  /** The cosine. */
  @Primitive(rules = ElementwiseRules.class, vjp = "cosVjp", node = "CosBackward0", scalar = "Math.cos",
      reads = {0})
  public Tensor cos() {
    return COS.record(ElementwiseRules.cos(this), this);
  }

  private static final Row TANH = Row.of(Tensor.class, "tanh");

  /** The hyperbolic tangent. */
  @Primitive(rules = ElementwiseRules.class, vjp = "tanhVjp", node = "TanhBackward0", scalar = "Math.tanh",
      reads = {Primitive.OUT})
  public Tensor tanh() {
    return TANH.record(ElementwiseRules.tanh(this), this);
  }

  private static final Row SIGMOID = Row.of(Tensor.class, "sigmoid");

  /** The logistic sigmoid {@code 1 / (1 + e^-x)}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "sigmoidVjp", node = "SigmoidBackward0",
      reads = {Primitive.OUT})
  public Tensor sigmoid() {
    return SIGMOID.record(ElementwiseRules.sigmoid(this), this);
  }

  private static final Row RELU = Row.of(Tensor.class, "relu");

  /** {@code max(x, 0)} (subgradient 0 at 0, as in PyTorch). */
  @Primitive(rules = ElementwiseRules.class, vjp = "reluVjp", node = "ReluBackward0", reads = {Primitive.OUT})
  public Tensor relu() {
    return RELU.record(ElementwiseRules.relu(this), this);
  }

  private static final Row LOG1P = Row.of(Tensor.class, "log1p");

  /** {@code ln(1 + this)}, accurate near 0. */
  @Primitive(rules = ElementwiseRules.class, vjp = "log1pVjp", node = "Log1PBackward0", scalar = "Math.log1p",
      reads = {0})
  public Tensor log1p() {
    return LOG1P.record(ElementwiseRules.log1p(this), this);
  }

  private static final Row EXPM1 = Row.of(Tensor.class, "expm1");

  /** {@code e ** this - 1}, accurate near 0. */
  @Primitive(rules = ElementwiseRules.class, vjp = "expm1Vjp", node = "Expm1Backward0", scalar = "Math.expm1",
      reads = {Primitive.OUT})
  public Tensor expm1() {
    return EXPM1.record(ElementwiseRules.expm1(this), this);
  }

  private static final Row SQUARE = Row.of(Tensor.class, "square");

  /** {@code this * this}; PyTorch computes {@code square} as {@code pow(x, 2)}, hence the node name. */
  @Primitive(rules = ElementwiseRules.class, vjp = "squareVjp", node = "PowBackward0", reads = {0})
  public Tensor square() {
    return SQUARE.record(ElementwiseRules.square(this), this);
  }

  private static final Row RECIPROCAL = Row.of(Tensor.class, "reciprocal");

  /** {@code 1 / this}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "reciprocalVjp", node = "ReciprocalBackward0",
      reads = {Primitive.OUT})
  public Tensor reciprocal() {
    return RECIPROCAL.record(ElementwiseRules.reciprocal(this), this);
  }

  private static final Row RSQRT = Row.of(Tensor.class, "rsqrt");

  /** {@code 1 / sqrt(this)}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "rsqrtVjp", node = "RsqrtBackward0", reads = {Primitive.OUT})
  public Tensor rsqrt() {
    return RSQRT.record(ElementwiseRules.rsqrt(this), this);
  }

  // ---- the first-week elementwise functions (gaps): trigonometric, hyperbolic, rounding

  private static final Row TAN = Row.of(Tensor.class, "tan");

  /** {@code tan(this)}. */
  @Primitive(rules = UnaryRules.class, vjp = "tanVjp", node = "TanBackward0", scalar = "Math.tan",
      reads = {Primitive.OUT})
  public Tensor tan() {
    return TAN.record(UnaryRules.tan(this), this);
  }

  private static final Row ASIN = Row.of(Tensor.class, "asin");

  /** {@code asin(this)} ({@code torch.asin}): NaN outside [-1, 1]; the gradient is infinite at ±1. */
  @Primitive(rules = UnaryRules.class, vjp = "asinVjp", node = "AsinBackward0", scalar = "Math.asin",
      reads = {0})
  public Tensor asin() {
    return ASIN.record(UnaryRules.asin(this), this);
  }

  private static final Row ACOS = Row.of(Tensor.class, "acos");

  /** {@code acos(this)} ({@code torch.acos}): NaN outside [-1, 1]; the gradient is infinite at ±1. */
  @Primitive(rules = UnaryRules.class, vjp = "acosVjp", node = "AcosBackward0", scalar = "Math.acos",
      reads = {0})
  public Tensor acos() {
    return ACOS.record(UnaryRules.acos(this), this);
  }

  private static final Row ATAN = Row.of(Tensor.class, "atan");

  /** {@code atan(this)}. */
  @Primitive(rules = UnaryRules.class, vjp = "atanVjp", node = "AtanBackward0", scalar = "Math.atan",
      reads = {0})
  public Tensor atan() {
    return ATAN.record(UnaryRules.atan(this), this);
  }

  private static final Row SINH = Row.of(Tensor.class, "sinh");

  /** {@code sinh(this)}. */
  @Primitive(rules = UnaryRules.class, vjp = "sinhVjp", node = "SinhBackward0", scalar = "Math.sinh",
      reads = {0})
  public Tensor sinh() {
    return SINH.record(UnaryRules.sinh(this), this);
  }

  private static final Row COSH = Row.of(Tensor.class, "cosh");

  /** {@code cosh(this)}. */
  @Primitive(rules = UnaryRules.class, vjp = "coshVjp", node = "CoshBackward0", scalar = "Math.cosh",
      reads = {0})
  public Tensor cosh() {
    return COSH.record(UnaryRules.cosh(this), this);
  }

  private static final Row SIGN = Row.of(Tensor.class, "sign");

  /**
   * {@code -1, 0 or 1} by the sign of each element ({@code torch.sign}; NaN stays NaN). Its gradient is zero, as
   * PyTorch's.
   */
  @Primitive(rules = UnaryRules.class, vjp = "zeroVjp", node = "SignBackward0", scalar = "Math.signum",
      reads = {})
  public Tensor sign() {
    return SIGN.record(UnaryRules.sign(this), this);
  }

  private static final Row FLOOR = Row.of(Tensor.class, "floor");

  /** The largest integer not above each element. Its gradient is zero, as PyTorch's. */
  @Primitive(rules = UnaryRules.class, vjp = "zeroVjp", node = "FloorBackward0", scalar = "Math.floor",
      reads = {})
  public Tensor floor() {
    return FLOOR.record(UnaryRules.floor(this), this);
  }

  private static final Row CEIL = Row.of(Tensor.class, "ceil");

  /** The smallest integer not below each element. Its gradient is zero, as PyTorch's. */
  @Primitive(rules = UnaryRules.class, vjp = "zeroVjp", node = "CeilBackward0", scalar = "Math.ceil",
      reads = {})
  public Tensor ceil() {
    return CEIL.record(UnaryRules.ceil(this), this);
  }

  private static final Row ROUND = Row.of(Tensor.class, "round");

  /**
   * Each element rounded to the nearest integer, halves to even ({@code torch.round}, {@code Math.rint}). Its
   * gradient is zero, as PyTorch's.
   */
  @Primitive(rules = UnaryRules.class, vjp = "zeroVjp", node = "RoundBackward0", scalar = "Math.rint",
      reads = {})
  public Tensor round() {
    return ROUND.record(UnaryRules.round(this), this);
  }

  private static final Row TRUNC = Row.of(Tensor.class, "trunc");

  /** Each element rounded toward zero ({@code torch.trunc}). Its gradient is zero, as PyTorch's. */
  @Primitive(rules = UnaryRules.class, vjp = "zeroVjp", node = "TruncBackward0",
      reads = {})
  public Tensor trunc() {
    return TRUNC.record(UnaryRules.trunc(this), this);
  }

  private static final Row ATAN2 = Row.of(Tensor.class, "atan2", Tensor.class);

  /**
   * The angle of the point {@code (other, this)} in radians, elementwise with broadcasting ({@code torch.atan2(this,
   * other)}).
   */
  @Primitive(rules = UnaryRules.class, vjp = "atan2Vjp", node = "Atan2Backward0", reads = {0, 1})
  public Tensor atan2(Tensor other) {
    return ATAN2.record(UnaryRules.atan2(this, other), this, other);
  }

  private static final Row HYPOT = Row.of(Tensor.class, "hypot", Tensor.class);

  /**
   * {@code sqrt(this² + other²)} without overflow, elementwise with broadcasting ({@code torch.hypot}).
   */
  @Primitive(rules = UnaryRules.class, vjp = "hypotVjp", node = "HypotBackward0", reads = {0, 1, Primitive.OUT})
  public Tensor hypot(Tensor other) {
    return HYPOT.record(UnaryRules.hypot(this, other), this, other);
  }

  private static final Row LOGADDEXP = Row.of(Tensor.class, "logaddexp", Tensor.class);

  /**
   * {@code log(e^this + e^other)}, computed stably, elementwise with broadcasting ({@code torch.logaddexp}).
   */
  @Primitive(rules = UnaryRules.class, vjp = "logaddexpVjp", node = "LogaddexpBackward0", reads = {0, 1, Primitive.OUT})
  public Tensor logaddexp(Tensor other) {
    return LOGADDEXP.record(UnaryRules.logaddexp(this, other), this, other);
  }

  // ---- session 10: more first-week operations (rules: ProductRules, PointwiseRules, NnRules)

  private static final Row MM = Row.of(Tensor.class, "mm", Tensor.class);

  /** The product of two matrices ({@code torch.mm}): {@link #matmul} for 2-D operands only, no broadcasting. */
  @Primitive(rules = LinalgRules.class, vjp = "matmulVjp", node = "MmBackward0", reads = {0, 1},
      grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor mm(Tensor mat2) {
    return MM.record(ProductRules.mm(this, mat2), this, mat2);
  }

  private static final Row MV = Row.of(Tensor.class, "mv", Tensor.class);

  /** The product of this matrix and a vector ({@code torch.mv}): {@link #matmul} for a 2-D and a 1-D operand. */
  @Primitive(rules = LinalgRules.class, vjp = "matmulVjp", node = "MvBackward0", reads = {0, 1},
      grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor mv(Tensor vec) {
    return MV.record(ProductRules.mv(this, vec), this, vec);
  }

  private static final Row BMM = Row.of(Tensor.class, "bmm", Tensor.class);

  /**
   * The products of two batches of matrices ({@code torch.bmm}): {@link #matmul} for two 3-D operands of the same
   * batch size, without broadcasting.
   */
  @Primitive(rules = LinalgRules.class, vjp = "matmulVjp", node = "BmmBackward0", reads = {0, 1},
      grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor bmm(Tensor batch2) {
    return BMM.record(ProductRules.bmm(this, batch2), this, batch2);
  }

  private static final Row DOT = Row.of(Tensor.class, "dot", Tensor.class);

  /** The inner product of two vectors of one length, a 0-D tensor ({@code torch.dot}). */
  @Primitive(rules = LinalgRules.class, vjp = "matmulVjp", node = "DotBackward0", reads = {0, 1},
      grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor dot(Tensor other) {
    return DOT.record(ProductRules.dot(this, other), this, other);
  }

  private static final Row OUTER = Row.of(Tensor.class, "outer", Tensor.class);

  /**
   * The outer product of two vectors, {@code out[i][j] = this[i]·vec2[j]} ({@code torch.outer}; PyTorch records it
   * as the broadcast product, {@code MulBackward0}).
   */
  @Primitive(rules = ProductRules.class, vjp = "outerVjp", node = "MulBackward0", reads = {0, 1},
      grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor outer(Tensor vec2) {
    return OUTER.record(ProductRules.outer(this, vec2), this, vec2);
  }

  private static final Row ADDMM = Row.of(Tensor.class, "addmm", Tensor.class, Tensor.class);

  /**
   * {@code this + mat1 @ mat2} for two matrices, this broadcast to the product's shape ({@code torch.addmm(input,
   * mat1, mat2)}, {@code beta = alpha = 1}).
   */
  @Primitive(rules = ProductRules.class, vjp = "addmmVjp", node = "AddmmBackward0", reads = {1, 2},
      grads = {@Grad(of = 1, reads = {2}), @Grad(of = 2, reads = {1})})
  public Tensor addmm(Tensor mat1, Tensor mat2) {
    return ADDMM.record(ProductRules.addmm(this, mat1, mat2), this, mat1, mat2);
  }

  private static final Row ERF = Row.of(Tensor.class, "erf");

  /** The error function {@code 2/√π ∫₀ˣ e^(−t²) dt}, elementwise ({@code torch.erf}). */
  @Primitive(rules = PointwiseRules.class, vjp = "erfVjp", node = "ErfBackward0", reads = {0})
  public Tensor erf() {
    return ERF.record(PointwiseRules.erf(this), this);
  }

  private static final Row LERP = Row.of(Tensor.class, "lerp", Tensor.class, double.class);

  /**
   * Linear interpolation {@code this + weight·(end − this)}, elementwise with broadcasting ({@code torch.lerp} with
   * a number weight).
   */
  @Primitive(rules = PointwiseRules.class, vjp = "lerpVjp", node = "LerpBackward0", reads = {0, 1},
      grads = @Grad(of = 2, reads = {0, 1}))
  public Tensor lerp(Tensor end, double weight) {
    return LERP.record(PointwiseRules.lerp(this, end, weight), this, end, weight);
  }

  private static final Row LERP_TENSOR = Row.of(Tensor.class, "lerp", Tensor.class, Tensor.class);

  /**
   * Linear interpolation {@code this + weight·(end − this)} with a tensor of weights, all three broadcast together
   * ({@code torch.lerp}).
   */
  @Primitive(rules = PointwiseRules.class, vjp = "lerpTensorVjp", node = "LerpBackward1", reads = {0, 1, 2},
      grads = {@Grad(of = 0, reads = {2}), @Grad(of = 1, reads = {2}), @Grad(of = 2, reads = {0, 1})})
  public Tensor lerp(Tensor end, Tensor weight) {
    return LERP_TENSOR.record(PointwiseRules.lerp(this, end, weight), this, end, weight);
  }

  private static final Row FMOD = Row.of(Tensor.class, "fmod", double.class);

  /**
   * C's remainder {@code this − other·trunc(this/other)}, which has the sign of this ({@code torch.fmod}; Java's
   * {@code %}). Its gradient is 1 where it is continuous.
   */
  @Primitive(rules = PointwiseRules.class, vjp = "fmodVjp", node = "FmodBackward0", reads = {0},
      grads = @Grad(of = 1, reads = {0}))
  public Tensor fmod(double other) {
    return FMOD.record(PointwiseRules.fmod(this, other), this, other);
  }

  private static final Row REMAINDER = Row.of(Tensor.class, "remainder", double.class);

  /**
   * Python's remainder {@code this − other·floor(this/other)}, which has the sign of other ({@code torch.remainder},
   * {@code x % other} in Python). Its gradient is 1 where it is continuous.
   */
  @Primitive(rules = PointwiseRules.class, vjp = "remainderVjp", node = "RemainderBackward0", reads = {0},
      grads = @Grad(of = 1, reads = {0}))
  public Tensor remainder(double other) {
    return REMAINDER.record(PointwiseRules.remainder(this, other), this, other);
  }

  private static final Row SOFTMAX = Row.of(Tensor.class, "softmax", int.class);

  /** Softmax along {@code dim} ({@code x.softmax(dim)}; the same rule as {@code F.softmax}). */
  @Primitive(rules = NnRules.class, vjp = "softmaxVjp", node = "SoftmaxBackward0", reads = {Primitive.OUT})
  public Tensor softmax(int dim) {
    return SOFTMAX.record(NnRules.softmax(this, dim), this, dim);
  }

  private static final Row LOG_SOFTMAX = Row.of(Tensor.class, "logSoftmax", int.class);

  /** Log-softmax along {@code dim} ({@code x.log_softmax(dim)}; the same rule as {@code F.logSoftmax}). */
  @Primitive(rules = NnRules.class, vjp = "logSoftmaxVjp", node = "LogSoftmaxBackward0", reads = {Primitive.OUT})
  public Tensor logSoftmax(int dim) {
    return LOG_SOFTMAX.record(NnRules.logSoftmax(this, dim), this, dim);
  }

  private static final Row CROSS = Row.of(Tensor.class, "cross", Tensor.class, int.class);

  /**
   * The cross product of 3-vectors along {@code dim}, whose size must be 3 ({@code torch.linalg.cross(this, other,
   * dim=dim)}); both operands of one shape.
   */
  @Primitive(rules = ProductRules.class, vjp = "crossVjp", node = "LinalgCrossBackward0", reads = {0, 1},
      grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor cross(Tensor other, int dim) {
    return CROSS.record(ProductRules.cross(this, other, dim), this, other, dim);
  }

  private static final Row DIAG = Row.of(Tensor.class, "diag", int.class);

  /**
   * {@code torch.diag}: of a vector, the square matrix with it on diagonal {@code diagonal} (0 the main one, above
   * it positive); of a matrix, a copy of that diagonal as a vector.
   */
  @Primitive(rules = ProductRules.class, vjp = "diagVjp", node = "DiagBackward0", reads = {})
  public Tensor diag(int diagonal) {
    return DIAG.record(ProductRules.diag(this, diagonal), this, diagonal);
  }

  private static final Row TRIL = Row.of(Tensor.class, "tril", int.class);

  /**
   * The lower triangle of the last two dimensions ({@code torch.tril}): element {@code [..., i, j]} kept where
   * {@code j - i <= diagonal}, zero elsewhere; {@code diagonal} 0 is the main diagonal, positive above it,
   * negative below it. The gradient is the same triangle of the upstream gradient.
   */
  @Primitive(rules = TriangleRules.class, vjp = "trilVjp", node = "TrilBackward0", reads = {})
  public Tensor tril(int diagonal) {
    return TRIL.record(TriangleRules.tril(this, diagonal), this, diagonal);
  }

  private static final Row TRIU = Row.of(Tensor.class, "triu", int.class);

  /**
   * The upper triangle of the last two dimensions ({@code torch.triu}): element {@code [..., i, j]} kept where
   * {@code j - i >= diagonal}, zero elsewhere; {@code diagonal} 0 is the main diagonal, positive above it,
   * negative below it. The gradient is the same triangle of the upstream gradient.
   */
  @Primitive(rules = TriangleRules.class, vjp = "triuVjp", node = "TriuBackward0", reads = {})
  public Tensor triu(int diagonal) {
    return TRIU.record(TriangleRules.triu(this, diagonal), this, diagonal);
  }

  private static final Row CLAMP = Row.of(Tensor.class, "clamp", double.class, double.class);

  /**
   * Limits every element to {@code [min, max]} ({@code torch.clamp}); NaN stays NaN and {@code min > max}
   * gives {@code max} everywhere, as in PyTorch. The gradient passes where {@code min <= x <= max}, bounds
   * included; {@code min} gets the gradient of the elements below it, {@code max} of those above it.
   */
  @Primitive(rules = ElementwiseRules.class, vjp = "clampVjp", node = "ClampBackward1", reads = {0})
  public Tensor clamp(double min, double max) {
    return CLAMP.record(ElementwiseRules.clamp(this, min, max), this, min, max);
  }

  private static final Row CLAMP_MIN = Row.of(Tensor.class, "clampMin", double.class);

  /** {@code max(this, min)} ({@code torch.clamp_min}); the gradient passes where {@code x >= min}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "clampMinVjp", node = "ClampMinBackward0", reads = {0})
  public Tensor clampMin(double min) {
    return CLAMP_MIN.record(ElementwiseRules.clampMin(this, min), this, min);
  }

  private static final Row CLAMP_MAX = Row.of(Tensor.class, "clampMax", double.class);

  /** {@code min(this, max)} ({@code torch.clamp_max}); the gradient passes where {@code x <= max}. */
  @Primitive(rules = ElementwiseRules.class, vjp = "clampMaxVjp", node = "ClampMaxBackward0", reads = {0})
  public Tensor clampMax(double max) {
    return CLAMP_MAX.record(ElementwiseRules.clampMax(this, max), this, max);
  }

  private static final Row MAXIMUM = Row.of(Tensor.class, "maximum", Tensor.class);

  /** The elementwise larger of {@code this} and {@code other}, broadcasting; ties split the gradient 0.5/0.5. */
  @Primitive(rules = ElementwiseRules.class, vjp = "maximumVjp", node = "MaximumBackward0", reads = {0, 1})
  public Tensor maximum(Tensor other) {
    return MAXIMUM.record(ElementwiseRules.maximum(this, other), this, other);
  }

  private static final Row MINIMUM = Row.of(Tensor.class, "minimum", Tensor.class);

  /** The elementwise smaller of {@code this} and {@code other}, broadcasting; ties split the gradient 0.5/0.5. */
  @Primitive(rules = ElementwiseRules.class, vjp = "minimumVjp", node = "MinimumBackward0", reads = {0, 1})
  public Tensor minimum(Tensor other) {
    return MINIMUM.record(ElementwiseRules.minimum(this, other), this, other);
  }

  private static final Row POW_T = Row.of(Tensor.class, "pow", Tensor.class);

  /** {@code this ** exponent}, elementwise with broadcasting. */
  @Primitive(rules = ElementwiseRules.class, vjp = "powTensorVjp", node = "PowBackward1",
      reads = {0, 1, Primitive.OUT})
  public Tensor pow(Tensor exponent) {
    return POW_T.record(ElementwiseRules.pow(this, exponent), this, exponent);
  }

  private static final Row POW_D_T = Row.of(Tensor.class, "pow", double.class, Tensor.class);

  /** {@code base ** exponent} for a scalar base ({@code torch.pow(base, exponent)}). */
  @Primitive(rules = ElementwiseRules.class, vjp = "powScalarBaseVjp", node = "PowBackward2",
      reads = {1, Primitive.OUT})
  public static Tensor pow(double base, Tensor exponent) {
    return POW_D_T.record(ElementwiseRules.pow(base, exponent), base, exponent);
  }

  static final Row ADD_T_D = Row.of(Tensor.class, "add", Tensor.class, double.class);

  /** {@code this + alpha * other}, broadcasting ({@code torch.add(x, other, alpha=...)}). */
  @Primitive(rules = ElementwiseRules.class, vjp = "addAlphaVjp", node = "AddBackward0", reads = {1},
      grads = @Grad(of = 2, reads = {1}))
  public Tensor add(Tensor other, double alpha) {
    return ADD_T_D.record(ElementwiseRules.add(this, other, alpha), this, other, alpha);
  }

  private static final Row SUB_T_D = Row.of(Tensor.class, "sub", Tensor.class, double.class);

  /** {@code this - alpha * other}, broadcasting ({@code torch.sub(x, other, alpha=...)}). */
  @Primitive(rules = ElementwiseRules.class, vjp = "subAlphaVjp", node = "SubBackward0", reads = {1},
      grads = @Grad(of = 2, reads = {1}))
  public Tensor sub(Tensor other, double alpha) {
    return SUB_T_D.record(ElementwiseRules.sub(this, other, alpha), this, other, alpha);
  }

  private static final Row SUM_ALL = Row.of(Tensor.class, "sum");

  /** The sum of all elements, a 0-D tensor. */
  @Primitive(rules = ReductionRules.class, vjp = "sumVjp", node = "SumBackward0", scalar = "sum", reads = {})
  public Tensor sum() {
    return SUM_ALL.record(ReductionRules.sum(this), this);
  }

  private static final Row SUM_I_B = Row.of(Tensor.class, "sum", int.class, boolean.class);

  /** The sum over dimension {@code dim}, keeping it with size 1 when {@code keepDim}. */
  @Primitive(rules = ReductionRules.class, vjp = "sumDimVjp", node = "SumBackward1", reads = {})
  public Tensor sum(int dim, boolean keepDim) {
    return SUM_I_B.record(ReductionRules.sum(this, dim, keepDim), this, dim, keepDim);
  }

  private static final Row SUM_I = Row.of(Tensor.class, "sum", int.class);

  /** The sum over dimension {@code dim}. */
  @Primitive(rules = ReductionRules.class, vjp = "sumDimVjp", node = "SumBackward1", reads = {})
  public Tensor sum(int dim) {
    return SUM_I.record(ReductionRules.sum(this, dim, false), this, dim);
  }

  private static final Row MEAN_ALL = Row.of(Tensor.class, "mean");

  /** The mean of all elements, a 0-D tensor. */
  @Primitive(rules = ReductionRules.class, vjp = "meanVjp", node = "MeanBackward0", scalar = "mean",
      reads = {})
  public Tensor mean() {
    return MEAN_ALL.record(ReductionRules.mean(this), this);
  }

  private static final Row MEAN_I_B = Row.of(Tensor.class, "mean", int.class, boolean.class);

  /** The mean over dimension {@code dim}, keeping it with size 1 when {@code keepDim}. */
  @Primitive(rules = ReductionRules.class, vjp = "meanDimVjp", node = "MeanBackward1", reads = {})
  public Tensor mean(int dim, boolean keepDim) {
    return MEAN_I_B.record(ReductionRules.mean(this, dim, keepDim), this, dim, keepDim);
  }

  private static final Row MEAN_I = Row.of(Tensor.class, "mean", int.class);

  /** The mean over dimension {@code dim}. */
  @Primitive(rules = ReductionRules.class, vjp = "meanDimVjp", node = "MeanBackward1", reads = {})
  public Tensor mean(int dim) {
    return MEAN_I.record(ReductionRules.mean(this, dim, false), this, dim);
  }

  private static final Row MAX_ALL = Row.of(Tensor.class, "max");

  /** The largest element, a 0-D tensor; ties share the gradient evenly, as in PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "maxVjp", node = "MaxBackward1", reads = {0, Primitive.OUT})
  public Tensor max() {
    return MAX_ALL.record(ReductionRules.max(this), this);
  }

  private static final Row MAX_I_B = Row.of(Tensor.class, "max", int.class, boolean.class);

  /** The largest values over {@code dim}; the gradient goes to the first maximum, as in PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "maxDimVjp", node = "MaxBackward0", reads = {0})
  public Tensor max(int dim, boolean keepDim) {
    return MAX_I_B.record(ReductionRules.max(this, dim, keepDim), this, dim, keepDim);
  }

  private static final Row MAX_I = Row.of(Tensor.class, "max", int.class);

  /** The largest values over {@code dim}. */
  @Primitive(rules = ReductionRules.class, vjp = "maxDimVjp", node = "MaxBackward0", reads = {0})
  public Tensor max(int dim) {
    return MAX_I.record(ReductionRules.max(this, dim, false), this, dim);
  }

  private static final Row SUM_DIMS_B = Row.of(Tensor.class, "sum", int[].class, boolean.class);

  /** The sum over several dimensions ({@code x.sum(dims, keepdim)}); an empty {@code dims} sums all, as PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "sumDimsVjp", node = "SumBackward1", reads = {})
  public Tensor sum(int[] dims, boolean keepDim) {
    return SUM_DIMS_B.record(ReductionRules.sum(this, dims, keepDim), this, dims, keepDim);
  }

  private static final Row MEAN_DIMS_B = Row.of(Tensor.class, "mean", int[].class, boolean.class);

  /** The mean over several dimensions ({@code x.mean(dims, keepdim)}); an empty {@code dims} averages all. */
  @Primitive(rules = ReductionRules.class, vjp = "meanDimsVjp", node = "MeanBackward1", reads = {})
  public Tensor mean(int[] dims, boolean keepDim) {
    return MEAN_DIMS_B.record(ReductionRules.mean(this, dims, keepDim), this, dims, keepDim);
  }

  private static final Row MIN_ALL = Row.of(Tensor.class, "min");

  /** The smallest element, a 0-D tensor; ties share the gradient evenly, as in PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "minVjp", node = "MinBackward1", reads = {0, Primitive.OUT})
  public Tensor min() {
    return MIN_ALL.record(ReductionRules.min(this), this);
  }

  private static final Row MIN_I_B = Row.of(Tensor.class, "min", int.class, boolean.class);

  /** The smallest values over {@code dim}; the gradient goes to the first minimum, as in PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "minDimVjp", node = "MinBackward0", reads = {0})
  public Tensor min(int dim, boolean keepDim) {
    return MIN_I_B.record(ReductionRules.min(this, dim, keepDim), this, dim, keepDim);
  }

  private static final Row MIN_I = Row.of(Tensor.class, "min", int.class);

  /** The smallest values over {@code dim}. */
  @Primitive(rules = ReductionRules.class, vjp = "minDimVjp", node = "MinBackward0", reads = {0})
  public Tensor min(int dim) {
    return MIN_I.record(ReductionRules.min(this, dim, false), this, dim);
  }

  private static final Row AMAX = Row.of(Tensor.class, "amax", int[].class, boolean.class);

  /** The largest values over {@code dims} (empty: all); ties in a slice share its gradient evenly, as PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "amaxVjp", node = "AmaxBackward0", reads = {0, Primitive.OUT})
  public Tensor amax(int[] dims, boolean keepDim) {
    return AMAX.record(ReductionRules.amax(this, dims, keepDim), this, dims, keepDim);
  }

  private static final Row AMIN = Row.of(Tensor.class, "amin", int[].class, boolean.class);

  /** The smallest values over {@code dims} (empty: all); ties in a slice share its gradient evenly, as PyTorch. */
  @Primitive(rules = ReductionRules.class, vjp = "aminVjp", node = "AminBackward0", reads = {0, Primitive.OUT})
  public Tensor amin(int[] dims, boolean keepDim) {
    return AMIN.record(ReductionRules.amin(this, dims, keepDim), this, dims, keepDim);
  }

  private static final Row LOGSUMEXP_I_B = Row.of(Tensor.class, "logsumexp", int.class, boolean.class);

  /** {@code log Σ exp(x)} over {@code dim}, computed stably. */
  @Primitive(rules = ReductionRules.class, vjp = "logsumexpVjp", node = "LogsumexpBackward0",
      reads = {0, Primitive.OUT})
  public Tensor logsumexp(int dim, boolean keepDim) {
    return LOGSUMEXP_I_B.record(ReductionRules.logsumexp(this, dim, keepDim), this, dim, keepDim);
  }

  private static final Row LOGSUMEXP_I = Row.of(Tensor.class, "logsumexp", int.class);

  /** {@code log Σ exp(x)} over {@code dim}. */
  @Primitive(rules = ReductionRules.class, vjp = "logsumexpVjp", node = "LogsumexpBackward0",
      reads = {0, Primitive.OUT})
  public Tensor logsumexp(int dim) {
    return LOGSUMEXP_I.record(ReductionRules.logsumexp(this, dim, false), this, dim);
  }

  private static final Row PROD_ALL = Row.of(Tensor.class, "prod");

  /** The product of all elements, a 0-D tensor; the gradient is exact when elements are zero. */
  @Primitive(rules = ReductionRules.class, vjp = "prodVjp", node = "ProdBackward0", reads = {0, Primitive.OUT})
  public Tensor prod() {
    return PROD_ALL.record(ReductionRules.prod(this), this);
  }

  private static final Row PROD_I_B = Row.of(Tensor.class, "prod", int.class, boolean.class);

  /** The product over {@code dim}; the gradient is exact when elements are zero. */
  @Primitive(rules = ReductionRules.class, vjp = "prodDimVjp", node = "ProdBackward1", reads = {0, Primitive.OUT})
  public Tensor prod(int dim, boolean keepDim) {
    return PROD_I_B.record(ReductionRules.prod(this, dim, keepDim), this, dim, keepDim);
  }

  private static final Row PROD_I = Row.of(Tensor.class, "prod", int.class);

  /** The product over {@code dim}. */
  @Primitive(rules = ReductionRules.class, vjp = "prodDimVjp", node = "ProdBackward1", reads = {0, Primitive.OUT})
  public Tensor prod(int dim) {
    return PROD_I.record(ReductionRules.prod(this, dim, false), this, dim);
  }

  private static final Row VAR_ALL = Row.of(Tensor.class, "var");

  /** The unbiased variance of all elements (correction 1), a 0-D tensor. */
  @Primitive(rules = ReductionRules.class, vjp = "varVjp", node = "VarBackward0", reads = {0})
  public Tensor var() {
    return VAR_ALL.record(ReductionRules.var(this, new int[0], 1, false), this);
  }

  private static final Row VAR_DIMS_I_B = Row.of(Tensor.class, "var", int[].class, int.class, boolean.class);

  /**
   * The variance over {@code dims} (empty: all), {@code Σ(x − mean)² / max(0, n − correction)}
   * ({@code x.var(dims, correction=c, keepdim=k)}).
   */
  @Primitive(rules = ReductionRules.class, vjp = "varVjp", node = "VarBackward0", reads = {0})
  public Tensor var(int[] dims, int correction, boolean keepDim) {
    return VAR_DIMS_I_B.record(ReductionRules.var(this, dims, correction, keepDim), this, dims, correction, keepDim);
  }

  private static final Row STD_ALL = Row.of(Tensor.class, "std");

  /** The unbiased standard deviation of all elements (correction 1), a 0-D tensor. */
  @Primitive(rules = ReductionRules.class, vjp = "stdVjp", node = "StdBackward0", reads = {0, Primitive.OUT})
  public Tensor std() {
    return STD_ALL.record(ReductionRules.std(this, new int[0], 1, false), this);
  }

  private static final Row STD_DIMS_I_B = Row.of(Tensor.class, "std", int[].class, int.class, boolean.class);

  /** The standard deviation over {@code dims} (empty: all) with {@code correction}: the square root of {@link #var}. */
  @Primitive(rules = ReductionRules.class, vjp = "stdVjp", node = "StdBackward0", reads = {0, Primitive.OUT})
  public Tensor std(int[] dims, int correction, boolean keepDim) {
    return STD_DIMS_I_B.record(ReductionRules.std(this, dims, correction, keepDim), this, dims, correction, keepDim);
  }

  private static final Row NORM_ALL = Row.of(Tensor.class, "norm");

  /** The 2-norm of all elements, a 0-D tensor ({@code x.norm()}). */
  @Primitive(rules = ReductionRules.class, vjp = "normVjp", node = "NormBackward1", reads = {0, Primitive.OUT})
  public Tensor norm() {
    return NORM_ALL.record(ReductionRules.norm(this, 2), this);
  }

  private static final Row NORM_D = Row.of(Tensor.class, "norm", double.class);

  /**
   * The p-norm of all elements {@code (Σ|x|^p)^(1/p)} ({@code x.norm(p)}); {@code p} may be
   * {@code Double.POSITIVE_INFINITY} (the largest |x|, ties share the gradient) or 0 (the count of non-zeros).
   */
  @Primitive(rules = ReductionRules.class, vjp = "normVjp", node = "NormBackward1", reads = {0, Primitive.OUT})
  public Tensor norm(double p) {
    return NORM_D.record(ReductionRules.norm(this, p), this, p);
  }

  private static final Row CUMSUM = Row.of(Tensor.class, "cumsum", int.class);

  /** The running sum along {@code dim} ({@code x.cumsum(dim)}). */
  @Primitive(rules = ReductionRules.class, vjp = "cumsumVjp", node = "CumsumBackward0", reads = {})
  public Tensor cumsum(int dim) {
    return CUMSUM.record(ReductionRules.cumsum(this, dim), this, dim);
  }

  private static final Row CUMPROD = Row.of(Tensor.class, "cumprod", int.class);

  /** The running product along {@code dim} ({@code x.cumprod(dim)}); the gradient is exact with zeros. */
  @Primitive(rules = ReductionRules.class, vjp = "cumprodVjp", node = "CumprodBackward0", reads = {0, Primitive.OUT})
  public Tensor cumprod(int dim) {
    return CUMPROD.record(ReductionRules.cumprod(this, dim), this, dim);
  }

  /** The index of the first largest value over {@code dim} (an INT64 tensor; not differentiable). */
  public Tensor argmax(int dim, boolean keepDim) {
    return ReductionRules.argmax(this, dim, keepDim);
  }

  /** The index of the first largest value over {@code dim}. */
  public Tensor argmax(int dim) {
    return argmax(dim, false);
  }

  private static final Row MATMUL = Row.of(Tensor.class, "matmul", Tensor.class);

  /** Matrix product with PyTorch's {@code matmul} rules for 1-D, 2-D and batched operands. */
  @Primitive(rules = LinalgRules.class, vjp = "matmulVjp", node = "MmBackward0", nodeOf = "matmulNode",
      reads = {0, 1}, grads = {@Grad(of = 0, reads = {1}), @Grad(of = 1, reads = {0})})
  public Tensor matmul(Tensor other) {
    Tensor out = dim() == 2 && other.dim() == 2 && shape[1] == other.shape[0] && data64 == null
        && other.data64 == null && (isTransposedMatrix() || other.isTransposedMatrix())
        && (isTransposedMatrix() || isDense()) && (other.isTransposedMatrix() || other.isDense())
        ? LinalgRules.matmulStrided(data, offset, isTransposedMatrix(), other.data, other.offset,
            other.isTransposedMatrix(), shape[0], shape[1], other.shape[1])
        : LinalgRules.matmul(this, other);
    return MATMUL.record(out, this, other);
  }

  /**
   * Whether this 2-D float32 tensor is the transpose of a row-major matrix in its storage (strides
   * {@code [1, rows]}, as {@code m.t()} makes), which the matrix product reads in place.
   */
  private boolean isTransposedMatrix() {
    return shape.length == 2 && data != null && shape[0] > 1 && shape[1] > 1 && strides[0] == 1
        && strides[1] == shape[0] && offset + numel <= data.length;
  }

  // ---------------------------------------------------------------------------------------------
  // Views (see Views): O(1), sharing storage and version counter with this tensor, as in PyTorch. An
  // in-place change through a view reaches this tensor and its graph.

  private static final Row T = Row.of(Tensor.class, "t");

  /** The transpose of a tensor of at most 2 dimensions, a view (a 0-D or 1-D tensor is viewed as it is). */
  @Primitive(rules = ShapeRules.class, vjp = "tVjp", node = "TBackward0", reads = {})
  public Tensor t() {
    return T.record(Views.t(this), this);
  }

  private static final Row TRANSPOSE = Row.of(Tensor.class, "transpose", int.class, int.class);

  /** Swaps dimensions {@code d0} and {@code d1}, a view. */
  @Primitive(rules = ShapeRules.class, vjp = "transposeVjp", node = "TransposeBackward0", reads = {})
  public Tensor transpose(int d0, int d1) {
    return TRANSPOSE.record(Views.transpose(this, d0, d1), this, d0, d1);
  }

  private static final Row RESHAPE = Row.of(Tensor.class, "reshape", int[].class);

  /**
   * The same elements in a new shape (one size may be {@code -1}): a view when the strides allow one
   * ({@code ReshapeAliasBackward0}), else a copy ({@code UnsafeViewBackward0}), as PyTorch.
   */
  @Primitive(rules = ShapeRules.class, vjp = "reshapeVjp", node = "ReshapeAliasBackward0", reads = {})
  public Tensor reshape(int... newShape) {
    Tensor alias = Views.reshapeAlias(this, newShape);
    return alias != null ? RESHAPE.record(alias, this, newShape) : clone().unsafeView(newShape);
  }

  private static final Row UNSAFE_VIEW = Row.of(Tensor.class, "unsafeView", int[].class);

  /** {@code reshape}'s copy path: this dense clone seen in {@code newShape} ({@code UnsafeViewBackward0}). */
  @Primitive(rules = ViewRules.class, vjp = "viewVjp", node = "UnsafeViewBackward0", reads = {})
  Tensor unsafeView(int... newShape) {
    return UNSAFE_VIEW.record(Views.unsafeView(this, newShape), this, newShape);
  }

  private static final Row VIEW = Row.of(Tensor.class, "view", int[].class);

  /**
   * A view of the same elements in a new shape (one size may be {@code -1}); throws when this tensor's
   * strides do not allow one (use {@link #reshape}), as PyTorch.
   */
  @Primitive(rules = ViewRules.class, vjp = "viewVjp", node = "ViewBackward0", reads = {})
  public Tensor view(int... newShape) {
    return VIEW.record(Views.view(this, newShape), this, newShape);
  }

  private static final Row VIEW_AS = Row.of(Tensor.class, "viewAs", Tensor.class);

  /** {@code view(other.shape())}. */
  @Primitive(rules = ViewRules.class, vjp = "viewAsVjp", node = "ViewBackward0", reads = {})
  public Tensor viewAs(Tensor other) {
    return VIEW_AS.record(Views.view(this, other.shape), this, other);
  }

  private static final Row PERMUTE = Row.of(Tensor.class, "permute", int[].class);

  /** The dimensions reordered: dimension {@code i} of the result is dimension {@code dims[i]} of this, a view. */
  @Primitive(rules = ViewRules.class, vjp = "permuteVjp", node = "PermuteBackward0", reads = {})
  public Tensor permute(int... dims) {
    return PERMUTE.record(Views.permute(this, dims), this, dims);
  }

  private static final Row EXPAND = Row.of(Tensor.class, "expand", int[].class);

  /**
   * This tensor repeated along dimensions of size 1 and new leading dimensions ({@code -1} keeps a size),
   * a view with stride 0 there: writing to it in place is an error, as in PyTorch.
   */
  @Primitive(rules = ViewRules.class, vjp = "expandVjp", node = "ExpandBackward0", reads = {})
  public Tensor expand(int... sizes) {
    return EXPAND.record(Views.expand(this, sizes), this, sizes);
  }

  private static final Row EXPAND_AS = Row.of(Tensor.class, "expandAs", Tensor.class);

  /** {@code expand(other.shape())}. */
  @Primitive(rules = ViewRules.class, vjp = "expandAsVjp", node = "ExpandBackward0", reads = {})
  public Tensor expandAs(Tensor other) {
    return EXPAND_AS.record(Views.expand(this, other.shape), this, other);
  }

  private static final Row SQUEEZE = Row.of(Tensor.class, "squeeze");

  /** Every dimension of size 1 removed, a view. */
  @Primitive(rules = ViewRules.class, vjp = "squeezeVjp", node = "SqueezeBackward0", reads = {})
  public Tensor squeeze() {
    return SQUEEZE.record(Views.squeeze(this), this);
  }

  private static final Row SQUEEZE_DIM = Row.of(Tensor.class, "squeeze", int.class);

  /** Dimension {@code dim} removed if its size is 1 (else the same shape), a view. */
  @Primitive(rules = ViewRules.class, vjp = "squeezeDimVjp", node = "SqueezeBackward1", reads = {})
  public Tensor squeeze(int dim) {
    return SQUEEZE_DIM.record(Views.squeeze(this, dim), this, dim);
  }

  private static final Row UNSQUEEZE = Row.of(Tensor.class, "unsqueeze", int.class);

  /** A new dimension of size 1 at {@code dim} (negative counts from the end of the result), a view. */
  @Primitive(rules = ViewRules.class, vjp = "unsqueezeVjp", node = "UnsqueezeBackward0", reads = {})
  public Tensor unsqueeze(int dim) {
    return UNSQUEEZE.record(Views.unsqueeze(this, dim), this, dim);
  }

  private static final Row SELECT = Row.of(Tensor.class, "select", int.class, int.class);

  /** The slice at {@code index} of dimension {@code dim}, which is removed ({@code t[index]} along dim), a view. */
  @Primitive(rules = ViewRules.class, vjp = "selectVjp", node = "SelectBackward0", reads = {})
  public Tensor select(int dim, int index) {
    return SELECT.record(Views.select(this, dim, index), this, dim, index);
  }

  private static final Row NARROW = Row.of(Tensor.class, "narrow", int.class, int.class, int.class);

  /** Elements {@code start .. start+length-1} along {@code dim} (a negative start counts from the end), a view. */
  @Primitive(rules = ViewRules.class, vjp = "narrowVjp", node = "SliceBackward0", reads = {})
  public Tensor narrow(int dim, int start, int length) {
    return NARROW.record(Views.narrow(this, dim, start, length), this, dim, start, length);
  }

  private static final Row SLICE_STEP = Row.of(Tensor.class, "slice", int.class, int.class, int.class, int.class);

  /** Elements {@code start, start+step, ...} below {@code end} along {@code dim} ({@code t[start:end:step]}), a view. */
  @Primitive(rules = ViewRules.class, vjp = "sliceStepVjp", node = "SliceBackward0", reads = {})
  public Tensor slice(int dim, int start, int end, int step) {
    return SLICE_STEP.record(Views.sliceStep(this, dim, start, end, step), this, dim, start, end, step);
  }

  private static final Row FLATTEN = Row.of(Tensor.class, "flatten", int.class, int.class);

  /** Dimensions {@code start .. end} merged into one (a reshape; this tensor itself when they are one dimension). */
  @Primitive(rules = ViewRules.class, vjp = "flattenVjp", node = "ReshapeAliasBackward0", reads = {})
  public Tensor flatten(int start, int end) {
    int[] shape = Views.flattenShape(this, start, end);
    if (shape == null) {
      return this;
    }
    Tensor alias = Views.reshapeAlias(this, shape);
    return alias != null ? FLATTEN.record(alias, this, start, end) : clone().unsafeView(shape);
  }

  private static final Row FLATTEN_ALL = Row.of(Tensor.class, "flatten");

  /**
   * All dimensions merged into one ({@code flatten(0, -1)}); a row of its own (the same view and adjoint), so
   * {@code @Differentiable} code can call it.
   */
  @Primitive(rules = ViewRules.class, vjp = "flattenAllVjp", node = "ReshapeAliasBackward0", reads = {})
  public Tensor flatten() {
    int[] shape = Views.flattenShape(this, 0, -1);
    if (shape == null) {
      return this;
    }
    Tensor alias = Views.reshapeAlias(this, shape);
    return alias != null ? FLATTEN_ALL.record(alias, this) : clone().unsafeView(shape);
  }

  private static final Row UNFLATTEN = Row.of(Tensor.class, "unflatten", int.class, int[].class);

  /** Dimension {@code dim} split into {@code sizes} (one may be {@code -1}), a view. */
  @Primitive(rules = ViewRules.class, vjp = "unflattenVjp", node = "ViewBackward0", reads = {})
  public Tensor unflatten(int dim, int... sizes) {
    return UNFLATTEN.record(Views.unflatten(this, dim, sizes), this, dim, sizes);
  }

  private static final Row DIAGONAL = Row.of(Tensor.class, "diagonal", int.class, int.class, int.class);

  /**
   * The diagonal of dimensions {@code dim1} and {@code dim2} as a new last dimension, a view; {@code
   * offset} above 0 takes a diagonal above the main one, below 0 one below it.
   */
  @Primitive(rules = ViewRules.class, vjp = "diagonalVjp", node = "DiagonalBackward0", reads = {})
  public Tensor diagonal(int offset, int dim1, int dim2) {
    return DIAGONAL.record(Views.diagonal(this, offset, dim1, dim2), this, offset, dim1, dim2);
  }

  private static final Row DIAGONAL_MAIN = Row.of(Tensor.class, "diagonal");

  /**
   * The main diagonal of the first two dimensions ({@code diagonal(0, 0, 1)}); a row of its own (the same view
   * and adjoint), so {@code @Differentiable} code can call it.
   */
  @Primitive(rules = ViewRules.class, vjp = "diagonalMainVjp", node = "DiagonalBackward0", reads = {})
  public Tensor diagonal() {
    return DIAGONAL_MAIN.record(Views.diagonal(this, 0, 0, 1), this);
  }

  private static final Row AS_STRIDED = Row.of(Tensor.class, "asStrided", int[].class, int[].class, int.class);

  /**
   * A view of this tensor's storage with the given sizes, strides and storage offset (PyTorch's {@code
   * as_strided}); it must lie within the storage. Elements may repeat (a stride 0); the gradient of
   * elements read several times adds up.
   */
  @Primitive(rules = ViewRules.class, vjp = "asStridedVjp", node = "AsStridedBackward0", reads = {})
  public Tensor asStrided(int[] size, int[] stride, int storageOffset) {
    return AS_STRIDED.record(Views.asStrided(this, size, stride, storageOffset), this, size, stride, storageOffset);
  }

  /** {@code asStrided(size, stride, storageOffset())}. */
  public Tensor asStrided(int[] size, int[] stride) {
    return asStrided(size, stride, offset);
  }

  private static final Row CLONE = Row.of(Tensor.class, "clone");

  /** A copy in fresh, dense storage, recorded ({@code CloneBackward0}: the gradient passes unchanged). */
  @Primitive(rules = ViewRules.class, vjp = "cloneVjp", node = "CloneBackward0", reads = {})
  public Tensor clone() {
    return CLONE.record(Views.copy(this), this);
  }

  private static final Row CONTIGUOUS = Row.of(Tensor.class, "contiguous");

  /** This tensor if {@link #isContiguous()}, else a {@link #clone()} in row-major order. */
  @Primitive(rules = ViewRules.class, vjp = "cloneVjp", node = "CloneBackward0", reads = {})
  public Tensor contiguous() {
    return isContiguous() ? this : CONTIGUOUS.record(Views.copy(this), this);
  }

  /**
   * Views of consecutive pieces of {@code size} elements along {@code dim} (the last may be smaller),
   * each recorded as {@code SplitBackward0}. As in PyTorch they are outputs of a function returning several
   * views: changing one in place while recording is an error.
   */
  public List<Tensor> split(int size, int dim) {
    if (size <= 0 && !(size == 0 && shape[Shapes.dim("split", dim, Math.max(dim(), 1))] == 0)) {
      throw new IllegalArgumentException("split: split_size can only be 0 if dimension size is 0, but got "
          + "split_size " + size + " for shape " + Shapes.str(shape));
    }
    int d = Shapes.dim("split", dim, dim());
    return Views.split(this, Shapes.splitSizes(shape[d], size), d, "SplitBackward0");
  }

  /** Views of pieces of the given sizes along {@code dim} ({@code SplitWithSizesBackward0}); see {@link #split(int, int)}. */
  public List<Tensor> split(int[] sizes, int dim) {
    int[] checked = ViewRules.splitSizes(this, sizes, dim);
    return Views.split(this, checked, Shapes.dim("split", dim, dim()), "SplitWithSizesBackward0");
  }

  /** {@code chunks} views along {@code dim} of {@code ceil(size / chunks)} elements each ({@code SplitBackward0}). */
  public List<Tensor> chunk(int chunks, int dim) {
    if (chunks <= 0) {
      throw new IllegalArgumentException("chunk: chunk expects `chunks` to be greater than 0, got: " + chunks);
    }
    int d = Shapes.dim("chunk", dim, dim());
    int size = Shapes.chunkSize(shape[d], chunks);
    return size == 0 ? split(new int[] {0}, d) : split(size, d);
  }

  /** The views {@code select(dim, i)} for every {@code i} ({@code UnbindBackward0}); see {@link #split(int, int)}. */
  public List<Tensor> unbind(int dim) {
    return Views.unbind(this, dim);
  }

  /** {@code unbind(0)}. */
  public List<Tensor> unbind() {
    return unbind(0);
  }

  private static final Row INDEX = Row.of(Tensor.class, "index", Tensor.class);

  /**
   * {@code t[idx]}: with an INT64 index tensor, the slices along dimension 0 it names (negative indices
   * count from the end); with a BOOL mask of k dimensions, the elements (or slices) where it is true, in
   * row-major order. See {@link #index(Tensor...)} for several indices.
   */
  @Primitive(rules = IndexingRules.class, vjp = "indexOneVjp", node = "IndexBackward0", reads = {1})
  public Tensor index(Tensor idx) {
    return INDEX.record(IndexingRules.index(this, idx), this, idx);
  }

  private static final Row SLICE = Row.of(Tensor.class, "slice", int.class, int.class, int.class);

  /** Elements {@code start .. end-1} along {@code dim} ({@code t[start:end]}); negatives count from the end. */
  @Primitive(rules = ShapeRules.class, vjp = "sliceVjp", node = "SliceBackward0", reads = {})
  public Tensor slice(int dim, int start, int end) {
    return SLICE.record(Views.slice(this, dim, start, end), this, dim, start, end);
  }

  private static final Row CAT = Row.of(Tensor.class, "cat", List.class, int.class);

  /** Joins tensors along an existing dimension. */
  @Primitive(rules = ShapeRules.class, vjp = "catVjp", node = "CatBackward0", reads = {})
  public static Tensor cat(List<Tensor> tensors, int dim) {
    return CAT.record(ShapeRules.cat(tensors, dim), tensors, dim);
  }

  private static final Row STACK_LIST_I = Row.of(Tensor.class, "stack", List.class, int.class);

  /** Joins tensors of equal shape along a new dimension. */
  @Primitive(rules = ShapeRules.class, vjp = "stackVjp", node = "StackBackward0", reads = {})
  public static Tensor stack(List<Tensor> tensors, int dim) {
    return STACK_LIST_I.record(ShapeRules.stack(tensors, dim), tensors, dim);
  }

  /** Joins tensors of equal shape along a new first dimension. */
  public static Tensor stack(Tensor... tensors) {
    return stack(List.of(tensors), 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Indexing with tensors (issue 13). Index tensors are INT64 and masks BOOL; neither is differentiable,
  // and index results never require grad. Rules: IndexingRules, RepeatRules.

  /** Values and their indices along a dimension: what PyTorch's {@code max(dim)}, {@code sort}, {@code topk} return. */
  public record ValuesIndices(Tensor values, Tensor indices) {}

  private static final Row INDEX_TENSORS = Row.of(Tensor.class, "index", Tensor[].class);

  /**
   * Advanced indexing, PyTorch's {@code t[i0, i1, ...]}: entry {@code k} indexes dimension {@code k} with an
   * INT64 tensor, a BOOL mask covers as many dimensions as it has, and {@code null} is a full slice
   * ({@code :}), as in ATen's {@code index(Tensor?[] indices)}; missing trailing entries are full slices. So
   * {@code x[:, idx]} is {@code x.index(null, idx)} and {@code x[i, j]} for index tensors {@code i, j} is
   * {@code x.index(i, j)}. The index tensors broadcast together; their broadcast shape replaces the indexed
   * dimensions when they are adjacent and comes first otherwise. Always a copy (integers and slices alone
   * are views: {@code select}, {@code slice}).
   */
  @Primitive(rules = IndexingRules.class, vjp = "indexVjp", node = "IndexBackward0", reads = {1})
  public Tensor index(Tensor... indices) {
    return INDEX_TENSORS.record(IndexingRules.index(this, indices), this, (Object) indices);
  }

  private static final Row INDEX_PUT = Row.of(Tensor.class, "indexPut", Tensor[].class, Tensor.class, boolean.class);

  /**
   * A copy of this tensor with {@code values} (broadcast to the shape of {@code index(indices)}) written at
   * {@code indices}, or added there when {@code accumulate} ({@code torch.index_put}).
   */
  @Primitive(rules = IndexingRules.class, vjp = "indexPutVjp", node = "IndexPutBackward0", reads = {1})
  public Tensor indexPut(Tensor[] indices, Tensor values, boolean accumulate) {
    return INDEX_PUT.record(IndexingRules.indexPut(this, indices, values, accumulate), this, indices, values,
        accumulate);
  }

  /**
   * {@code t[indices] = values} in place ({@code index_put_}, Python's setitem), {@code values} broadcast to
   * the shape of {@code index(indices)}; with {@code accumulate}, {@code t[indices] += values} summing
   * repeated positions. Recorded as {@code IndexPutBackward0}: the old value gets the gradient except where
   * written (everywhere with {@code accumulate}), {@code values} the gradient at the written positions.
   */
  public Tensor indexPut_(Tensor[] indices, Tensor values, boolean accumulate) {
    InPlace.Pending record = InPlace.records("indexPut_", this, values)
        ? InPlace.prepare(INDEX_PUT, this, this, indices.clone(), values, accumulate) : null;
    InPlace.apply(this, IndexingRules.indexPut(this, indices, values, accumulate), InPlace.Op.COPY);
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  /** {@code t[indices] = values} in place (no accumulation). */
  public Tensor indexPut_(Tensor[] indices, Tensor values) {
    return indexPut_(indices, values, false);
  }

  /** {@code t[indices] = value} in place, for a number ({@code t[mask] = 0}). */
  public Tensor indexPut_(Tensor[] indices, double value) {
    Tensor v = dtype == DType.FLOAT64 ? Tensor.scalar(value, DType.FLOAT64) : Tensor.scalar(value);
    return indexPut_(indices, v, false);
  }

  private static final Row GATHER = Row.of(Tensor.class, "gather", int.class, Tensor.class);

  /** {@code out[i][j] = this[index[i][j]][j]} for {@code dim} 0, and so on ({@code torch.gather}); out has index's shape. */
  @Primitive(rules = IndexingRules.class, vjp = "gatherVjp", node = "GatherBackward0", reads = {2})
  public Tensor gather(int dim, Tensor index) {
    return GATHER.record(IndexingRules.gather(this, dim, index), this, dim, index);
  }

  private static final Row SCATTER_T = Row.of(Tensor.class, "scatter", int.class, Tensor.class, Tensor.class);

  /**
   * A copy with {@code src}'s elements written where {@code index} says along {@code dim}
   * ({@code torch.scatter}: {@code out[index[i][j]][j] = src[i][j]} for dim 0). A position written twice keeps
   * the last write (PyTorch leaves that unspecified).
   */
  @Primitive(rules = IndexingRules.class, vjp = "scatterVjp", node = "ScatterBackward0", reads = {2})
  public Tensor scatter(int dim, Tensor index, Tensor src) {
    return SCATTER_T.record(IndexingRules.scatter(this, dim, index, src, false), this, dim, index, src);
  }

  private static final Row SCATTER_D = Row.of(Tensor.class, "scatter", int.class, Tensor.class, double.class);

  /** A copy with {@code value} written where {@code index} says along {@code dim}. */
  @Primitive(rules = IndexingRules.class, vjp = "scatterValueVjp", node = "ScatterBackward1", reads = {2})
  public Tensor scatter(int dim, Tensor index, double value) {
    return SCATTER_D.record(IndexingRules.scatter(this, dim, index, value), this, dim, index, value);
  }

  private static final Row SCATTER_ADD = Row.of(Tensor.class, "scatterAdd", int.class, Tensor.class, Tensor.class);

  /** A copy with {@code src}'s elements added where {@code index} says along {@code dim} ({@code scatter_add}). */
  @Primitive(rules = IndexingRules.class, vjp = "scatterAddVjp", node = "ScatterAddBackward0", reads = {2})
  public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    return SCATTER_ADD.record(IndexingRules.scatter(this, dim, index, src, true), this, dim, index, src);
  }

  /** {@link #scatter(int, Tensor, Tensor)} in place ({@code scatter_}); recorded as {@code ScatterBackward0}. */
  public Tensor scatter_(int dim, Tensor index, Tensor src) {
    return scatterInPlace("scatter_", SCATTER_T, dim, index, src, false);
  }

  /** {@link #scatterAdd} in place ({@code scatter_add_}); recorded as {@code ScatterAddBackward0}. */
  public Tensor scatterAdd_(int dim, Tensor index, Tensor src) {
    return scatterInPlace("scatterAdd_", SCATTER_ADD, dim, index, src, true);
  }

  /** {@link #scatter(int, Tensor, double)} in place; recorded as {@code ScatterBackward1}. */
  public Tensor scatter_(int dim, Tensor index, double value) {
    InPlace.Pending record = InPlace.records("scatter_", this)
        ? InPlace.prepare(SCATTER_D, this, this, dim, index, value) : null;
    InPlace.apply(this, IndexingRules.scatter(this, dim, index, value), InPlace.Op.COPY);
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  private Tensor scatterInPlace(String op, Row row, int dim, Tensor index, Tensor src, boolean add) {
    InPlace.Pending record = InPlace.records(op, this, src) ? InPlace.prepare(row, this, this, dim, index, src) : null;
    InPlace.apply(this, IndexingRules.scatter(this, dim, index, src, add), InPlace.Op.COPY);
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  private static final Row INDEX_SELECT = Row.of(Tensor.class, "indexSelect", int.class, Tensor.class);

  /** The slices along {@code dim} that the 1-D INT64 {@code index} names, in its order ({@code index_select}). */
  @Primitive(rules = IndexingRules.class, vjp = "indexSelectVjp", node = "IndexSelectBackward0", reads = {2})
  public Tensor indexSelect(int dim, Tensor index) {
    return INDEX_SELECT.record(IndexingRules.indexSelect(this, dim, index), this, dim, index);
  }

  private static final Row MASKED_FILL = Row.of(Tensor.class, "maskedFill", Tensor.class, double.class);

  /** A copy with {@code value} where the BOOL {@code mask} (broadcast to this shape) is true ({@code masked_fill}). */
  @Primitive(rules = IndexingRules.class, vjp = "maskedFillVjp", node = "MaskedFillBackward0", reads = {1})
  public Tensor maskedFill(Tensor mask, double value) {
    return MASKED_FILL.record(IndexingRules.maskedFill(this, mask, value), this, mask, value);
  }

  /** {@link #maskedFill} in place ({@code masked_fill_}); recorded as {@code MaskedFillBackward0}. */
  public Tensor maskedFill_(Tensor mask, double value) {
    InPlace.Pending record = InPlace.records("maskedFill_", this)
        ? InPlace.prepare(MASKED_FILL, this, this, mask, value) : null;
    InPlace.apply(this, IndexingRules.maskedFill(this, mask, value), InPlace.Op.COPY);
    if (record != null) {
      InPlace.commit(record);
    }
    return this;
  }

  private static final Row MASKED_SELECT = Row.of(Tensor.class, "maskedSelect", Tensor.class);

  /** The elements where the BOOL {@code mask} is true, a 1-D tensor (both broadcast; {@code masked_select}). */
  @Primitive(rules = IndexingRules.class, vjp = "maskedSelectVjp", node = "MaskedSelectBackward0", reads = {1})
  public Tensor maskedSelect(Tensor mask) {
    return MASKED_SELECT.record(IndexingRules.maskedSelect(this, mask), this, mask);
  }

  private static final Row WHERE = Row.of(Tensor.class, "where", Tensor.class, Tensor.class, Tensor.class);

  /** {@code cond ? a : b} elementwise, all three broadcast together ({@code torch.where}). */
  @Primitive(rules = IndexingRules.class, vjp = "whereVjp", node = "WhereBackward0", reads = {0})
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    return WHERE.record(IndexingRules.where(cond, a, b), cond, a, b);
  }

  private static final Row WHERE_T_D = Row.of(Tensor.class, "where", Tensor.class, Tensor.class, double.class);

  /** {@code cond ? a : b} for a number {@code b} ({@code torch.where(cond, a, 0.0)}). */
  @Primitive(rules = IndexingRules.class, vjp = "whereScalarOtherVjp", node = "WhereBackward0", reads = {0})
  public static Tensor where(Tensor cond, Tensor a, double b) {
    return WHERE_T_D.record(IndexingRules.where(cond, a, b), cond, a, b);
  }

  private static final Row WHERE_D_T = Row.of(Tensor.class, "where", Tensor.class, double.class, Tensor.class);

  /** {@code cond ? a : b} for a number {@code a}. */
  @Primitive(rules = IndexingRules.class, vjp = "whereScalarSelfVjp", node = "WhereBackward0", reads = {0})
  public static Tensor where(Tensor cond, double a, Tensor b) {
    return WHERE_D_T.record(IndexingRules.where(cond, a, b), cond, a, b);
  }

  /**
   * The largest values over {@code dim} and the index of each (the first, on ties): PyTorch's
   * {@code torch.max(x, dim, keepdim)}. The values are {@link #max(int, boolean)} ({@code MaxBackward0}).
   */
  public ValuesIndices maxWithIndices(int dim, boolean keepDim) {
    return new ValuesIndices(max(dim, keepDim), argmax(dim, keepDim));
  }

  /** The smallest values over {@code dim} and the index of each (the first, on ties): {@code torch.min(x, dim)}. */
  public ValuesIndices minWithIndices(int dim, boolean keepDim) {
    return new ValuesIndices(min(dim, keepDim), argmin(dim, keepDim));
  }

  /** The index of the first smallest value over {@code dim} (an INT64 tensor; not differentiable). */
  public Tensor argmin(int dim, boolean keepDim) {
    return ReductionRules.argmin(this, dim, keepDim);
  }

  /** The index of the first smallest value over {@code dim}. */
  public Tensor argmin(int dim) {
    return argmin(dim, false);
  }

  /** The indices that sort this tensor along {@code dim} (stably; {@code torch.argsort}); INT64. */
  public Tensor argsort(int dim, boolean descending) {
    return IndexingRules.argsort(this, dim, descending);
  }

  /** The indices that sort this tensor along its last dimension, ascending. */
  public Tensor argsort() {
    return argsort(-1, false);
  }

  /**
   * This tensor sorted along {@code dim} and the indices of the sorted values ({@code torch.sort}). The sort
   * is stable whatever {@code stable} says (PyTorch allows any order of equal values when it is false); NaN
   * sorts above every number. The values are recorded as {@code SortBackward0}.
   */
  public ValuesIndices sort(int dim, boolean descending, boolean stable) {
    Tensor indices = IndexingRules.argsort(this, dim, descending);
    return new ValuesIndices(sortValues(dim, stable, indices), indices);
  }

  /** {@link #sort(int, boolean, boolean)} as {@code x.sort(dim, descending)} (the order is stable all the same). */
  public ValuesIndices sort(int dim, boolean descending) {
    return sort(dim, descending, false);
  }

  /** Sorted along the last dimension, ascending. */
  public ValuesIndices sort() {
    return sort(-1, false, false);
  }

  private static final Row SORT_VALUES = Row.of(Tensor.class, "sortValues", int.class, boolean.class, Tensor.class);

  /**
   * The values of {@link #sort}: this tensor gathered at the sort's indices, recorded as PyTorch's sort
   * ({@code SortBackward1} for its {@code stable=True} overload).
   */
  @Primitive(rules = IndexingRules.class, vjp = "sortValuesVjp", node = "SortBackward0", nodeOf = "sortNode",
      reads = {3})
  Tensor sortValues(int dim, boolean stable, Tensor indices) {
    return SORT_VALUES.record(IndexingRules.valuesAt(this, dim, indices), this, dim, stable, indices);
  }

  /**
   * The {@code k} largest (or smallest) values along {@code dim} and their indices ({@code torch.topk}).
   * They come in order whatever {@code sorted} says (PyTorch allows any order when it is false); ties keep
   * the lower index first. The values are recorded as {@code TopkBackward0}.
   */
  public ValuesIndices topk(int k, int dim, boolean largest, boolean sorted) {
    Tensor indices = IndexingRules.topkIndices(this, k, dim, largest);
    return new ValuesIndices(topkValues(dim, indices), indices);
  }

  /** The {@code k} largest values along the last dimension, in order, with their indices. */
  public ValuesIndices topk(int k) {
    return topk(k, -1, true, true);
  }

  private static final Row TOPK_VALUES = Row.of(Tensor.class, "topkValues", int.class, Tensor.class);

  /** The values of {@link #topk}: this tensor gathered at the chosen indices, recorded as PyTorch's topk. */
  @Primitive(rules = IndexingRules.class, vjp = "valuesAtVjp", node = "TopkBackward0", reads = {2})
  Tensor topkValues(int dim, Tensor indices) {
    return TOPK_VALUES.record(IndexingRules.valuesAt(this, dim, indices), this, dim, indices);
  }

  // ---------------------------------------------------------------------------------------------
  // repeat, tile, flip, roll (copies; RepeatRules)

  private static final Row REPEAT = Row.of(Tensor.class, "repeat", int[].class);

  /** This tensor repeated {@code repeats[d]} times along each dimension, extra leading ones new ({@code repeat}). */
  @Primitive(rules = RepeatRules.class, vjp = "repeatVjp", node = "RepeatBackward0", reads = {})
  public Tensor repeat(int... repeats) {
    return REPEAT.record(RepeatRules.repeat(this, repeats), this, repeats);
  }

  private static final Row TILE = Row.of(Tensor.class, "tile", int[].class);

  /** {@code torch.tile}: {@link #repeat}, with {@code dims} padded by leading 1s when shorter than the rank. */
  @Primitive(rules = RepeatRules.class, vjp = "tileVjp", node = "RepeatBackward0", reads = {})
  public Tensor tile(int... dims) {
    return TILE.record(RepeatRules.tile(this, dims), this, dims);
  }

  private static final Row FLIP = Row.of(Tensor.class, "flip", int[].class);

  /** The elements in reverse order along each of {@code dims} ({@code torch.flip}; a copy). */
  @Primitive(rules = RepeatRules.class, vjp = "flipVjp", node = "FlipBackward0", reads = {})
  public Tensor flip(int... dims) {
    return FLIP.record(RepeatRules.flip(this, dims), this, dims);
  }

  private static final Row ROLL = Row.of(Tensor.class, "roll", int[].class, int[].class);

  /**
   * The elements shifted by {@code shifts[i]} along {@code dims[i]}, wrapping around ({@code torch.roll});
   * an empty {@code dims} rolls the flattened tensor by {@code shifts[0]} and keeps the shape.
   */
  @Primitive(rules = RepeatRules.class, vjp = "rollVjp", node = "RollBackward0", reads = {})
  public Tensor roll(int[] shifts, int[] dims) {
    return ROLL.record(RepeatRules.roll(this, shifts, dims), this, shifts, dims);
  }

  // ---------------------------------------------------------------------------------------------
  // Comparisons (not differentiable): BOOL masks, as PyTorch's comparisons return; arithmetic on a mask
  // treats it as 0/1 floats.

  /** {@code this > other} elementwise with broadcasting, a BOOL mask. */
  public Tensor gt(Tensor other) {
    return IndexingRules.compare("gt", this, other);
  }

  /** {@code this < other}, a BOOL mask. */
  public Tensor lt(Tensor other) {
    return IndexingRules.compare("lt", this, other);
  }

  /** {@code this >= other}, a BOOL mask. */
  public Tensor ge(Tensor other) {
    return IndexingRules.compare("ge", this, other);
  }

  /** {@code this <= other}, a BOOL mask. */
  public Tensor le(Tensor other) {
    return IndexingRules.compare("le", this, other);
  }

  /** {@code this == other}, a BOOL mask. */
  public Tensor eq(Tensor other) {
    return IndexingRules.compare("eq", this, other);
  }

  /** {@code this != other}, a BOOL mask. */
  public Tensor ne(Tensor other) {
    return IndexingRules.compare("ne", this, other);
  }

  /** {@code this > s}, a BOOL mask ({@code x > 0}). */
  public Tensor gt(double s) {
    return IndexingRules.compare("gt", this, s);
  }

  /** {@code this < s}, a BOOL mask. */
  public Tensor lt(double s) {
    return IndexingRules.compare("lt", this, s);
  }

  /** {@code this >= s}, a BOOL mask. */
  public Tensor ge(double s) {
    return IndexingRules.compare("ge", this, s);
  }

  /** {@code this <= s}, a BOOL mask. */
  public Tensor le(double s) {
    return IndexingRules.compare("le", this, s);
  }

  /** {@code this == s}, a BOOL mask. */
  public Tensor eq(double s) {
    return IndexingRules.compare("eq", this, s);
  }

  /** {@code this != s}, a BOOL mask. */
  public Tensor ne(double s) {
    return IndexingRules.compare("ne", this, s);
  }

  /** {@code ~this}: true where this is zero ({@code torch.logical_not}), a BOOL mask. */
  public Tensor logicalNot() {
    return IndexingRules.logicalNot(this);
  }

  /** The positions of the non-zero elements, INT64 of shape (count, dim) ({@code torch.nonzero}). */
  public Tensor nonzero() {
    return IndexingRules.nonzero(this);
  }

  /** Whether both tensors have the same shape and every pair of elements is within tolerance. */
  public boolean allclose(Tensor other, double rtol, double atol) {
    if (!Arrays.equals(shape, other.shape)) {
      return false;
    }
    double[] a = toDoubleArray();
    double[] b = other.toDoubleArray();
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > atol + rtol * Math.abs(b[i])) {
        return false;
      }
    }
    return true;
  }

  private static final Row TO = Row.of(Tensor.class, "to", DType.class);

  /**
   * This tensor converted to {@code dtype} ({@code x.to(dtype)}): {@code this} itself when it already has
   * that dtype, as PyTorch; else a new tensor, recorded as {@code ToCopyBackward0}, whose gradient is
   * converted back to this tensor's dtype. Float64 to float32 rounds to nearest; to INT64 truncates.
   */
  @Primitive(rules = dev.adjoint.rules.DTypeRules.class, vjp = "toVjp", node = "ToCopyBackward0", reads = {})
  public Tensor to(DType dtype) {
    if (dtype == this.dtype) {
      return this;
    }
    if (requiresGrad() && !dtype.isFloatingPoint()) {
      return dev.adjoint.rules.DTypeRules.to(this, dtype); // not differentiable: not recorded
    }
    return TO.record(dev.adjoint.rules.DTypeRules.to(this, dtype), this, dtype);
  }

  private static final Row TO_DOUBLE = Row.of(Tensor.class, "toDouble");

  /**
   * {@code x.double()}: {@link #to(DType) to(FLOAT64)}, its own row so that {@code @Differentiable} code can call
   * it ({@code ToCopyBackward0}, the gradient converted back to this tensor's dtype).
   */
  @Primitive(rules = dev.adjoint.rules.DTypeRules.class, vjp = "toDoubleVjp", node = "ToCopyBackward0", reads = {})
  public Tensor toDouble() {
    return dtype == DType.FLOAT64 ? this : TO_DOUBLE.record(dev.adjoint.rules.DTypeRules.to(this, DType.FLOAT64), this);
  }

  private static final Row TO_FLOAT = Row.of(Tensor.class, "toFloat");

  /**
   * {@code x.float()}: {@link #to(DType) to(FLOAT32)}, its own row so that {@code @Differentiable} code can call
   * it ({@code ToCopyBackward0}, the gradient converted back to this tensor's dtype).
   */
  @Primitive(rules = dev.adjoint.rules.DTypeRules.class, vjp = "toFloatVjp", node = "ToCopyBackward0", reads = {})
  public Tensor toFloat() {
    return dtype == DType.FLOAT32 ? this : TO_FLOAT.record(dev.adjoint.rules.DTypeRules.to(this, DType.FLOAT32), this);
  }

  /** A tensor with the same values, not recorded, in fresh storage ({@code clone().detach()}). */
  public Tensor copy() {
    return data64 != null ? new Tensor(toDoubleArray(), shape, new int[1])
        : new Tensor(toFloatArray(), shape, dtype, new int[1]);
  }

  @Override
  public String toString() {
    if (retired()) {
      return "tensor(<storage given back to the buffer pool>, shape=" + Shapes.str(shape) + ")";
    }
    return TensorFormatter.format(this);
  }

  /** Whether the buffer pool took this tensor's storage back (it holds elements but no array of them). */
  private boolean retired() {
    return data64 == null && data.length == 0 && numel > 0;
  }

  /**
   * Throws, naming {@code op}, when this tensor's storage was given back to the buffer pool: an activation between
   * two layers of an {@code nn.Sequential} that no node saves, which user code reaches only through the graph
   * ({@code gradFn().nextFunctions()...output(k)}), or a gradient the engine owned.
   */
  private void live(String op) {
    if (retired()) {
      throw new IllegalStateException(op + ": this tensor of shape " + Shapes.str(shape) + " has no values any more:"
          + " its storage was given back to Adjoint's buffer pool (an activation between two layers of an"
          + " nn.Sequential that no backward needs, reached through the graph, or a gradient the engine owned);"
          + " run with -Dadjoint.pool=off to keep every such tensor, or call the layers one by one");
    }
  }
}
