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
 * arithmetic mirrors PyTorch's, including which scalars are float32 0-d tensors (dot products, the
 * curvature pairs, the step length on the first iteration) and which are Python doubles (losses).
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
  // Scalars as Python sees them: a double, or a float32 0-d tensor (where arithmetic rounds to float).

  /** A Python float ({@code tensor == false}) or a float32 0-d tensor. */
  record Num(double v, boolean tensor) {
    static Num d(double v) {
      return new Num(v, false);
    }

    static Num f(float v) {
      return new Num(v, true);
    }

    private static Num op(Num a, Num b, char o) {
      if (a.tensor || b.tensor) {
        float x = (float) a.v;
        float y = (float) b.v;
        float r = switch (o) {
          case '+' -> x + y;
          case '-' -> x - y;
          case '*' -> x * y;
          default -> x / y;
        };
        return f(r);
      }
      double r = switch (o) {
        case '+' -> a.v + b.v;
        case '-' -> a.v - b.v;
        case '*' -> a.v * b.v;
        default -> a.v / b.v;
      };
      return d(r);
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
      return tensor ? f((1f / (float) v) * (float) o) : d(o / v);
    }

    Num neg() {
      return new Num(-v, tensor);
    }

    Num abs() {
      return new Num(Math.abs(v), tensor);
    }

    Num sqrt() {
      return tensor ? f((float) Math.sqrt((float) v)) : d(Math.sqrt(v));
    }

    Num square() {
      return tensor ? f((float) v * (float) v) : d(v * v);
    }

    /** {@code this < o}, compared in float32 when either is a tensor. */
    boolean lt(Num o) {
      return tensor || o.tensor ? (float) v < (float) o.v : v < o.v;
    }

    boolean le(Num o) {
      return tensor || o.tensor ? (float) v <= (float) o.v : v <= o.v;
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
  }

  // --------------------------------------------------------------------------------------------
  // Flat vectors

  private int numel() {
    int n = 0;
    for (Tensor p : params) {
      n += p.numel();
    }
    return n;
  }

  private float[] gatherFlatGrad() {
    float[] flat = new float[numel()];
    int off = 0;
    for (Tensor p : params) {
      if (p.grad() != null) {
        System.arraycopy(p.grad().storage(), 0, flat, off, p.numel());
      }
      off += p.numel();
    }
    return flat;
  }

  /** {@code p.add_(update, alpha=stepSize)} for every parameter. */
  private void addGrad(Num stepSize, float[] update) {
    float a = stepSize.f();
    int off = 0;
    for (Tensor p : params) {
      float[] d = p.mutableStorage("LBFGS.step");
      for (int i = 0; i < d.length; i++) {
        d[i] = Math.fma(a, update[off + i], d[i]);
      }
      off += d.length;
      p.bumpVersion();
    }
  }

  private List<float[]> cloneParams() {
    List<float[]> out = new ArrayList<>();
    for (Tensor p : params) {
      out.add(p.storage().clone());
    }
    return out;
  }

  private void setParams(List<float[]> data) {
    for (int i = 0; i < params.size(); i++) {
      float[] src = data.get(i);
      System.arraycopy(src, 0, params.get(i).mutableStorage("LBFGS.step"), 0, src.length);
      params.get(i).bumpVersion();
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
    return loss.item();
  }

  private double evaluate(Closure closure) {
    try (var g = Autograd.enableGrad()) {
      return lossValue(closure.call());
    }
  }

  /** A line-search trial point: the loss {@code f}, the flat gradient {@code g} and {@code gtd = g.dot(d)}. */
  private record Trial(Num f, float[] g, Num gtd) {}

  /**
   * The trial at {@code x + t d} (PyTorch's {@code _directional_evaluate} and the {@code gtd_new} that
   * follows each call); the parameters are restored to {@code x}.
   */
  private Trial directionalEvaluate(Closure closure, List<float[]> x, Num t, float[] d) {
    addGrad(t, d);
    double loss = evaluate(closure);
    float[] flatGrad = gatherFlatGrad();
    setParams(x);
    return new Trial(Num.d(loss), flatGrad, Num.f(dot(flatGrad, d)));
  }

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

    Map<String, Object> state = stateOf(params.get(0));
    state.putIfAbsent("func_evals", 0L);
    state.putIfAbsent("n_iter", 0L);

    Tensor origLoss;
    try (var g = Autograd.enableGrad()) {
      origLoss = closure.call();
    }
    double loss = lossValue(origLoss);
    int currentEvals = 1;
    state.put("func_evals", (Long) state.get("func_evals") + 1);
    try (var noGrad = Autograd.noGrad()) {
      float[] flatGrad = gatherFlatGrad();
      boolean optCond = absMax(flatGrad) <= (float) toleranceGrad;
      if (optCond) {
        return origLoss;
      }
      float[] d = (float[]) state.get("d");
      Num t = state.get("t") instanceof double[] tt ? new Num(tt[0], tt[1] != 0) : null;
      List<float[]> oldDirs = listState(state, "old_dirs");
      List<float[]> oldStps = listState(state, "old_stps");
      List<Num> ro = numList(state.get("ro"));
      Num hDiag = state.get("H_diag") instanceof double[] h ? new Num(h[0], h[1] != 0) : Num.d(1);
      float[] prevFlatGrad = (float[]) state.get("prev_flat_grad");
      double prevLoss = state.get("prev_loss") instanceof Double pl ? pl : Double.NaN;

      int nIter = 0;
      while (nIter < maxIter) {
        nIter++;
        long stateIter = (Long) state.get("n_iter") + 1;
        state.put("n_iter", stateIter);

        if (stateIter == 1) {
          d = scaled(flatGrad, -1f);
          oldDirs = new ArrayList<>();
          oldStps = new ArrayList<>();
          ro = new ArrayList<>();
          hDiag = Num.d(1);
        } else {
          float[] y = new float[flatGrad.length];
          for (int i = 0; i < y.length; i++) {
            y[i] = flatGrad[i] - prevFlatGrad[i];
          }
          float[] s = scaled(d, t.f());
          float ys = dot(y, s);
          if (ys > (float) 1e-10) {
            if (oldDirs.size() == historySize) {
              oldDirs.remove(0);
              oldStps.remove(0);
              ro.remove(0);
            }
            oldDirs.add(y);
            oldStps.add(s);
            ro.add(Num.f(1f / ys));
            hDiag = Num.f(ys / dot(y, y));
          }
          int numOld = oldDirs.size();
          float[] al = new float[historySize];
          float[] q = scaled(flatGrad, -1f);
          for (int i = numOld - 1; i >= 0; i--) {
            al[i] = dot(oldStps.get(i), q) * ro.get(i).f();
            float a = -al[i];
            float[] od = oldDirs.get(i);
            for (int k = 0; k < q.length; k++) {
              q[k] = Math.fma(a, od[k], q[k]);
            }
          }
          float[] r = scaled(q, hDiag.f());
          for (int i = 0; i < numOld; i++) {
            float be = dot(oldDirs.get(i), r) * ro.get(i).f();
            float a = al[i] - be;
            float[] os = oldStps.get(i);
            for (int k = 0; k < r.length; k++) {
              r[k] = Math.fma(a, os[k], r[k]);
            }
          }
          d = r;
        }
        prevFlatGrad = flatGrad.clone();
        prevLoss = loss;

        if (stateIter == 1) {
          Num inv = Num.f(absSum(flatGrad)).rdiv(1.);
          t = Num.min(Num.d(1.), inv).mul(lr);
        } else {
          t = Num.d(lr);
        }
        float gtd = dot(flatGrad, d);
        if (gtd > (float) -toleranceChange) {
          break;
        }

        int lsFuncEvals = 0;
        if (lineSearch) {
          List<float[]> xInit = cloneParams();
          Object[] res = strongWolfe(closure, xInit, t, d, loss, flatGrad, Num.f(gtd), toleranceChange);
          loss = (Double) res[0];
          flatGrad = (float[]) res[1];
          t = (Num) res[2];
          lsFuncEvals = (Integer) res[3];
          addGrad(t, d);
          optCond = absMax(flatGrad) <= (float) toleranceGrad;
        } else {
          addGrad(t, d);
          if (nIter != maxIter) {
            loss = evaluate(closure);
            flatGrad = gatherFlatGrad();
            optCond = absMax(flatGrad) <= (float) toleranceGrad;
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
        if (absMax(scaled(d, t.f())) <= (float) toleranceChange) {
          break;
        }
        if (Math.abs(loss - prevLoss) < toleranceChange) {
          break;
        }
      }
      state.put("d", d);
      state.put("t", new double[] {t.v(), t.tensor() ? 1 : 0});
      state.put("old_dirs", oldDirs);
      state.put("old_stps", oldStps);
      double[] ros = new double[ro.size()];
      for (int i = 0; i < ros.length; i++) {
        ros[i] = ro.get(i).v();
      }
      state.put("ro", ros);
      state.put("H_diag", new double[] {hDiag.v(), hDiag.tensor() ? 1 : 0});
      state.put("prev_flat_grad", prevFlatGrad);
      state.put("prev_loss", prevLoss);
    }
    return origLoss;
  }

  @SuppressWarnings("unchecked")
  private static List<float[]> listState(Map<String, Object> state, String key) {
    Object v = state.get(key);
    return v == null ? null : new ArrayList<>((List<float[]>) v);
  }

  private static List<Num> numList(Object v) {
    List<Num> out = new ArrayList<>();
    if (v instanceof double[] a) {
      for (double x : a) {
        out.add(Num.f((float) x));
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

  private Object[] strongWolfe(Closure closure, List<float[]> x, Num t, float[] d, double f, float[] g, Num gtd,
      double toleranceChange) {
    final double c1 = 1e-4;
    final double c2 = 0.9;
    final int maxLs = 25;
    Num dNorm = Num.f(absMax(d));
    g = g.clone();
    Trial next = directionalEvaluate(closure, x, t, d);
    int lsFuncEvals = 1;
    Num fN = Num.d(f);

    Num tPrev = Num.d(0);
    Num fPrev = fN;
    float[] gPrev = g;
    Num gtdPrev = gtd;
    boolean done = false;
    int lsIter = 0;
    List<Num> bracket = null;
    List<Num> bracketF = null;
    List<float[]> bracketG = null;
    List<Num> bracketGtd = null;
    while (lsIter < maxLs) {
      if (next.f().gt(fN.add(t.rmul(c1).mul(gtd))) || (lsIter > 1 && next.f().ge(fPrev))) {
        bracket = new ArrayList<>(List.of(tPrev, t));
        bracketF = new ArrayList<>(List.of(fPrev, next.f()));
        bracketG = new ArrayList<>(List.of(gPrev, next.g().clone()));
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
        bracketG = new ArrayList<>(List.of(gPrev, next.g().clone()));
        bracketGtd = new ArrayList<>(List.of(gtdPrev, next.gtd()));
        break;
      }
      Num minStep = t.add(t.sub(tPrev).rmul(0.01));
      Num maxStep = t.mul(10);
      Num tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, next.f(), next.gtd(), new Num[] {minStep, maxStep});
      tPrev = tmp;
      fPrev = next.f();
      gPrev = next.g().clone();
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
        bracketG.set(highPos, next.g().clone());
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
        bracketG.set(lowPos, next.g().clone());
        bracketGtd.set(lowPos, next.gtd());
      }
    }
    t = bracket.get(lowPos);
    return new Object[] {bracketF.get(lowPos).v(), bracketG.get(lowPos), t, lsFuncEvals};
  }
}
