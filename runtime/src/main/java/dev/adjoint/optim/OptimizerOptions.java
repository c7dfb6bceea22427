package dev.adjoint.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default options of an optimizer, built fluently ({@code Adam.options().lr(1e-2).amsgrad(true)}).
 * Each optimizer has a nested {@code Options} subclass with one setter per PyTorch keyword argument, in
 * camelCase; the values are stored under PyTorch's names and validated when the optimizer is built.
 *
 * <p>Options that several optimizers share ({@code betas}, {@code eps}, {@code weight_decay}, {@code
 * momentum}, {@code maximize}) have their setter and its documentation once, in the nested interfaces
 * below; an optimizer's {@code Options} implements exactly the ones the optimizer has (so {@code
 * SGD.options()} has {@code momentum(...)} but no {@code eps(...)}), and declares its own options
 * itself. What an option means in the update is in each optimizer's class documentation.
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

  /**
   * What the interfaces below build on: {@link OptimizerOptions#set}, which every options class
   * inherits.
   *
   * @param <O> the concrete options type, returned by the setters
   */
  public interface Setter<O extends OptimizerOptions<O>> {
    /** Sets an option by its PyTorch name. */
    O set(String name, Object value);
  }

  /** The option {@code betas} of Adam, AdamW, Adamax, NAdam and RAdam. */
  public interface Betas<O extends OptimizerOptions<O>> extends Setter<O> {
    /**
     * Coefficients of the running averages of the gradient and of its square (Adamax: of its infinity
     * norm), PyTorch's {@code betas=(beta1, beta2)}; each must be in [0, 1).
     */
    default O betas(double beta1, double beta2) {
      return set("betas", new double[] {beta1, beta2});
    }
  }

  /** The option {@code eps} of the adaptive optimizers. */
  public interface Eps<O extends OptimizerOptions<O>> extends Setter<O> {
    /**
     * A small term (>= 0) added for numerical stability: to the denominator, to {@code |g|} in Adamax,
     * inside the square roots in Adadelta (see each optimizer's formula).
     */
    default O eps(double v) {
      return set("eps", v);
    }
  }

  /** The option {@code weight_decay}. */
  public interface WeightDecay<O extends OptimizerOptions<O>> extends Setter<O> {
    /**
     * Weight decay (>= 0): an L2 penalty, {@code g = g + weight_decay * p}, except in AdamW where it is
     * decoupled, {@code p = p * (1 - lr * weight_decay)}. Default 0 (AdamW: 1e-2).
     */
    default O weightDecay(double v) {
      return set("weight_decay", v);
    }
  }

  /** The option {@code momentum} of SGD and RMSprop. */
  public interface Momentum<O extends OptimizerOptions<O>> extends Setter<O> {
    /** Momentum factor (>= 0, default 0: no momentum buffer). */
    default O momentum(double v) {
      return set("momentum", v);
    }
  }

  /** The option {@code maximize} (PyTorch 1.13 has it for all but NAdam, RAdam and LBFGS). */
  public interface Maximize<O extends OptimizerOptions<O>> extends Setter<O> {
    /** Maximize the objective instead of minimizing it (default false): the gradient's sign is flipped. */
    default O maximize(boolean v) {
      return set("maximize", v);
    }
  }
}
