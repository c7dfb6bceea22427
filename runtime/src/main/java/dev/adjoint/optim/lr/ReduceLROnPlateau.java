package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.ParamGroup;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces the learning rate by {@code factor} when a metric has stopped improving for {@code
 * patience} epochs: PyTorch's {@code ReduceLROnPlateau}. Call {@link #step(double)} with the metric
 * (e.g. the validation loss) once per epoch.
 *
 * <pre>{@code
 * var sched = new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().patience(5));
 * sched.step(valLoss);
 * }</pre>
 */
public final class ReduceLROnPlateau {

  /** Options with PyTorch's defaults (mode min, factor 0.1, patience 10, threshold 1e-4 rel). */
  public static final class Options {
    String mode = "min";
    double factor = 0.1;
    int patience = 10;
    double threshold = 1e-4;
    String thresholdMode = "rel";
    int cooldown;
    double[] minLr = {0};
    double eps = 1e-8;

    Options() {}

    /** {@code "min"}: reduce when the metric stops decreasing; {@code "max"}: when it stops increasing. */
    public Options mode(String v) {
      mode = v;
      return this;
    }

    /** The factor by which the learning rate is reduced (less than 1). */
    public Options factor(double v) {
      factor = v;
      return this;
    }

    /** The number of epochs without improvement to tolerate. */
    public Options patience(int v) {
      patience = v;
      return this;
    }

    /** The threshold for a significant improvement. */
    public Options threshold(double v) {
      threshold = v;
      return this;
    }

    /** {@code "rel"} (relative to the best) or {@code "abs"}. */
    public Options thresholdMode(String v) {
      thresholdMode = v;
      return this;
    }

    /** Epochs to wait after a reduction before counting bad epochs again. */
    public Options cooldown(int v) {
      cooldown = v;
      return this;
    }

    /** A lower bound on the learning rate: one for all groups, or one per group. */
    public Options minLr(double... v) {
      minLr = v.clone();
      return this;
    }

    /** Reductions smaller than this are ignored. */
    public Options eps(double v) {
      eps = v;
      return this;
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  private final Optimizer optimizer;
  private final double factor;
  private final double[] minLrs;
  private final int patience;
  private final int cooldown;
  private final double threshold;
  private final boolean modeMin;
  private final boolean rel;
  private final double eps;
  private double best;
  private int numBadEpochs;
  private int cooldownCounter;
  private int lastEpoch;
  private double[] lastLr;

  /** A plateau scheduler for {@code optimizer}. */
  public ReduceLROnPlateau(Optimizer optimizer, Options o) {
    if (o.factor >= 1.0) {
      throw new IllegalArgumentException("ReduceLROnPlateau: factor should be < 1.0, got " + o.factor);
    }
    if (!o.mode.equals("min") && !o.mode.equals("max")) {
      throw new IllegalArgumentException("ReduceLROnPlateau: mode " + o.mode + " is unknown (use 'min' or 'max')");
    }
    if (!o.thresholdMode.equals("rel") && !o.thresholdMode.equals("abs")) {
      throw new IllegalArgumentException("ReduceLROnPlateau: threshold mode " + o.thresholdMode
          + " is unknown (use 'rel' or 'abs')");
    }
    this.optimizer = optimizer;
    int groups = optimizer.paramGroups().size();
    if (o.minLr.length == 1) {
      minLrs = new double[groups];
      Arrays.fill(minLrs, o.minLr[0]);
    } else if (o.minLr.length == groups) {
      minLrs = o.minLr.clone();
    } else {
      throw new IllegalArgumentException("ReduceLROnPlateau: expected " + groups + " min_lrs, got " + o.minLr.length);
    }
    this.factor = o.factor;
    this.patience = o.patience;
    this.cooldown = o.cooldown;
    this.threshold = o.threshold;
    this.modeMin = o.mode.equals("min");
    this.rel = o.thresholdMode.equals("rel");
    this.eps = o.eps;
    this.best = modeMin ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    this.lastLr = LRScheduler.lrsOf(optimizer);
  }

  private boolean isBetter(double a, double best) {
    if (modeMin) {
      return rel ? a < best * (1. - threshold) : a < best - threshold;
    }
    return rel ? a > best * (threshold + 1.) : a > best + threshold;
  }

  /** Records the metric of one epoch and reduces the learning rates after a plateau. */
  public void step(double metric) {
    lastEpoch++;
    if (isBetter(metric, best)) {
      best = metric;
      numBadEpochs = 0;
    } else {
      numBadEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      numBadEpochs = 0;
    }
    if (numBadEpochs > patience) {
      List<ParamGroup> groups = optimizer.paramGroups();
      for (int i = 0; i < groups.size(); i++) {
        double oldLr = groups.get(i).lr();
        double newLr = Math.max(oldLr * factor, minLrs[i]);
        if (oldLr - newLr > eps) {
          groups.get(i).lr(newLr);
        }
      }
      cooldownCounter = cooldown;
      numBadEpochs = 0;
    }
    lastLr = LRScheduler.lrsOf(optimizer);
  }

  /** The learning rates after the last step, one per group. */
  public double[] getLastLr() {
    return lastLr.clone();
  }

  /** The best metric seen so far. */
  public double best() {
    return best;
  }

  /** The state: {@code best}, {@code num_bad_epochs}, {@code cooldown_counter}, {@code last_epoch}, {@code _last_lr}. */
  public Map<String, Object> stateDict() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("best", best);
    m.put("num_bad_epochs", numBadEpochs);
    m.put("cooldown_counter", cooldownCounter);
    m.put("last_epoch", lastEpoch);
    m.put("_last_lr", lastLr.clone());
    return m;
  }

  /** Restores a state from {@link #stateDict()}. */
  public void loadStateDict(Map<String, Object> state) {
    best = (Double) state.get("best");
    numBadEpochs = (Integer) state.get("num_bad_epochs");
    cooldownCounter = (Integer) state.get("cooldown_counter");
    lastEpoch = (Integer) state.get("last_epoch");
    lastLr = ((double[]) state.get("_last_lr")).clone();
  }
}
