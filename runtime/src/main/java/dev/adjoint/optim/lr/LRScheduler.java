package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of the epoch-based learning-rate schedulers, PyTorch's {@code _LRScheduler} (1.13): on
 * construction it records each group's {@code initial_lr} (the base learning rates) and makes the
 * initial step (epoch 0); each {@link #step()} advances the epoch and writes the new learning rates
 * into the optimizer's groups. Call it after {@code optimizer.step()}, once per epoch (or per batch for
 * {@link OneCycleLR}).
 *
 * <p>Subclasses give the recursive ("chainable") form {@link #computeLr()} that PyTorch's {@code
 * get_lr} uses, computed from the groups' current learning rates, so schedulers can be chained; where
 * PyTorch has a {@code _get_closed_form_lr} they give it too ({@link #closedFormLr()}), used when
 * {@link SequentialLR} restarts a scheduler at a milestone. All arithmetic is in double, as in Python.
 */
public abstract class LRScheduler {
  protected final Optimizer optimizer;
  protected double[] baseLrs;
  protected int lastEpoch;
  protected int stepCount;
  protected double[] lastLr;

  /** Sets {@code initial_lr} in each group (if absent) and makes the initial step. */
  protected LRScheduler(Optimizer optimizer) {
    this(optimizer, true);
  }

  /** With {@code initialize} false, nothing is touched (for the wrappers {@link ChainedScheduler}). */
  protected LRScheduler(Optimizer optimizer, boolean initialize) {
    if (optimizer == null) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer is null");
    }
    this.optimizer = optimizer;
    this.lastEpoch = -1;
    if (initialize) {
      initBaseLrs();
    }
  }

  /** Sets {@code initial_lr} in each group that lacks it ({@code setdefault}) and reads the base rates. */
  protected final void initBaseLrs() {
    List<ParamGroup> groups = optimizer.paramGroups();
    baseLrs = new double[groups.size()];
    for (int i = 0; i < groups.size(); i++) {
      ParamGroup g = groups.get(i);
      if (!g.has("initial_lr")) {
        g.set("initial_lr", g.lr());
      }
      baseLrs[i] = g.getDouble("initial_lr");
    }
  }

  /** PyTorch's {@code _initial_step}: resets the step counter and steps to epoch 0. */
  protected final void initialStep() {
    stepCount = 0;
    step();
  }

  /** The optimizer whose learning rates this scheduler sets. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** Advances one epoch and sets each group's learning rate. */
  public void step() {
    stepCount++;
    lastEpoch++;
    apply(computeLr());
  }

  /**
   * Jumps to {@code epoch} (PyTorch's deprecated {@code step(epoch)}): uses the closed form where
   * there is one, else the chainable form.
   */
  public void step(int epoch) {
    stepCount++;
    lastEpoch = epoch;
    double[] closed = closedFormLr();
    apply(closed != null ? closed : computeLr());
  }

  /** Writes {@code lrs} into the optimizer's groups and records them as {@link #getLastLr()}. */
  protected final void apply(double[] lrs) {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size(); i++) {
      groups.get(i).lr(lrs[i]);
    }
    lastLr = currentLrs();
  }

  /** The learning rates of the optimizer's groups now. */
  protected double[] currentLrs() {
    return lrsOf(optimizer);
  }

  /** The learning rates of {@code optimizer}'s groups now (also read by {@link ReduceLROnPlateau}). */
  static double[] lrsOf(Optimizer optimizer) {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = groups.get(i).lr();
    }
    return lrs;
  }

  /**
   * Multiplies each rate in {@code lrs} by {@code factor}, in place, and returns {@code lrs}: PyTorch's
   * {@code [lr * factor for lr in ...]}, the step of the multiplicative schedulers.
   */
  protected static double[] scale(double[] lrs, double factor) {
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = lrs[i] * factor;
    }
    return lrs;
  }

  /** Checks an integer argument that must be at least 1; throws naming the scheduler and PyTorch's name. */
  final void requirePositive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name(this) + ": invalid " + key + " value: " + value + " (must be >= 1)");
    }
  }

  /** The learning rates for {@link #lastEpoch}, from the current ones (PyTorch's {@code get_lr}). */
  protected abstract double[] computeLr();

  /** The closed form for {@link #lastEpoch}, or null if the scheduler has none. */
  protected double[] closedFormLr() {
    return null;
  }

  /** The learning rates the last step set, one per group ({@code get_last_lr()}). */
  public double[] getLastLr() {
    return lastLr.clone();
  }

  /** The current epoch (-1 before the initial step). */
  public int lastEpoch() {
    return lastEpoch;
  }

  /** The base learning rates ({@code initial_lr} of each group). */
  public double[] baseLrs() {
    return baseLrs.clone();
  }

  /**
   * The scheduler's state, as PyTorch's {@code state_dict()}: {@code last_epoch}, {@code _step_count},
   * {@code base_lrs}, {@code _last_lr}, plus what a subclass adds. Functions ({@link LambdaLR}) are not
   * saved, as in PyTorch.
   */
  public Map<String, Object> stateDict() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("last_epoch", lastEpoch);
    m.put("_step_count", stepCount);
    m.put("base_lrs", baseLrs == null ? null : baseLrs.clone());
    m.put("_last_lr", lastLr == null ? null : lastLr.clone());
    return m;
  }

  /** Restores a state from {@link #stateDict()} of a scheduler of the same kind. */
  public void loadStateDict(Map<String, Object> state) {
    lastEpoch = (Integer) state.get("last_epoch");
    stepCount = (Integer) state.get("_step_count");
    baseLrs = state.get("base_lrs") instanceof double[] b ? b.clone() : null;
    lastLr = state.get("_last_lr") instanceof double[] l ? l.clone() : null;
  }

  static String name(Object o) {
    return o.getClass().getSimpleName();
  }
}
