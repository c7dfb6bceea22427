package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.ParamGroup;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The cyclical learning-rate policy (Smith, "Cyclical Learning Rates for Training Neural Networks"):
 * PyTorch's {@code CyclicLR}. The rate moves between {@code baseLr} and {@code maxLr}, up over {@code
 * stepSizeUp} steps and down over {@code stepSizeDown}; the amplitude is scaled per cycle ({@code
 * "triangular"}: constant, {@code "triangular2"}: halved each cycle) or per iteration ({@code
 * "exp_range"}: {@code gamma^iteration}), or by a custom {@link Options#scaleFn}. With {@code
 * cycleMomentum} (the default, as in PyTorch 1.13) the group's {@code "momentum"} moves inversely
 * between {@code maxMomentum} and {@code baseMomentum}, so the optimizer needs a momentum option
 * ({@code SGD}, {@code RMSprop}); pass {@code cycleMomentum(false)} for Adam. Step it after every batch.
 * The state dict is the base one: the cycle's shape comes from the constructor, and the momentum lives
 * in the optimizer's groups (its state dict).
 *
 * <pre>{@code
 * var sched = new CyclicLR(opt, CyclicLR.options(0.001, 0.1).stepSizeUp(2000).mode("triangular2"));
 * }</pre>
 */
public final class CyclicLR extends LRScheduler {

  /** CyclicLR's options with PyTorch's defaults; the two rate boundaries are required. */
  public static final class Options {
    final double[] baseLr;
    final double[] maxLr;
    int stepSizeUp = 2000;
    Integer stepSizeDown;
    String mode = "triangular";
    double gamma = 1.0;
    DoubleUnaryOperator scaleFn;
    String scaleMode = "cycle";
    boolean cycleMomentum = true;
    double[] baseMomentum = {0.8};
    double[] maxMomentum = {0.9};

    Options(double[] baseLr, double[] maxLr) {
      this.baseLr = baseLr.clone();
      this.maxLr = maxLr.clone();
    }

    /** Steps in the increasing half of a cycle (default 2000). */
    public Options stepSizeUp(int v) {
      stepSizeUp = v;
      return this;
    }

    /** Steps in the decreasing half of a cycle (default: {@link #stepSizeUp}). */
    public Options stepSizeDown(int v) {
      stepSizeDown = v;
      return this;
    }

    /** {@code "triangular"} (default), {@code "triangular2"} or {@code "exp_range"}; ignored with a {@link #scaleFn}. */
    public Options mode(String v) {
      mode = v;
      return this;
    }

    /** The base of {@code "exp_range"}'s scaling, {@code gamma^iterations} (default 1). */
    public Options gamma(double v) {
      gamma = v;
      return this;
    }

    /** A custom amplitude scaling, {@code 0 <= f(x) <= 1}, of the cycle number or of the iteration. */
    public Options scaleFn(DoubleUnaryOperator v) {
      scaleFn = v;
      return this;
    }

    /** What a custom {@link #scaleFn} is applied to: {@code "cycle"} (default) or {@code "iterations"}. */
    public Options scaleMode(String v) {
      scaleMode = v;
      return this;
    }

    /** Cycle the group's momentum inversely to the learning rate (default true). */
    public Options cycleMomentum(boolean v) {
      cycleMomentum = v;
      return this;
    }

    /** The momentum at the peak of the learning rate, one value or one per group (default 0.8). */
    public Options baseMomentum(double... v) {
      baseMomentum = v.clone();
      return this;
    }

    /** The momentum at the start of a cycle, one value or one per group (default 0.9). */
    public Options maxMomentum(double... v) {
      maxMomentum = v.clone();
      return this;
    }
  }

  /** Options cycling between {@code baseLr} and {@code maxLr} (one value for every group). */
  public static Options options(double baseLr, double maxLr) {
    return new Options(new double[] {baseLr}, new double[] {maxLr});
  }

  /** Options cycling between per-group boundaries (or one value for every group). */
  public static Options options(double[] baseLr, double[] maxLr) {
    return new Options(baseLr, maxLr);
  }

  private final double[] maxLrs;
  private final double totalSize;
  private final double stepRatio;
  private final String mode;
  private final double gamma;
  private final DoubleUnaryOperator customScaleFn;
  private final boolean scaleByCycle;
  private final boolean cycleMomentum;
  private final double[] baseMomentums;
  private final double[] maxMomentums;

