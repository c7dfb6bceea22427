package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Backward formulas written with recorded tensor operations, for {@code createGraph}: the rules' adjoints
 * compute through kernels on raw arrays (fast, not recorded), so with {@code createGraph} the engine runs
 * the formula here instead, and the gradient it returns has a graph that can be differentiated again
 * (double backward, Hessian-vector products). A node with no formula here still computes its gradient, but
 * the gradient carries a {@code NotImplemented} node whose backward throws "double backward through
 * XBackward0 is not supported" (PyTorch's {@code NotImplemented} node): a clear error, never a silent zero.
 * Each formula is checked against central differences of the first gradient and PyTorch's double-backward
 * goldens ({@code DoubleBackwardTest}).
 */
public final class DoubleBackward {
  /** A recorded adjoint: the inputs' gradients, or {@code null} when not supported for these arguments. */
  @FunctionalInterface
  public interface Formula {
    /** The inputs' gradients for upstream {@code g}, written with recorded operations; or {@code null}. */
    Grads apply(Tensor g, Tensor out, Object[] args);
  }

  /**
   * Registers the recorded formula of {@code owner}'s primitive {@code signature} (e.g.
   * {@code "linear(Tensor,Tensor,Tensor)"}), for primitives outside this package's reach ({@code nn}); called
   * from the owner's static initialiser. Arguments are the row's: receiver, parameters, receiver inputs.
   */
  public static void register(Class<?> owner, String signature, Formula f) {
    BY_METHOD.put(owner.getSimpleName() + "." + signature, f);
  }

  /** By primitive, {@code "Tensor.mul(Tensor)"}. */
  private static final Map<String, Formula> BY_METHOD = new HashMap<>();
  /** By node name, for nodes not made by a row (views), reading only the input's shape. */
  private static final Map<String, java.util.function.BiFunction<Tensor, Tensor, Tensor>> BY_NODE = new HashMap<>();

  private DoubleBackward() {}

