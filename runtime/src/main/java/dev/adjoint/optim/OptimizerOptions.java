package dev.adjoint.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default options of an optimizer, built fluently ({@code Adam.options().lr(1e-2).amsgrad(true)}).
 * Each optimizer has a nested {@code Options} subclass with one setter per PyTorch keyword argument, in
 * camelCase; the values are stored under PyTorch's names and validated when the optimizer is built.
 *
 * @param <S> the concrete options type, returned by the setters
 */
public abstract class OptimizerOptions<S extends OptimizerOptions<S>> {
  final Map<String, Object> values = new LinkedHashMap<>();

  protected OptimizerOptions() {}

  /** Sets the learning rate. */
  public S lr(double lr) {
    return set("lr", lr);
  }

  /** Sets an option by its PyTorch name (for options without a setter). */
  @SuppressWarnings("unchecked")
  public S set(String name, Object value) {
    values.put(name, value instanceof double[] a ? a.clone() : value);
    return (S) this;
  }

  /** The options by PyTorch name (a copy). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    values.forEach((k, v) -> m.put(k, v instanceof double[] a ? a.clone() : v));
    return m;
  }
}