  /** A cyclical schedule for {@code optimizer}; sets each group's learning rate to its {@code baseLr}. */
  public CyclicLR(Optimizer optimizer, Options o) {
    super(optimizer, false);
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] baseLrs = perGroup("base_lr", o.baseLr, groups.size());
    for (int i = 0; i < groups.size(); i++) {
      groups.get(i).lr(baseLrs[i]);
    }
    maxLrs = perGroup("max_lr", o.maxLr, groups.size());
    if (o.stepSizeUp < 1 || (o.stepSizeDown != null && o.stepSizeDown < 0)) {
      throw new IllegalArgumentException("CyclicLR: invalid step sizes: step_size_up " + o.stepSizeUp
          + ", step_size_down " + o.stepSizeDown + " (up must be >= 1, down >= 0)");
    }
    double up = o.stepSizeUp;
    double down = o.stepSizeDown != null ? o.stepSizeDown : up;
    totalSize = up + down;
    stepRatio = up / totalSize;
    if (!List.of("triangular", "triangular2", "exp_range").contains(o.mode) && o.scaleFn == null) {
      throw new IllegalArgumentException("CyclicLR: mode is invalid and scale_fn is None (mode " + o.mode
          + "; expected triangular, triangular2 or exp_range)");
    }
    mode = o.mode;
    gamma = o.gamma;
    customScaleFn = o.scaleFn;
    if (customScaleFn != null) {
      if (!o.scaleMode.equals("cycle") && !o.scaleMode.equals("iterations")) {
        throw new IllegalArgumentException("CyclicLR: scale_mode must be 'cycle' or 'iterations', got " + o.scaleMode);
      }
      scaleByCycle = o.scaleMode.equals("cycle");
    } else {
      scaleByCycle = !mode.equals("exp_range");
    }
    cycleMomentum = o.cycleMomentum;
    if (cycleMomentum) {
      if (!optimizer.defaults().containsKey("momentum")) {
        throw new IllegalArgumentException("CyclicLR: optimizer " + optimizer.name()
            + " must support momentum with `cycle_momentum` option enabled (pass cycleMomentum(false))");
      }
      double[] base = perGroup("base_momentum", o.baseMomentum, groups.size());
      for (int i = 0; i < groups.size(); i++) {
        groups.get(i).set("momentum", base[i]);
      }
      baseMomentums = base;
      maxMomentums = perGroup("max_momentum", o.maxMomentum, groups.size());
    } else {
      baseMomentums = null;
      maxMomentums = null;
    }
    initBaseLrs();
    initialStep();
    // As PyTorch: the initial step used the groups' initial_lr, later steps use base_lr.
    this.baseLrs = baseLrs;
  }

  private static double[] perGroup(String name, double[] v, int groups) {
    if (v.length == 1) {
      double[] out = new double[groups];
      Arrays.fill(out, v[0]);
      return out;
    }
    if (v.length != groups) {
      throw new IllegalArgumentException("CyclicLR: expected " + groups + " values for " + name + ", got " + v.length);
    }
    return v.clone();
  }

  private double scaleFn(double x) {
    if (customScaleFn != null) {
      return customScaleFn.applyAsDouble(x);
    }
    return switch (mode) {
      case "triangular" -> 1.;
      case "triangular2" -> 1 / Math.pow(2., x - 1);
      default -> Math.pow(gamma, x);
    };
  }

  @Override
  protected double[] computeLr() {
    double cycle = Math.floor(1 + lastEpoch / totalSize);
    double x = 1. + lastEpoch / totalSize - cycle;
    double scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    double scale = scaleFn(scaleByCycle ? cycle : lastEpoch);
    double[] lrs = new double[baseLrs.length];
    for (int i = 0; i < lrs.length; i++) {
      double baseHeight = (maxLrs[i] - baseLrs[i]) * scaleFactor;
      lrs[i] = baseLrs[i] + baseHeight * scale;
    }
    if (cycleMomentum) {
      List<ParamGroup> groups = optimizer.paramGroups();
      for (int i = 0; i < groups.size(); i++) {
        double baseHeight = (maxMomentums[i] - baseMomentums[i]) * scaleFactor;
        groups.get(i).set("momentum", maxMomentums[i] - baseHeight * scale);
      }
    }
    return lrs;
  }
}