  static {
    m("Tensor.add(Tensor)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g, t(a, 1))));
    m("Tensor.add(double)", (g, o, a) -> Grads.of(g, null));
    m("Tensor.add(Tensor,double)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g.mul(d(a, 2)), t(a, 1)), null));
    m("Tensor.sub(Tensor)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g.neg(), t(a, 1))));
    m("Tensor.sub(double)", (g, o, a) -> Grads.of(g, null));
    m("Tensor.sub(Tensor,double)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g.mul(-d(a, 2)), t(a, 1)), null));
    m("Tensor.rsub(double)", (g, o, a) -> Grads.of(g.neg(), null));
    m("Tensor.mul(Tensor)", (g, o, a) -> Grads.of(sumTo(g.mul(t(a, 1)), t(a, 0)), sumTo(g.mul(t(a, 0)), t(a, 1))));
    m("Tensor.mul(double)", (g, o, a) -> Grads.of(g.mul(d(a, 1)), null));
    m("Tensor.div(Tensor)", (g, o, a) -> {
      Tensor ga = g.div(t(a, 1));
      return Grads.of(sumTo(ga, t(a, 0)), sumTo(ga.mul(t(a, 0)).div(t(a, 1)).neg(), t(a, 1)));
    });
    m("Tensor.div(double)", (g, o, a) -> Grads.of(g.div(d(a, 1)), null));
    m("Tensor.neg()", (g, o, a) -> Grads.of(g.neg()));
    m("Tensor.max(int,boolean)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), (Boolean) a[2], true, 3));
    m("Tensor.max(int)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), false, true, 2));
    m("Tensor.min(int,boolean)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), (Boolean) a[2], false, 3));
    m("Tensor.min(int)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), false, false, 2));
    m("Tensor.where(Tensor,Tensor,Tensor)", (g, o, a) -> Grads.of(null,
        sumTo(Tensor.where(t(a, 0), g, 0.0), t(a, 1)), sumTo(Tensor.where(t(a, 0), 0.0, g), t(a, 2))));
    m("Tensor.where(Tensor,Tensor,double)", (g, o, a) -> Grads.of(null,
        sumTo(Tensor.where(t(a, 0), g, 0.0), t(a, 1)), null));
    m("Tensor.where(Tensor,double,Tensor)", (g, o, a) -> Grads.of(null, null,
        sumTo(Tensor.where(t(a, 0), 0.0, g), t(a, 2))));
    m("Tensor.exp()", (g, o, a) -> Grads.of(g.mul(o)));
    m("Tensor.log()", (g, o, a) -> Grads.of(g.div(t(a, 0))));
    m("Tensor.sqrt()", (g, o, a) -> Grads.of(g.div(o.mul(2))));
    m("Tensor.sin()", (g, o, a) -> Grads.of(g.mul(t(a, 0).cos())));
    m("Tensor.cos()", (g, o, a) -> Grads.of(g.mul(t(a, 0).sin()).neg()));
    m("Tensor.tanh()", (g, o, a) -> Grads.of(g.mul(o.mul(o).rsub(1))));
    m("Tensor.sigmoid()", (g, o, a) -> Grads.of(g.mul(o.mul(o.rsub(1)))));
    m("Tensor.relu()", (g, o, a) -> Grads.of(g.mul(positive(o))));
    m("Tensor.square()", (g, o, a) -> Grads.of(g.mul(t(a, 0)).mul(2)));
    m("Tensor.pow(double)", (g, o, a) -> {
      double p = d(a, 1);
      Tensor x = t(a, 0);
      return Grads.of(p == 0 ? g.mul(0) : g.mul(x.pow(p - 1)).mul(p), null);
    });
    m("Tensor.sum()", (g, o, a) -> Grads.of(g.reshape(ones(t(a, 0).dim())).expand(t(a, 0).shape())));
    m("Tensor.mean()", (g, o, a) -> Grads.of(g.div(t(a, 0).numel()).reshape(ones(t(a, 0).dim()))
        .expand(t(a, 0).shape())));
    m("Tensor.sum(int,boolean)", (g, o, a) -> Grads.of(expandDim(g, t(a, 0), i(a, 1), (Boolean) a[2]), null, null));
    m("Tensor.mean(int,boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int dim = Math.floorMod(i(a, 1), Math.max(1, x.dim()));
      return Grads.of(expandDim(g, x, dim, (Boolean) a[2]).div(x.dim() == 0 ? 1 : x.size(dim)), null, null);
    });
    m("Tensor.sum(int)", (g, o, a) -> Grads.of(expandDim(g, t(a, 0), i(a, 1), false), null));
    m("Tensor.mean(int)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int dim = Math.floorMod(i(a, 1), Math.max(1, x.dim()));
      return Grads.of(expandDim(g, x, dim, false).div(x.dim() == 0 ? 1 : x.size(dim)), null);
    });
    m("Tensor.log1p()", (g, o, a) -> Grads.of(g.div(t(a, 0).add(1))));
    m("Tensor.expm1()", (g, o, a) -> Grads.of(g.mul(o.add(1))));
    m("Tensor.reciprocal()", (g, o, a) -> Grads.of(g.mul(o.mul(o)).neg()));
    m("Tensor.rsqrt()", (g, o, a) -> Grads.of(g.mul(o.pow(3.0)).mul(-0.5)));
    m("Tensor.abs()", (g, o, a) -> Grads.of(g.mul(signOf(t(a, 0)))));
    m("Tensor.sum(int[],boolean)", (g, o, a) -> Grads.of(expandDims(g, t(a, 0), (int[]) a[1], (Boolean) a[2]),
        null, null));
    m("Tensor.mean(int[],boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      long n = 1;
      for (int d : normalized(dims, x.dim())) {
        n *= x.size(d);
      }
      return Grads.of(expandDims(g, x, dims, (Boolean) a[2]).div(n), null, null);
    });
    m("Tensor.logsumexp(int,boolean)", (g, o, a) -> Grads.of(logsumexp(g, o, t(a, 0), i(a, 1), (Boolean) a[2]),
        null, null));
    m("Tensor.logsumexp(int)", (g, o, a) -> Grads.of(logsumexp(g, o, t(a, 0), i(a, 1), false), null));
    m("Tensor.clamp(double,double)", (g, o, a) -> Grads.of(g.mul(mask(t(a, 0), v -> v >= d(a, 1) && v <= d(a, 2))),
        null, null));
    m("Tensor.cumsum(int)", (g, o, a) -> Grads.of(g.flip(i(a, 1)).cumsum(i(a, 1)).flip(i(a, 1)), null));
    m("Tensor.var()", (g, o, a) -> {
      Tensor x = t(a, 0);
      return Grads.of(x.sub(x.mean()).mul(g.mul(2.0 / (x.numel() - 1))));
    });
    m("Tensor.std()", (g, o, a) -> {
      Tensor x = t(a, 0);
      return Grads.of(x.sub(x.mean()).mul(g.div(o.mul(x.numel() - 1))));
    });
    m("Tensor.var(int[],int,boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      double n = count(x, dims) - i(a, 2);
      Tensor centred = x.sub(x.mean(dims, true));
      return Grads.of(centred.mul(expandDims(g, x, dims, (Boolean) a[3])).mul(2.0 / n), null, null, null);
    });
    m("Tensor.std(int[],int,boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      double n = count(x, dims) - i(a, 2);
      Tensor centred = x.sub(x.mean(dims, true));
      boolean keep = (Boolean) a[3];
      return Grads.of(centred.mul(expandDims(g, x, dims, keep)).div(expandDims(o, x, dims, keep).mul(n)), null,
          null, null);
    });
    // views made through rows: the adjoint is the view's inverse on g, written with recorded operations (a
    // gradient scattered into zeros is an in-place copy through a view of a fresh tensor: CopySlices)
    m("Tensor.transpose(int,int)", (g, o, a) -> Grads.of(g.transpose(i(a, 1), i(a, 2)), null, null));
    m("Tensor.permute(int[])", (g, o, a) -> {
      int[] p = (int[]) a[1];
      int[] inverse = new int[p.length];
      for (int k = 0; k < p.length; k++) {
        inverse[Math.floorMod(p[k], p.length)] = k;
      }
      return Grads.of(g.permute(inverse), null);
    });
    m("Tensor.select(int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.select(i(a, 1), i(a, 2)).copy_(g);
      return Grads.of(z, null, null);
    });
    m("Tensor.narrow(int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.narrow(i(a, 1), i(a, 2), i(a, 3)).copy_(g);
      return Grads.of(z, null, null, null);
    });
    m("Tensor.slice(int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.slice(i(a, 1), i(a, 2), i(a, 3)).copy_(g);
      return Grads.of(z, null, null, null);
    });
    m("Tensor.slice(int,int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.slice(i(a, 1), i(a, 2), i(a, 3), i(a, 4)).copy_(g);
      return Grads.of(z, null, null, null, null);
    });
    m("Tensor.matmul(Tensor)", (g, o, a) -> {
      Tensor x = t(a, 0);
      Tensor w = t(a, 1);
      if (x.dim() != 2 || w.dim() != 2) {
        return null;
      }
      return Grads.of(g.matmul(w.t()), x.t().matmul(g));
    });
    m("F.mseLoss(Tensor,Tensor)", (g, o, a) -> {
      Tensor diff = t(a, 0).sub(t(a, 1));
      Tensor gi = diff.mul(g.mul(2.0 / diff.numel()));
      return Grads.of(gi, gi.neg());
    });
    m("F.binaryCrossEntropyWithLogits(Tensor,Tensor)", (g, o, a) -> {
      Tensor x = t(a, 0);
      Tensor scale = g.div(x.numel());
      return Grads.of(x.sigmoid().sub(t(a, 1)).mul(scale), x.mul(scale).neg());
    });
    m("Tensor.maximum(Tensor)", (g, o, a) -> extremum(g, t(a, 0), t(a, 1), true));
    m("Tensor.minimum(Tensor)", (g, o, a) -> extremum(g, t(a, 0), t(a, 1), false));
    m("Tensor.max()", (g, o, a) -> Grads.of(evenly(g, t(a, 0), o)));
    m("Tensor.min()", (g, o, a) -> Grads.of(evenly(g, t(a, 0), o)));
    // PyTorch's prod_backward without zeros, (grad * result) / input; with a zero the formula does not cover it
    m("Tensor.prod()", (g, o, a) -> Arrays.stream(t(a, 0).toDoubleArray()).anyMatch(v -> v == 0) ? null
        : Grads.of(g.mul(o).div(t(a, 0))));
    // norm_backward for p = 2: input * (grad / norm), not covered at norm 0
    m("Tensor.norm()", (g, o, a) -> o.itemDouble() == 0 ? null : Grads.of(t(a, 0).mul(g.div(o))));
    BY_NODE.put("ViewBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("ReshapeAliasBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("UnsafeViewBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("SqueezeBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("SqueezeBackward1", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("UnsqueezeBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("CloneBackward0", (g, in) -> g);
    BY_NODE.put("TBackward0", (g, in) -> g.t());
    BY_NODE.put("ExpandBackward0", (g, in) -> sumTo(g, in));
  }

  private static void m(String key, Formula f) {
    BY_METHOD.put(key, f);
  }

  /** The recorded formula of the primitive {@code method}, or {@code null}. */
  static Formula formula(Method method) {
    Class<?> owner = method.getDeclaringClass();
    try {
      // the owner registers its formulas in its static initialiser, which reflection alone does not run
      Class.forName(owner.getName(), true, owner.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder b = new StringBuilder(method.getDeclaringClass().getSimpleName()).append('.')
        .append(method.getName()).append('(');
    Class<?>[] ps = method.getParameterTypes();
    for (int k = 0; k < ps.length; k++) {
      b.append(k == 0 ? "" : ",").append(ps[k].getSimpleName());
    }
    return BY_METHOD.get(b.append(')').toString());
  }

  /** The names of the primitives with a recorded formula (for tests). */
  public static List<String> supportedPrimitives() {
    List<String> l = new ArrayList<>(BY_METHOD.keySet());
    l.sort(null);
    return l;
  }

  /**
   * For the engine with createGraph: the recorded backward of a node made outside the rows (a view), as a
   * function of the upstream gradient, or {@code null}.
   */
  static Vjp byNode(Node n) {
    java.util.function.BiFunction<Tensor, Tensor, Tensor> f = BY_NODE.get(n.name());
    if (f == null || n.inputCount() < 1 || n.input(0) == null || !n.needsGrad(0)) {
      return null;
    }
    Tensor in = n.input(0);
    return g -> {
      Tensor[] gs = new Tensor[n.inputCount()];
      gs[0] = f.apply(g, in);
      return Grads.of(gs);
    };
  }

  /**
   * The gradients {@code grads} of node {@code n}, computed without recording, each copied and given a
   * {@code NotImplemented} node that throws when differentiated (createGraph through a node without a
   * recorded formula).
   */
  static Grads guard(Node n, Tensor[] upstream, Grads grads) {
    List<Tensor> deps = new ArrayList<>();
    for (Tensor u : upstream) {
      if (u != null && u.requiresGrad()) {
        deps.add(u);
      }
    }
    for (int i = 0; i < n.inputCount(); i++) {
      if (n.needsGrad(i)) {
        deps.add(n.input(i));
      }
    }
    Tensor[] in = deps.toArray(new Tensor[0]);
    Tensor[] out = new Tensor[n.inputCount()];
    for (int i = 0; i < out.length; i++) {
      Tensor gi = n.needsGrad(i) ? grads.get(i) : null;
      if (gi == null) {
        continue;
      }
      Tensor copy = gi.detach().clone();
      if (in.length > 0) {
        Node err = new Node("NotImplemented", n.site(), in, new Tensor[0], g -> {
          String madeAt = Anomaly.firstFrame(n.trace());
          throw new UnsupportedOperationException(n.where() + "double backward through " + n.name()
              + " is not supported" + (madeAt == null ? "" : " (the operation made at " + madeAt + ")")
              + ": its backward was computed with createGraph=true by kernels that are not "
              + "recorded, so the gradient of this gradient is unknown. Differentiate once, or express the "
              + "operation with differentiable primitives (see DoubleBackward.supportedPrimitives()).");
        });
        TensorAccess.get().setGradFn(copy, err);
        err.setOutput(copy);
      }
      out[i] = copy;
    }
    return Grads.of(out);
  }

  private static Tensor t(Object[] a, int k) {
    return (Tensor) a[k];
  }

  private static double d(Object[] a, int k) {
    return ((Number) a[k]).doubleValue();
  }

  /**
   * {@code max/min(dim)}'s adjoint in recorded operations: {@code g} scattered to the first extremum along
   * {@code dim} (the index the forward's gradient goes to), zeros elsewhere; {@code inputs} gradients in all.
   */
  private static Grads extremum(Tensor g, Tensor x, int dim, boolean keepDim, boolean max, int inputs) {
    if (x.dim() == 0) {
      return null;
    }
    int d = dim < 0 ? dim + x.dim() : dim;
    Tensor index = max ? x.argmax(d, true) : x.argmin(d, true);
    Tensor[] out = new Tensor[inputs];
    out[0] = Tensor.zeros(x.shape(), x.dtype()).scatter(d, index, keepDim ? g : g.unsqueeze(d));
    return Grads.of(out);
  }

  private static int i(Object[] a, int k) {
    return ((Number) a[k]).intValue();
  }

  private static int[] ones(int n) {
    int[] s = new int[n];
    Arrays.fill(s, 1);
    return s;
  }

  /**
   * maximum's ({@code max}) or minimum's gradients: {@code where(a == b, g / 2, g)} masked where the operand loses,
   * each summed to its operand's shape (PyTorch's formula); the masks are constants.
   */
  private static Grads extremum(Tensor g, Tensor a, Tensor b, boolean max) {
    Tensor x = a.detach();
    Tensor y = b.detach();
    Tensor tie = x.eq(y).to(g.dtype()).mul(0.5);
    Tensor aWins = (max ? x.gt(y) : x.lt(y)).to(g.dtype()).add(tie);
    Tensor bWins = (max ? x.lt(y) : x.gt(y)).to(g.dtype()).add(tie);
    return Grads.of(sumTo(g.mul(aWins), a), sumTo(g.mul(bWins), b));
  }

  /**
   * PyTorch's {@code evenly_distribute_backward}: the gradient of a full max or min shared evenly by the elements
   * equal to the result (NaN matching NaN); the mask is a constant.
   */
  private static Tensor evenly(Tensor g, Tensor x, Tensor out) {
    double v = out.itemDouble();
    Tensor hits = mask(x, e -> Double.isNaN(v) ? Double.isNaN(e) : e == v);
    return g.div(hits.sum().itemDouble()).mul(hits);
  }

  /** A 0/1 mask of {@code out > 0}, not recorded (relu's derivative, 0 at 0 as PyTorch's). */
  private static Tensor positive(Tensor out) {
    return mask(out, v -> v > 0);
  }

  /** The sign of {@code x} (0 at 0), not recorded: the derivative of {@code abs}. */
  private static Tensor signOf(Tensor x) {
    return constant(x, Math::signum);
  }

  /**
   * A 0/1 mask of {@code t > 0}, not recorded: the derivative of relu (0 at 0, as PyTorch's), for formulas
   * registered from other packages.
   */
  public static Tensor positiveMask(Tensor t) {
    return positive(t);
  }

  /** {@code logsumexp}'s gradient: {@code g} times the softmax of {@code x} along {@code dim}. */
  private static Tensor logsumexp(Tensor g, Tensor out, Tensor x, int dim, boolean keepDim) {
    return expandDim(g, x, dim, keepDim).mul(x.sub(expandDim(out, x, dim, keepDim)).exp());
  }

  /** The elements reduced over {@code dims} of {@code x}. */
  private static long count(Tensor x, int[] dims) {
    long n = 1;
    for (int d : normalized(dims, x.dim())) {
      n *= x.dim() == 0 ? 1 : x.size(d);
    }
    return n;
  }

  /**
   * A constant (not recorded) tensor of {@code x}'s shape, 1 where {@code keep} holds of the element and 0
   * elsewhere: the derivative of a piecewise-linear operation, for formulas registered from other packages.
   */
  public static Tensor mask(Tensor x, java.util.function.DoublePredicate keep) {
    return constant(x, v -> keep.test(v) ? 1 : 0);
  }

  /**
   * {@code f} of each element of {@code x}, as a constant (not recorded) tensor of {@code x}'s shape and
   * floating dtype (float64 stays float64, anything else is float32): the value-dependent factors of the formulas.
   */
  private static Tensor constant(Tensor x, java.util.function.DoubleUnaryOperator f) {
    double[] v = x.toDoubleArray();
    if (x.dtype() == Tensor.DType.FLOAT64) {
      for (int k = 0; k < v.length; k++) {
        v[k] = f.applyAsDouble(v[k]);
      }
      return Tensor.wrap(v, x.shape());
    }
    float[] w = new float[v.length];
    for (int k = 0; k < v.length; k++) {
      w[k] = (float) f.applyAsDouble(v[k]);
    }
    return Tensor.wrap(w, x.shape());
  }

  private static int[] normalized(int[] dims, int rank) {
    int[] d = new int[dims.length];
    for (int k = 0; k < dims.length; k++) {
      d[k] = Math.floorMod(dims[k], Math.max(1, rank));
    }
    Arrays.sort(d);
    return d;
  }

  /** {@code g} of a reduction over {@code dims} broadcast back to {@code x}'s shape. */
  private static Tensor expandDims(Tensor g, Tensor x, int[] dims, boolean keepDim) {
    if (x.dim() == 0) {
      return g.reshape();
    }
    Tensor k = g;
    if (!keepDim) {
      for (int d : normalized(dims, x.dim())) {
        k = k.unsqueeze(d);
      }
    }
    return k.expand(x.shape());
  }

  /** {@code g} of a reduction over {@code dim} broadcast back to {@code x}'s shape. */
  private static Tensor expandDim(Tensor g, Tensor x, int dim, boolean keepDim) {
    if (x.dim() == 0) {
      return g.reshape();
    }
    int d = Math.floorMod(dim, x.dim());
    Tensor k = keepDim ? g : g.unsqueeze(d);
    return k.expand(x.shape());
  }

  /** Sums {@code g} down to {@code like}'s shape over broadcast dimensions, with recorded operations. */
  static Tensor sumTo(Tensor g, Tensor like) {
    int[] shape = like.shape();
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) {
      return g;
    }
    int lead = gs.length - shape.length;
    List<Integer> dims = new ArrayList<>();
    for (int k = 0; k < gs.length; k++) {
      if (k < lead || shape[k - lead] == 1 && gs[k] != 1) {
        dims.add(k);
      }
    }
    Tensor s = dims.isEmpty() ? g : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
    return s.reshape(shape);
  }
}
