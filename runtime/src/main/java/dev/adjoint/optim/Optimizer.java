package dev.adjoint.optim;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of every optimizer, PyTorch's {@code torch.optim.Optimizer}: parameter groups with
 * per-group options, per-parameter state, {@link #zeroGrad()}, {@link #step()} and state dicts.
 *
 * <p>Updates mirror PyTorch 1.13's single-tensor code paths ({@code torch/optim/*.py}) operation by
 * operation in float32, so trajectories agree with PyTorch's to the last bits: each PyTorch tensor op
 * is one float32 rounding here too; Python scalars (bias corrections, step sizes) are computed in
 * double and cast to float where PyTorch's kernels cast them; {@code add_(x, alpha)} and {@code
 * addcmul_} are fused multiply-adds as in PyTorch's CPU kernels, {@code addcdiv_} is {@code p + (v *
 * t1) / t2}. The loops run over {@link Tensor#storage()} with no allocation per step.
 *
 * <p>Parameters whose {@code grad()} is {@code null} are skipped, as in PyTorch. {@link #zeroGrad()}
 * zeroes the gradients in place (PyTorch 1.13's default, {@code set_to_none=False}), so each parameter keeps
 * one gradient buffer from step to step and the next backward writes into it; {@link #zeroGrad(boolean)
 * zeroGrad(true)} sets them to {@code null} (PyTorch 2's default).
 */
public abstract class Optimizer {
  private final String name;
  private final Map<String, Object> defaults;
  private final List<ParamGroup> groups = new ArrayList<>();
  /** Per-parameter state, keyed by identity: buffers are {@code float[]} of the parameter's size. */
  protected final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();
  private int stepCount;

  /**
   * @param name the optimizer's name for messages
   * @param params a list of {@link Tensor}s, or a list of {@link ParamGroup}s
   * @param defaults the options of groups that do not set their own
   */
  // validate() and addParamGroup() run here, as in PyTorch's constructor; subclasses keep them free of
  // their own fields (they read only the options map and the base class's groups).
  @SuppressWarnings("this-escape")
  protected Optimizer(String name, List<?> params, Map<String, Object> defaults) {
    this.name = name;
    this.defaults = defaults;
    validate(defaults, "defaults");
    if (params == null || params.isEmpty()) {
      throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
    }
    if (params.get(0) instanceof ParamGroup) {
      for (Object o : params) {
        if (!(o instanceof ParamGroup g)) {
          throw new IllegalArgumentException(name + ": params must be all Tensors or all ParamGroups, got "
              + (o == null ? "null" : o.getClass().getSimpleName()) + " among ParamGroups");
        }
        addParamGroup(g);
      }
    } else {
      List<Tensor> ts = new ArrayList<>();
      for (Object o : params) {
        if (!(o instanceof Tensor t)) {
          throw new IllegalArgumentException(name + ": params must be all Tensors or all ParamGroups, got "
              + (o == null ? "null" : o.getClass().getSimpleName()) + " among Tensors");
        }
        ts.add(t);
      }
      addParamGroup(ParamGroup.of(ts));
    }
  }

  /**
   * Adds a group (PyTorch's {@code add_param_group}): options it lacks come from the defaults; its
   * options are validated; a parameter may belong to one group only.
   */
  public void addParamGroup(ParamGroup group) {
    for (Tensor p : group.params()) {
      if (!p.isLeaf()) {
        throw new IllegalArgumentException(name + ": can't optimize a non-leaf Tensor (made by "
            + p.gradFn().name() + ", shape " + Arrays.toString(p.shape()) + ")");
      }
      for (ParamGroup g : groups) {
        for (Tensor q : g.params()) {
          if (q == p) {
            throw new IllegalArgumentException(name + ": some parameters appear in more than one parameter group");
          }
        }
      }
    }
    defaults.forEach(group::setDefault);
    validate(group.copyOptions(), "param group " + groups.size());
    groups.add(group);
  }

  /** The parameter groups (unmodifiable list; the groups' options may be changed). */
  public List<ParamGroup> paramGroups() {
    return Collections.unmodifiableList(groups);
  }

  /** The default options (a copy). */
  public Map<String, Object> defaults() {
    Map<String, Object> m = new LinkedHashMap<>();
    defaults.forEach((k, v) -> m.put(k, v instanceof double[] a ? a.clone() : v));
    return m;
  }

  /** How many times {@link #step} has run. */
  public int stepCount() {
    return stepCount;
  }

  /**
   * Zeroes every parameter's gradient in place (PyTorch 1.13's {@code zero_grad()}, {@code set_to_none=False}):
   * the gradient tensors keep their identity, and the next backward writes into them instead of allocating.
   */
  public void zeroGrad() {
    zeroGrad(false);
  }

  /**
   * PyTorch 1.13's {@code zero_grad(set_to_none=False)} of one gradient: detached from the graph that made it
   * (a createGraph backward's), then zeroed in place.
   */
  private static void zeroInPlace(Tensor grad) {
    if (grad.gradFn() != null) {
      grad.detach_();
    } else if (grad.requiresGrad()) {
      grad.requiresGrad(false);
    }
    grad.zero_();
  }

  /**
   * Clears the gradients: to {@code null} when {@code setToNull} (cheaper, and a later backward
   * allocates fresh ones), otherwise by zeroing them in place.
   */
  public void zeroGrad(boolean setToNull) {
    for (ParamGroup g : groups) {
      for (Tensor p : g.params()) {
        if (p.grad() != null) {
          if (setToNull) {
            p.setGrad(null);
          } else {
            zeroInPlace(p.grad());
          }
        }
      }
    }
  }

  /** One optimization step from the parameters' current gradients. */
  public Tensor step() {
    return step(null);
  }

  /**
   * One optimization step; if {@code closure} is not null it is called first (with grad mode on) to
   * recompute the loss and gradients, and its loss is returned.
   */
  public Tensor step(Closure closure) {
    Tensor loss = null;
    if (closure != null) {
      try (var g = Autograd.enableGrad()) {
        loss = closure.call();
      }
    }
    try (var g = Autograd.noGrad()) {
      for (ParamGroup group : groups) {
        update(group);
      }
    }
    stepCount++;
    return loss;
  }

  /** Updates the parameters of one group that have a gradient (called with grad mode off). */
  protected abstract void update(ParamGroup group);

  /** Checks the options of the defaults or of a group; throws naming the option and its value. */
  protected abstract void validate(Map<String, Object> options, String where);

  /** The state map of {@code p}, created empty on first use. */
  protected Map<String, Object> stateOf(Tensor p) {
    return state.computeIfAbsent(p, k -> new LinkedHashMap<>());
  }

  /** The float32 buffer {@code key} of {@code p}'s state, created filled with {@code init}. */
  protected float[] buffer(Map<String, Object> st, String key, Tensor p, float init) {
    Object b = st.get(key);
    if (b == null) {
      float[] a = new float[p.numel()];
      if (init != 0f) {
        Arrays.fill(a, init);
      }
      st.put(key, a);
      return a;
    }
    if (!(b instanceof float[] a)) {
      throw dtypeChanged(key, p, "float64", "FLOAT32");
    }
    return a;
  }

  /** The state was made for a parameter of the other dtype: the parameter was converted after this optimizer saw it. */
  private IllegalStateException dtypeChanged(String key, Tensor p, String state, String now) {
    return new IllegalStateException(name + ": the state '" + key + "' of a parameter of shape "
        + Arrays.toString(p.shape()) + " is " + state + " but the parameter is now " + now + " (converted, e.g. by "
        + "Module.to, after this optimizer stepped it); build the optimizer after converting the module");
  }

  /** The float64 buffer {@code key} of a FLOAT64 parameter {@code p}'s state, created filled with zeros. */
  protected double[] buffer64(Map<String, Object> st, String key, Tensor p) {
    Object b = st.computeIfAbsent(key, k -> new double[p.numel()]);
    if (!(b instanceof double[] a)) {
      throw dtypeChanged(key, p, "float32", "FLOAT64");
    }
    return a;
  }

  /** The float64 buffer {@code key} of a FLOAT64 parameter {@code p}'s state, created filled with {@code init}. */
  protected double[] buffer64(Map<String, Object> st, String key, Tensor p, double init) {
    Object b = st.get(key);
    if (b == null) {
      double[] a = new double[p.numel()];
      Arrays.fill(a, init);
      st.put(key, a);
      return a;
    }
    if (!(b instanceof double[] a)) {
      throw dtypeChanged(key, p, "float32", "FLOAT64");
    }
    return a;
  }

  /** Increments and returns the state's {@code "step"} counter. */
  protected static long nextStep(Map<String, Object> st) {
    long s = st.get("step") instanceof Long l ? l + 1 : 1;
    st.put("step", s);
    return s;
  }

  // --------------------------------------------------------------------------------------------
  // State dicts

  /** A deep copy of the state in PyTorch's layout (see {@link StateDict}). */
  public StateDict stateDict() {
    List<Map<String, Object>> gs = new ArrayList<>();
    Map<Integer, Map<String, Object>> st = new LinkedHashMap<>();
    int index = 0;
    for (ParamGroup g : groups) {
      Map<String, Object> m = g.copyOptions();
      List<Integer> ids = new ArrayList<>();
      for (Tensor p : g.params()) {
        ids.add(index);
        Map<String, Object> ps = state.get(p);
        if (ps != null) {
          Map<String, Object> copy = new LinkedHashMap<>();
          ps.forEach((k, v) -> copy.put(k, export(v, p)));
          st.put(index, copy);
        }
        index++;
      }
      m.put("params", List.copyOf(ids));
      gs.add(m);
    }
    return new StateDict(gs, st);
  }

  /**
   * Replaces the groups' options and the state by (copies of) those in {@code dict}, which must come
   * from an optimizer of the same kind with groups of the same sizes.
   */
  public void loadStateDict(StateDict dict) {
    if (dict.paramGroups().size() != groups.size()) {
      throw new IllegalArgumentException(name + ": loaded state dict has a different number of parameter groups ("
          + dict.paramGroups().size() + ", this optimizer has " + groups.size() + ")");
    }
    List<Tensor> all = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      Object ids = dict.paramGroups().get(i).get("params");
      int n = ids instanceof List<?> l ? l.size() : -1;
      if (n != groups.get(i).params().size()) {
        throw new IllegalArgumentException(name + ": loaded state dict contains a parameter group that doesn't "
            + "match the size of optimizer's group " + i + " (" + n + " vs " + groups.get(i).params().size() + ")");
      }
      all.addAll(groups.get(i).params());
    }
    for (int i = 0; i < groups.size(); i++) {
      Map<String, Object> opts = new LinkedHashMap<>(dict.paramGroups().get(i));
      opts.remove("params");
      validate(opts, "loaded param group " + i);
      ParamGroup g = groups.get(i);
      opts.forEach(g::set);
    }
    state.clear();
    dict.state().forEach((idx, ps) -> {
      if (idx < 0 || idx >= all.size()) {
        throw new IllegalArgumentException(name + ": loaded state dict has state for parameter " + idx
            + " but the optimizer has " + all.size() + " parameters");
      }
      Tensor p = all.get(idx);
      Map<String, Object> m = new LinkedHashMap<>();
      ps.forEach((k, v) -> m.put(k, importValue(v, p, k)));
      state.put(p, m);
    });
  }

  private static Object export(Object v, Tensor p) {
    if (v instanceof float[] a) {
      return Tensor.wrap(a.clone(), a.length == p.numel() ? p.shape() : new int[] {a.length});
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(export(o, p));
      }
      return out;
    }
    if (v instanceof double[] d) {
      return d.clone();
    }
    return v;
  }

  private Object importValue(Object v, Tensor p, String key) {
    if (v instanceof Tensor t) {
      if (t.numel() == p.numel() && !Arrays.equals(t.shape(), p.shape()) && t.dim() != 1) {
        throw new IllegalArgumentException(name + ": loaded state '" + key + "' has shape "
            + Arrays.toString(t.shape()) + " but the parameter has shape " + Arrays.toString(p.shape()));
      }
      return t.toFloatArray();
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(importValue(o, p, key));
      }
      return out;
    }
    if (v instanceof double[] d) {
      return d.clone();
    }
    return v;
  }

  // --------------------------------------------------------------------------------------------
  // Validation helpers: messages name the optimizer, the option and the value.

  /** The optimizer's name, e.g. {@code "Adam"}. */
  public String name() {
    return name;
  }

  protected double num(Map<String, Object> o, String key, String where) {
    Object v = o.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(name + ": option " + key + " in " + where + " must be a number, got "
          + ParamGroup.describe(v));
    }
    return n.doubleValue();
  }

  protected boolean bool(Map<String, Object> o, String key, String where) {
    Object v = o.get(key);
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException(name + ": option " + key + " in " + where + " must be a boolean, got "
          + ParamGroup.describe(v));
    }
    return b;
  }

  protected double[] pair(Map<String, Object> o, String key, String where) {
    Object v = o.get(key);
    if (!(v instanceof double[] a) || a.length != 2) {
      throw new IllegalArgumentException(name + ": option " + key + " in " + where + " must be a pair of numbers, got "
          + ParamGroup.describe(v));
    }
    return a;
  }

  /** Requires each of the options {@code keys}, in order, to be a number {@code >= 0} (NaN fails). */
  protected void requireNonNegative(Map<String, Object> o, String where, String... keys) {
    for (String key : keys) {
      double v = num(o, key, where);
      if (!(v >= 0)) {
        throw new IllegalArgumentException(name + ": invalid " + key + " value: " + v + " in " + where
            + " (must be >= 0)");
      }
    }
  }

  /** Requires each of the options {@code keys}, in order, to be a boolean. */
  protected void requireBoolean(Map<String, Object> o, String where, String... keys) {
    for (String key : keys) {
      bool(o, key, where);
    }
  }

  /** Requires {@code lo <= value <= hi} or, with {@code hiOpen}, {@code lo <= value < hi}. */
  protected void inRange(String key, double v, double lo, double hi, boolean hiOpen, String where) {
    if (!(v >= lo && (hiOpen ? v < hi : v <= hi))) {
      throw new IllegalArgumentException(name + ": invalid " + key + " value: " + v + " in " + where
          + " (must be in [" + lo + ", " + hi + (hiOpen ? "))" : "])"));
    }
  }

  /** Checks PyTorch's {@code betas}: each in [0, 1). */
  protected void betas(Map<String, Object> o, String where) {
    double[] b = pair(o, "betas", where);
    for (int i = 0; i < 2; i++) {
      if (!(b[i] >= 0 && b[i] < 1)) {
        throw new IllegalArgumentException(name + ": invalid beta parameter at index " + i + ": " + b[i]
            + " in " + where + " (betas must be in [0, 1))");
      }
    }
  }

  /** Whether the defaults have option {@code key}, so that every group has it. */
  protected boolean hasDefault(String key) {
    return defaults.containsKey(key);
  }
}
