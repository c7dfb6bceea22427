package dev.adjoint.optim;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Limited-memory BFGS, optionally with a strong-Wolfe line search: PyTorch's {@code torch.optim.LBFGS}
 * (after minFunc). {@link #step(Closure)} needs a closure that zeroes the gradients, computes the loss,
 * calls {@code backward()} and returns the loss; it may call it up to {@code max_eval} times and
 * returns the loss of its first call.
 *
 * <p>As in PyTorch: one parameter group only; all parameters are treated as one flat vector; the
 * state (directions, steps, curvatures) is global and stored as the state of the first parameter. The
 * arithmetic mirrors PyTorch's, including which scalars are 0-d tensors of the parameters' dtype (dot
 * products, the curvature pairs, the step length on the first iteration) and which are Python doubles
 * (losses). Float32 parameters are stepped in float32 arithmetic, float64 ones in double; the parameters
 * must share one dtype.
 */
public final class LBFGS extends Optimizer {

  /** LBFGS options with PyTorch's defaults (lr 1, max_iter 20, history 100, no line search). */
  public static final class Options extends OptimizerOptions<Options> {
    Options() {
      set("lr", 1.0).set("max_iter", 20).set("tolerance_grad", 1e-7).set("tolerance_change", 1e-9)
          .set("history_size", 100).set("line_search_fn", "none");
    }

    /** Maximal number of iterations per step. */
    public Options maxIter(int v) {
      return set("max_iter", v);
    }

    /** Maximal number of function evaluations per step (default {@code max_iter * 5 / 4}). */
    public Options maxEval(int v) {
      return set("max_eval", v);
    }

    /** Termination tolerance on first-order optimality. */
    public Options toleranceGrad(double v) {
      return set("tolerance_grad", v);
    }

    /** Termination tolerance on function value and parameter changes. */
    public Options toleranceChange(double v) {
      return set("tolerance_change", v);
    }

    /** Update history size. */
    public Options historySize(int v) {
      return set("history_size", v);
    }

    /** {@code "strong_wolfe"} or {@code "none"} (PyTorch's {@code None}). */
    public Options lineSearchFn(String v) {
      return set("line_search_fn", v == null ? "none" : v);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  private final List<Tensor> params;

  /** LBFGS over {@code params} (Tensors, or a single ParamGroup). */
  public LBFGS(List<?> params, Options options) {
    super("LBFGS", params, withMaxEval(options));
    if (paramGroups().size() != 1) {
      throw new IllegalArgumentException("LBFGS: doesn't support per-parameter options (parameter groups), got "
          + paramGroups().size() + " groups");
    }
    this.params = paramGroups().get(0).params();
  }

  private static Map<String, Object> withMaxEval(Options options) {
    Map<String, Object> m = options.toMap();
    if (!m.containsKey("max_eval")) {
      m.put("max_eval", ((Number) m.get("max_iter")).intValue() * 5 / 4);
    }
    return m;
  }

  @Override
  public void addParamGroup(ParamGroup group) {
    if (!paramGroups().isEmpty()) {
      throw new IllegalArgumentException("LBFGS: doesn't support per-parameter options (parameter groups)");
    }
    super.addParamGroup(group);
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr");
    for (String key : new String[] {"max_iter", "history_size"}) {
      if (num(o, key, where) < 1) {
        throw new IllegalArgumentException("LBFGS: invalid " + key + " value: " + o.get(key) + " (must be >= 1)");
      }
    }
    requireNonNegative(o, where, "tolerance_grad", "tolerance_change");
    Object ls = o.get("line_search_fn");
    if (!"none".equals(ls) && !"strong_wolfe".equals(ls)) {
      throw new IllegalArgumentException("LBFGS: invalid line_search_fn value: " + ls
          + " (only 'strong_wolfe' or 'none' are supported)");
    }
  }

  /** LBFGS needs a closure. */
  @Override
  public Tensor step() {
    throw new IllegalStateException("LBFGS: step() needs a closure that reevaluates the model and returns the loss;"
        + " call step(closure)");
  }

  @Override
  protected void update(ParamGroup group) {
    throw new AssertionError("LBFGS overrides step(Closure)");
  }

  // --------------------------------------------------------------------------------------------
  // Scalars as Python sees them: a double, or a 0-d tensor of float32 (where arithmetic rounds to float) or float64.

  /**
   * A Python float ({@code tensor == false}), a float32 0-d tensor, or ({@code wide}) a float64 one. Arithmetic is
   * float32 when a float32 tensor takes part, else double; {@code python / tensor} is PyTorch's {@code
   * __rtruediv__}, {@code tensor.reciprocal() * python}, which rounds twice.
   */
  record Num(double v, boolean tensor, boolean wide) {
    static Num d(double v) {
      return new Num(v, false, false);
    }

    static Num f(float v) {
      return new Num(v, true, false);
    }

    /** A float64 0-d tensor. */
    static Num t64(double v) {
      return new Num(v, true, true);
    }

    /** Whether this is a float32 tensor (its arithmetic rounds to float). */
    private boolean narrow() {
      return tensor && !wide;
    }

    /** A result of {@code v}'s kind: a tensor of {@code like}'s dtype if either is one, else a Python float. */
    private static Num of(double v, Num a, Num b) {
      Num like = a.tensor ? a : b;
      return new Num(v, like.tensor, like.wide);
    }

    private static Num op(Num a, Num b, char o) {
      if (a.narrow() || b.narrow()) {
        float x = (float) a.v;
        float y = (float) b.v;
        float r = switch (o) {
          case '+' -> x + y;
          case '-' -> x - y;
          case '*' -> x * y;
          default -> !a.tensor ? (1f / y) * x : x / y;
        };
        return f(r);
      }
      double r = switch (o) {
        case '+' -> a.v + b.v;
        case '-' -> a.v - b.v;
        case '*' -> a.v * b.v;
        default -> !a.tensor && b.tensor ? (1 / b.v) * a.v : a.v / b.v;
      };
      return of(r, a, b);
    }

    Num add(Num o) {
      return op(this, o, '+');
    }

    Num sub(Num o) {
      return op(this, o, '-');
    }

    Num mul(Num o) {
      return op(this, o, '*');
    }

    Num div(Num o) {
      return op(this, o, '/');
    }

    Num add(double o) {
      return add(d(o));
    }

    Num sub(double o) {
      return sub(d(o));
    }

    Num mul(double o) {
      return mul(d(o));
    }

    /** {@code o - this}. */
    Num rsub(double o) {
      return d(o).sub(this);
    }

    /** {@code o * this}. */
    Num rmul(double o) {
      return d(o).mul(this);
    }

    /** {@code o / this}; a tensor's {@code __rtruediv__} is {@code reciprocal() * o}. */
    Num rdiv(double o) {
      return d(o).div(this);
    }

    Num neg() {
      return new Num(-v, tensor, wide);
    }

    Num abs() {
      return new Num(Math.abs(v), tensor, wide);
    }

    Num sqrt() {
      return narrow() ? f((float) Math.sqrt((float) v)) : new Num(Math.sqrt(v), tensor, wide);
    }

    Num square() {
      return narrow() ? f((float) v * (float) v) : new Num(v * v, tensor, wide);
    }

    /** {@code this < o}, compared in float32 when either is a float32 tensor. */
    boolean lt(Num o) {
      return narrow() || o.narrow() ? (float) v < (float) o.v : v < o.v;
    }

    boolean le(Num o) {
      return narrow() || o.narrow() ? (float) v <= (float) o.v : v <= o.v;
    }

    boolean gt(Num o) {
      return o.lt(this);
    }

    boolean ge(Num o) {
      return o.le(this);
    }

    /** Python's {@code max(a, b)}: {@code a} unless {@code b > a}. */
    static Num max(Num a, Num b) {
      return b.gt(a) ? b : a;
    }

    /** Python's {@code min(a, b)}: {@code a} unless {@code b < a}. */
    static Num min(Num a, Num b) {
      return b.lt(a) ? b : a;
    }

    float f() {
      return (float) v;
    }

    /** For the optimizer's state: {value, kind} with kind 0 a Python float, 1 a float32 tensor, 2 a float64 one. */
    double[] save() {
      return new double[] {v, tensor ? (wide ? 2 : 1) : 0};
    }

    /** The inverse of {@link #save}, or {@code null}. */
    static Num load(Object saved) {
      if (!(saved instanceof double[] a)) {
        return null;
      }
      return new Num(a[0], a[1] != 0, a[1] == 2);
    }
  }

  // --------------------------------------------------------------------------------------------
  // Flat vectors: PyTorch's flat 1-D tensors in the parameters' dtype. In float32 every operation rounds to
  // float as PyTorch's float32 kernels do (dot products summed left to right, add_ with alpha as one FMA);
  // in float64 the same operations in double. Their scalars (dot products, norms) are 0-d tensors of the same
  // dtype (Num.f, Num.t64).

  /** A flat vector of the parameters' dtype. */
  sealed interface Vec permits F32, F64 {
    /** {@code this.dot(o)}, a 0-d tensor. */
    Num dot(Vec o);

    /** {@code this.abs().max()}. */
    Num absMax();

    /** {@code this.abs().sum()}. */
    Num absSum();

    /** {@code this * s} ({@code s} rounded to the dtype). */
    Vec scaled(Num s);

    /** {@code this - o}. */
    Vec minus(Vec o);

    /** {@code this.add_(x, alpha=a)}, one FMA per element. */
    void addInPlace(Num a, Vec x);

    /** A copy ({@code clone()}). */
    Vec copy();

    /** The elements, for the optimizer's state. */
    Object array();
  }

  /** A float32 flat vector. */
  record F32(float[] a) implements Vec {
    @Override
    public Num dot(Vec o) {
      return Num.f(LBFGS.dot(a, ((F32) o).a));
    }

    @Override
    public Num absMax() {
      return Num.f(LBFGS.absMax(a));
    }

    @Override
    public Num absSum() {
      return Num.f(LBFGS.absSum(a));
    }

    @Override
    public Vec scaled(Num s) {
      return new F32(LBFGS.scaled(a, s.f()));
    }

    @Override
    public Vec minus(Vec o) {
      float[] b = ((F32) o).a;
      float[] out = new float[a.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = a[i] - b[i];
      }
      return new F32(out);
    }

    @Override
    public void addInPlace(Num alpha, Vec x) {
      float s = alpha.f();
      float[] b = ((F32) x).a;
      for (int k = 0; k < a.length; k++) {
        a[k] = Math.fma(s, b[k], a[k]);
      }
    }

    @Override
    public Vec copy() {
      return new F32(a.clone());
    }

    @Override
    public Object array() {
      return a;
    }
  }

  /** A float64 flat vector. */
  record F64(double[] a) implements Vec {
    @Override
    public Num dot(Vec o) {
      double[] b = ((F64) o).a;
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        s += a[i] * b[i];
      }
      return Num.t64(s);
    }

    @Override
    public Num absMax() {
      double m = Math.abs(a[0]);
      for (double v : a) {
        double x = Math.abs(v);
        if (x > m || Double.isNaN(x)) {
          m = x;
        }
      }
      return Num.t64(m);
    }

    @Override
    public Num absSum() {
      double s = 0;
      for (double v : a) {
        s += Math.abs(v);
      }
      return Num.t64(s);
    }

    @Override
    public Vec scaled(Num s) {
      double[] out = new double[a.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = a[i] * s.v();
      }
      return new F64(out);
    }

    @Override
    public Vec minus(Vec o) {
      double[] b = ((F64) o).a;
      double[] out = new double[a.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = a[i] - b[i];
      }
      return new F64(out);
    }

    @Override
    public void addInPlace(Num alpha, Vec x) {
      double[] b = ((F64) x).a;
      for (int k = 0; k < a.length; k++) {
        a[k] = Math.fma(alpha.v(), b[k], a[k]);
      }
    }

    @Override
    public Vec copy() {
      return new F64(a.clone());
    }

    @Override
    public Object array() {
      return a;
    }
  }

  /** A state array as a flat vector ({@code null} stays null). */
  private static Vec vec(Object a) {
    return a == null ? null : a instanceof double[] d ? new F64(d) : new F32((float[]) a);
  }

  /** Whether the parameters are float64 (all of them; a mix is refused, as PyTorch's torch.cat of them would). */
  private boolean float64() {
    Tensor.DType first = params.get(0).dtype();
    for (Tensor p : params) {
      if (p.dtype() != first) {
        throw new IllegalArgumentException("LBFGS: the parameters mix " + first + " and " + p.dtype()
            + "; LBFGS treats them as one flat vector, so they must share a dtype");
      }
    }
    return first == Tensor.DType.FLOAT64;
  }

  private int numel() {
    int n = 0;
    for (Tensor p : params) {
      n += p.numel();
    }
    return n;
  }

  private Vec gatherFlatGrad() {
    if (float64) {
      double[] flat = new double[numel()];
      int off = 0;
      for (Tensor p : params) {
        if (p.grad() != null) {
          System.arraycopy(p.grad().storageF64(), 0, flat, off, p.numel());
        }
        off += p.numel();
      }
      return new F64(flat);
    }
    float[] flat = new float[numel()];
    int off = 0;
    for (Tensor p : params) {
      if (p.grad() != null) {
        System.arraycopy(p.grad().storage(), 0, flat, off, p.numel());
      }
      off += p.numel();
    }
    return new F32(flat);
  }

  /** {@code p.add_(update, alpha=stepSize)} for every parameter. */
  private void addGrad(Num stepSize, Vec update) {
    int off = 0;
    for (Tensor p : params) {
      if (update instanceof F64 u) {
        double a = stepSize.v();
        double[] d = p.mutableStorageF64("LBFGS.step");
        for (int i = 0; i < d.length; i++) {
          d[i] = Math.fma(a, u.a()[off + i], d[i]);
        }
        off += d.length;
      } else {
        float a = stepSize.f();
        float[] u = ((F32) update).a();
        float[] d = p.mutableStorage("LBFGS.step");
        for (int i = 0; i < d.length; i++) {
          d[i] = Math.fma(a, u[off + i], d[i]);
        }
        off += d.length;
      }
      p.bumpVersion();
    }
  }

  private List<Object> cloneParams() {
    List<Object> out = new ArrayList<>();
    for (Tensor p : params) {
      out.add(float64 ? p.storageF64().clone() : p.storage().clone());
    }
    return out;
  }

  private void setParams(List<Object> data) {
    for (int i = 0; i < params.size(); i++) {
      Tensor p = params.get(i);
      if (data.get(i) instanceof double[] src) {
        System.arraycopy(src, 0, p.mutableStorageF64("LBFGS.step"), 0, src.length);
      } else {
        float[] src = (float[]) data.get(i);
        System.arraycopy(src, 0, p.mutableStorage("LBFGS.step"), 0, src.length);
      }
      p.bumpVersion();
    }
  }

  /** {@code a.dot(b)} in float32, summed left to right. */
  static float dot(float[] a, float[] b) {
    float s = 0f;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static float absMax(float[] a) {
    float m = Math.abs(a[0]);
    for (float v : a) {
      float x = Math.abs(v);
      if (x > m || Float.isNaN(x)) {
        m = x;
      }
    }
    return m;
  }

  static float absSum(float[] a) {
    float s = 0f;
    for (float v : a) {
      s += Math.abs(v);
    }
    return s;
  }

  static float[] scaled(float[] a, float s) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] * s;
    }
    return out;
  }

  private static double lossValue(Tensor loss) {
    if (loss == null) {
      throw new IllegalStateException("LBFGS: the closure returned null; it must return the loss");
    }
    return loss.itemDouble();
  }

  private double evaluate(Closure closure) {
    try (var g = Autograd.enableGrad()) {
      return lossValue(closure.call());
    }
  }

  /** A line-search trial point: the loss {@code f}, the flat gradient {@code g} and {@code gtd = g.dot(d)}. */
  private record Trial(Num f, Vec g, Num gtd) {}

  /**
   * The trial at {@code x + t d} (PyTorch's {@code _directional_evaluate} and the {@code gtd_new} that
   * follows each call); the parameters are restored to {@code x}.
   */
  private Trial directionalEvaluate(Closure closure, List<Object> x, Num t, Vec d) {
    addGrad(t, d);
    double loss = evaluate(closure);
    Vec flatGrad = gatherFlatGrad();
    setParams(x);
    return new Trial(Num.d(loss), flatGrad, flatGrad.dot(d));
  }

  /** Whether the step in progress is in float64 (decided at its start from the parameters' dtype). */
  private boolean float64;

  @Override
  public Tensor step(Closure closure) {
    if (closure == null) {
      return step();
    }
    ParamGroup group = paramGroups().get(0);
    double lr = group.lr();
    int maxIter = group.getInt("max_iter");
    int maxEval = group.getInt("max_eval");
    double toleranceGrad = group.getDouble("tolerance_grad");
    double toleranceChange = group.getDouble("tolerance_change");
    boolean lineSearch = "strong_wolfe".equals(group.get("line_search_fn"));
    int historySize = group.getInt("history_size");
    float64 = float64();

    Map<String, Object> state = stateOf(params.get(0));
    state.putIfAbsent("func_evals", 0L);
    state.putIfAbsent("n_iter", 0L);
    if (state.get("d") != null && (state.get("d") instanceof double[]) != float64) {
      throw new IllegalStateException("LBFGS: the state was made for " + (float64 ? "FLOAT32" : "FLOAT64")
          + " parameters, which are now " + (float64 ? "FLOAT64" : "FLOAT32") + " (converted, e.g. by Module.to, "
          + "after this optimizer stepped them); build the optimizer after converting the module");
    }

    Tensor origLoss;
    try (var g = Autograd.enableGrad()) {
      origLoss = closure.call();
    }
    double loss = lossValue(origLoss);
    int currentEvals = 1;
    state.put("func_evals", (Long) state.get("func_evals") + 1);
    try (var noGrad = Autograd.noGrad()) {
      Vec flatGrad = gatherFlatGrad();
      boolean optCond = flatGrad.absMax().le(Num.d(toleranceGrad));
      if (optCond) {
        return origLoss;
      }
      Vec d = vec(state.get("d"));
      Num t = Num.load(state.get("t"));
      List<Vec> oldDirs = listState(state, "old_dirs");
      List<Vec> oldStps = listState(state, "old_stps");
      List<Num> ro = numList(state.get("ro"), float64);
      Num hDiag = state.get("H_diag") != null ? Num.load(state.get("H_diag")) : Num.d(1);
      Vec prevFlatGrad = vec(state.get("prev_flat_grad"));
      double prevLoss = state.get("prev_loss") instanceof Double pl ? pl : Double.NaN;

      int nIter = 0;
      while (nIter < maxIter) {
        nIter++;
        long stateIter = (Long) state.get("n_iter") + 1;
        state.put("n_iter", stateIter);

        if (stateIter == 1) {
          d = flatGrad.scaled(Num.d(-1));
          oldDirs = new ArrayList<>();
          oldStps = new ArrayList<>();
          ro = new ArrayList<>();
          hDiag = Num.d(1);
        } else {
          Vec y = flatGrad.minus(prevFlatGrad);
          Vec s = d.scaled(t);
          Num ys = y.dot(s);
          if (ys.gt(Num.d(1e-10))) {
            if (oldDirs.size() == historySize) {
              oldDirs.remove(0);
              oldStps.remove(0);
              ro.remove(0);
            }
            oldDirs.add(y);
            oldStps.add(s);
            ro.add(ys.rdiv(1.));
            hDiag = ys.div(y.dot(y));
          }
          int numOld = oldDirs.size();
          Num[] al = new Num[historySize];
          Vec q = flatGrad.scaled(Num.d(-1));
          for (int i = numOld - 1; i >= 0; i--) {
            al[i] = oldStps.get(i).dot(q).mul(ro.get(i));
            q.addInPlace(al[i].neg(), oldDirs.get(i));
          }
          Vec r = q.scaled(hDiag);
          for (int i = 0; i < numOld; i++) {
            Num be = oldDirs.get(i).dot(r).mul(ro.get(i));
            r.addInPlace(al[i].sub(be), oldStps.get(i));
          }
          d = r;
        }
        prevFlatGrad = flatGrad.copy();
        prevLoss = loss;

        if (stateIter == 1) {
          Num inv = flatGrad.absSum().rdiv(1.);
          t = Num.min(Num.d(1.), inv).mul(lr);
        } else {
          t = Num.d(lr);
        }
        Num gtd = flatGrad.dot(d);
        if (gtd.gt(Num.d(-toleranceChange))) {
          break;
        }

        int lsFuncEvals = 0;
        if (lineSearch) {
          List<Object> xInit = cloneParams();
          Object[] res = strongWolfe(closure, xInit, t, d, loss, flatGrad, gtd, toleranceChange);
          loss = (Double) res[0];
          flatGrad = (Vec) res[1];
          t = (Num) res[2];
          lsFuncEvals = (Integer) res[3];
          addGrad(t, d);
          optCond = flatGrad.absMax().le(Num.d(toleranceGrad));
        } else {
          addGrad(t, d);
          if (nIter != maxIter) {
            loss = evaluate(closure);
            flatGrad = gatherFlatGrad();
            optCond = flatGrad.absMax().le(Num.d(toleranceGrad));
            lsFuncEvals = 1;
          }
        }
        currentEvals += lsFuncEvals;
        state.put("func_evals", (Long) state.get("func_evals") + lsFuncEvals);

        if (nIter == maxIter) {
          break;
        }
        if (currentEvals >= maxEval) {
          break;
        }
        if (optCond) {
          break;
        }
        if (d.scaled(t).absMax().le(Num.d(toleranceChange))) {
          break;
        }
        if (Math.abs(loss - prevLoss) < toleranceChange) {
          break;
        }
      }
      state.put("d", d.array());
      state.put("t", t.save());
      state.put("old_dirs", arrays(oldDirs));
      state.put("old_stps", arrays(oldStps));
      double[] ros = new double[ro.size()];
      for (int i = 0; i < ros.length; i++) {
        ros[i] = ro.get(i).v();
      }
      state.put("ro", ros);
      state.put("H_diag", hDiag.save());
      state.put("prev_flat_grad", prevFlatGrad.array());
      state.put("prev_loss", prevLoss);
    }
    return origLoss;
  }

  private static List<Object> arrays(List<Vec> vs) {
    List<Object> out = new ArrayList<>();
    for (Vec v : vs) {
      out.add(v.array());
    }
    return out;
  }

  private static List<Vec> listState(Map<String, Object> state, String key) {
    Object v = state.get(key);
    if (v == null) {
      return null;
    }
    List<Vec> out = new ArrayList<>();
    for (Object a : (List<?>) v) {
      out.add(vec(a));
    }
    return out;
  }

  /** The curvatures: 0-d tensors of the parameters' dtype. */
  private static List<Num> numList(Object v, boolean float64) {
    List<Num> out = new ArrayList<>();
    if (v instanceof double[] a) {
      for (double x : a) {
        out.add(float64 ? Num.t64(x) : Num.f((float) x));
      }
    }
    return out;
  }

  // --------------------------------------------------------------------------------------------
  // Line search (torch/optim/lbfgs.py _cubic_interpolate and _strong_wolfe)

  static Num cubicInterpolate(Num x1, Num f1, Num g1, Num x2, Num f2, Num g2, Num[] bounds) {
    Num xminBound;
    Num xmaxBound;
    if (bounds != null) {
      xminBound = bounds[0];
      xmaxBound = bounds[1];
    } else if (x1.le(x2)) {
      xminBound = x1;
      xmaxBound = x2;
    } else {
      xminBound = x2;
      xmaxBound = x1;
    }
    Num d1 = g1.add(g2).sub(f1.sub(f2).rmul(3).div(x1.sub(x2)));
    Num d2Square = d1.square().sub(g1.mul(g2));
    if (d2Square.ge(Num.d(0))) {
      Num d2 = d2Square.sqrt();
      Num minPos;
      if (x1.le(x2)) {
        minPos = x2.sub(x2.sub(x1).mul(g2.add(d2).sub(d1).div(g2.sub(g1).add(d2.rmul(2)))));
      } else {
        minPos = x1.sub(x1.sub(x2).mul(g1.add(d2).sub(d1).div(g1.sub(g2).add(d2.rmul(2)))));
      }
      return Num.min(Num.max(minPos, xminBound), xmaxBound);
    }
    return xminBound.add(xmaxBound).div(Num.d(2.));
  }

  private Object[] strongWolfe(Closure closure, List<Object> x, Num t, Vec d, double f, Vec g, Num gtd,
      double toleranceChange) {
    final double c1 = 1e-4;
    final double c2 = 0.9;
    final int maxLs = 25;
    Num dNorm = d.absMax();
    g = g.copy();
    Trial next = directionalEvaluate(closure, x, t, d);
    int lsFuncEvals = 1;
    Num fN = Num.d(f);

    Num tPrev = Num.d(0);
    Num fPrev = fN;
    Vec gPrev = g;
    Num gtdPrev = gtd;
    boolean done = false;
    int lsIter = 0;
    List<Num> bracket = null;
    List<Num> bracketF = null;
    List<Vec> bracketG = null;
    List<Num> bracketGtd = null;
    while (lsIter < maxLs) {
      if (next.f().gt(fN.add(t.rmul(c1).mul(gtd))) || (lsIter > 1 && next.f().ge(fPrev))) {
        bracket = new ArrayList<>(List.of(tPrev, t));
        bracketF = new ArrayList<>(List.of(fPrev, next.f()));
        bracketG = new ArrayList<>(List.of(gPrev, next.g().copy()));
        bracketGtd = new ArrayList<>(List.of(gtdPrev, next.gtd()));
        break;
      }
      if (next.gtd().abs().le(gtd.rmul(-c2))) {
        bracket = new ArrayList<>(List.of(t));
        bracketF = new ArrayList<>(List.of(next.f()));
        bracketG = new ArrayList<>(List.of(next.g()));
        done = true;
        break;
      }
      if (next.gtd().ge(Num.d(0))) {
        bracket = new ArrayList<>(List.of(tPrev, t));
        bracketF = new ArrayList<>(List.of(fPrev, next.f()));
        bracketG = new ArrayList<>(List.of(gPrev, next.g().copy()));
        bracketGtd = new ArrayList<>(List.of(gtdPrev, next.gtd()));
        break;
      }
      Num minStep = t.add(t.sub(tPrev).rmul(0.01));
      Num maxStep = t.mul(10);
      Num tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, next.f(), next.gtd(), new Num[] {minStep, maxStep});
      tPrev = tmp;
      fPrev = next.f();
      gPrev = next.g().copy();
      gtdPrev = next.gtd();
      next = directionalEvaluate(closure, x, t, d);
      lsFuncEvals++;
      lsIter++;
    }
    if (lsIter == maxLs) {
      bracket = new ArrayList<>(List.of(Num.d(0), t));
      bracketF = new ArrayList<>(List.of(fN, next.f()));
      bracketG = new ArrayList<>(List.of(g, next.g()));
      // PyTorch leaves bracket_gtd unset here; the zoom below then fails in Python. Keep the last values.
      bracketGtd = new ArrayList<>(List.of(gtd, next.gtd()));
    }

    boolean insufProgress = false;
    int lowPos = bracketF.get(0).le(bracketF.get(bracketF.size() - 1)) ? 0 : 1;
    int highPos = 1 - lowPos;
    while (!done && lsIter < maxLs) {
      if (bracket.get(1).sub(bracket.get(0)).abs().mul(dNorm).lt(Num.d(toleranceChange))) {
        break;
      }
      t = cubicInterpolate(bracket.get(0), bracketF.get(0), bracketGtd.get(0), bracket.get(1), bracketF.get(1),
          bracketGtd.get(1), null);
      Num bMax = Num.max(bracket.get(0), bracket.get(1));
      Num bMin = Num.min(bracket.get(0), bracket.get(1));
      Num eps = bMax.sub(bMin).rmul(0.1);
      if (Num.min(bMax.sub(t), t.sub(bMin)).lt(eps)) {
        if (insufProgress || t.ge(bMax) || t.le(bMin)) {
          if (t.sub(bMax).abs().lt(t.sub(bMin).abs())) {
            t = bMax.sub(eps);
          } else {
            t = bMin.add(eps);
          }
          insufProgress = false;
        } else {
          insufProgress = true;
        }
      } else {
        insufProgress = false;
      }
      next = directionalEvaluate(closure, x, t, d);
      lsFuncEvals++;
      lsIter++;

      if (next.f().gt(fN.add(t.rmul(c1).mul(gtd))) || next.f().ge(bracketF.get(lowPos))) {
        bracket.set(highPos, t);
        bracketF.set(highPos, next.f());
        bracketG.set(highPos, next.g().copy());
        bracketGtd.set(highPos, next.gtd());
        lowPos = bracketF.get(0).le(bracketF.get(1)) ? 0 : 1;
        highPos = 1 - lowPos;
      } else {
        if (next.gtd().abs().le(gtd.rmul(-c2))) {
          done = true;
        } else if (next.gtd().mul(bracket.get(highPos).sub(bracket.get(lowPos))).ge(Num.d(0))) {
          bracket.set(highPos, bracket.get(lowPos));
          bracketF.set(highPos, bracketF.get(lowPos));
          bracketG.set(highPos, bracketG.get(lowPos));
          bracketGtd.set(highPos, bracketGtd.get(lowPos));
        }
        bracket.set(lowPos, t);
        bracketF.set(lowPos, next.f());
        bracketG.set(lowPos, next.g().copy());
        bracketGtd.set(lowPos, next.gtd());
      }
    }
    t = bracket.get(lowPos);
    return new Object[] {bracketF.get(lowPos).v(), bracketG.get(lowPos), t, lsFuncEvals};
  }
}
