package dev.adjoint.optim;

import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A group of parameters with its own options: PyTorch's {@code {'params': [...], 'lr': ...}} dict.
 *
 * <p>Options a group does not set are filled from the optimizer's defaults when the group is added
 * ({@link Optimizer#addParamGroup}). Options are read at every {@code step()}, so changing them (as the
 * schedulers in {@code dev.adjoint.optim.lr} do with {@code lr}) takes effect at the next step. Option
 * names are PyTorch's ({@code "lr"}, {@code "momentum"}, {@code "betas"}, {@code "weight_decay"}, ...);
 * values are {@code Double}, {@code Integer}, {@code Boolean}, {@code String}, or {@code double[]} for
 * PyTorch's tuples ({@code betas}, {@code etas}, {@code step_sizes}).
 */
public final class ParamGroup {
  private final List<Tensor> params;
  private final Map<String, Object> options = new LinkedHashMap<>();

  private ParamGroup(List<Tensor> params) {
    this.params = List.copyOf(params);
  }

  /** A group of the given parameters, with no options of its own yet. */
  public static ParamGroup of(List<Tensor> params) {
    return new ParamGroup(params);
  }

  /** A group of the given parameters, with no options of its own yet. */
  public static ParamGroup of(Tensor... params) {
    return new ParamGroup(Arrays.asList(params));
  }

  /** The parameters of this group, in order (unmodifiable). */
  public List<Tensor> params() {
    return params;
  }

  /** The learning rate ({@code group['lr']}). */
  public double lr() {
    return getDouble("lr");
  }

  /** Sets the learning rate; returns {@code this}. */
  public ParamGroup lr(double lr) {
    return set("lr", lr);
  }

  /** Sets an option (PyTorch's name, e.g. {@code "momentum"}); returns {@code this}. */
  public ParamGroup set(String name, Object value) {
    if (value instanceof double[] a) {
      value = a.clone();
    } else if (value instanceof Number n && !(value instanceof Integer)) {
      value = n.doubleValue();
    }
    options.put(name, value);
    return this;
  }

  /** Whether the option is set. */
  public boolean has(String name) {
    return options.containsKey(name);
  }

  /** The value of an option, or {@code null}. */
  public Object get(String name) {
    Object v = options.get(name);
    return v instanceof double[] a ? a.clone() : v;
  }

  /** A numeric option as a double. */
  public double getDouble(String name) {
    Object v = options.get(name);
    if (!(v instanceof Number n)) {
      throw new IllegalStateException("param group option '" + name + "' is " + describe(v) + ", not a number");
    }
    return n.doubleValue();
  }

  /** A numeric option as an int. */
  public int getInt(String name) {
    return (int) getDouble(name);
  }

  /** A boolean option. */
  public boolean getBoolean(String name) {
    Object v = options.get(name);
    if (!(v instanceof Boolean b)) {
      throw new IllegalStateException("param group option '" + name + "' is " + describe(v) + ", not a boolean");
    }
    return b;
  }

  /** A tuple option ({@code betas}, {@code etas}, {@code step_sizes}) as a copy. */
  public double[] getPair(String name) {
    Object v = options.get(name);
    if (!(v instanceof double[] a)) {
      throw new IllegalStateException("param group option '" + name + "' is " + describe(v) + ", not a tuple");
    }
    return a.clone();
  }

  /** The options (unmodifiable view; tuples are the live arrays, do not modify them). */
  public Map<String, Object> options() {
    return Collections.unmodifiableMap(options);
  }

  void setDefault(String name, Object value) {
    if (!options.containsKey(name)) {
      set(name, value);
    }
  }

  /** A copy of the options, tuples copied, for state dicts. */
  Map<String, Object> copyOptions() {
    Map<String, Object> m = new LinkedHashMap<>();
    options.forEach((k, v) -> m.put(k, v instanceof double[] a ? a.clone() : v));
    return m;
  }

  static String describe(Object v) {
    if (v == null) {
      return "missing";
    }
    return v instanceof double[] a ? Arrays.toString(a) : v + " (" + v.getClass().getSimpleName() + ")";
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    options.forEach((k, v) -> parts.add(k + "=" + (v instanceof double[] a ? Arrays.toString(a) : v)));
    return "ParamGroup(" + params.size() + " params, " + String.join(", ", parts) + ")";
  }
}
