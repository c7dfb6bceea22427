package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.ParamGroup;
import java.util.List;

/**
 * The 1cycle policy (Smith and Topin): PyTorch's {@code OneCycleLR}. The learning rate rises from
 * {@code maxLr / divFactor} to {@code maxLr} over {@code pctStart} of the steps, then anneals to {@code
 * initial_lr / finalDivFactor} (three phases: back to the initial rate first); with {@code
 * cycleMomentum} the momentum (or Adam's beta1) moves inversely between {@code maxMomentum} and {@code
 * baseMomentum}. Step it after every batch; stepping more than {@code totalSteps} times throws.
 *
 * <pre>{@code
 * var sched = new OneCycleLR(opt, OneCycleLR.options(0.1).totalSteps(1000));
 * }</pre>
 */
public final class OneCycleLR extends LRScheduler {

  /** OneCycleLR's options with PyTorch's defaults; {@code max_lr} and the number of steps are required. */
  public static final class Options {
    double[] maxLr;
    Integer totalSteps;
    Integer epochs;
    Integer stepsPerEpoch;
    double pctStart = 0.3;
    String annealStrategy = "cos";
    boolean cycleMomentum = true;
    double baseMomentum = 0.85;
    double maxMomentum = 0.95;
    double divFactor = 25.;
    double finalDivFactor = 1e4;
    boolean threePhase;

    Options(double[] maxLr) {
      this.maxLr = maxLr.clone();
    }

    /** The total number of steps in the cycle. */
    public Options totalSteps(int v) {
      totalSteps = v;
      return this;
    }

    /** With {@link #stepsPerEpoch}, gives the total steps when {@link #totalSteps} is not set. */
    public Options epochs(int v) {
      epochs = v;
      return this;
    }

    /** With {@link #epochs}, gives the total steps when {@link #totalSteps} is not set. */
    public Options stepsPerEpoch(int v) {
      stepsPerEpoch = v;
      return this;
    }

    /** The fraction of the cycle spent increasing the learning rate (default 0.3). */
    public Options pctStart(double v) {
      pctStart = v;
      return this;
    }

    /** {@code "cos"} (default) or {@code "linear"}. */
    public Options annealStrategy(String v) {
      annealStrategy = v;
      return this;
    }

    /** Cycle the momentum (or beta1) inversely to the learning rate (default true). */
    public Options cycleMomentum(boolean v) {
      cycleMomentum = v;
      return this;
    }

    /** The lower momentum boundary (default 0.85). */
    public Options baseMomentum(double v) {
      baseMomentum = v;
      return this;
    }

    /** The upper momentum boundary (default 0.95). */
    public Options maxMomentum(double v) {
      maxMomentum = v;
      return this;
    }

    /** {@code initial_lr = max_lr / divFactor} (default 25). */
    public Options divFactor(double v) {
      divFactor = v;
      return this;
    }

    /** {@code min_lr = initial_lr / finalDivFactor} (default 1e4). */
    public Options finalDivFactor(double v) {
      finalDivFactor = v;
      return this;
    }

    /** Use three phases (up, back down to the initial rate, then annihilation) instead of two. */
    public Options threePhase(boolean v) {
      threePhase = v;
      return this;
    }
  }

  /** Options with one {@code max_lr} for every group, or one per group. */
  public static Options options(double... maxLr) {
    return new Options(maxLr);
  }

  private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {}

  private final int totalSteps;
  private final List<Phase> phases;
  private final boolean linear;
  private final boolean cycleMomentum;
  private final boolean useBeta1;

  /** A 1cycle schedule for {@code optimizer}. */
  public OneCycleLR(Optimizer optimizer, Options o) {
    super(optimizer, false);
    if (o.totalSteps == null && (o.epochs == null || o.stepsPerEpoch == null)) {
      throw new IllegalArgumentException("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
    }
    if (o.totalSteps != null) {
      if (o.totalSteps <= 0) {
        throw new IllegalArgumentException("OneCycleLR: expected positive integer total_steps, but got " + o.totalSteps);
      }
      totalSteps = o.totalSteps;
    } else {
      if (o.epochs <= 0) {
        throw new IllegalArgumentException("OneCycleLR: expected positive integer epochs, but got " + o.epochs);
      }
      if (o.stepsPerEpoch <= 0) {
        throw new IllegalArgumentException("OneCycleLR: expected positive integer steps_per_epoch, but got "
            + o.stepsPerEpoch);
      }
      totalSteps = o.epochs * o.stepsPerEpoch;
    }
    if (o.threePhase) {
      phases = List.of(new Phase(o.pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
          new Phase(2 * o.pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
          new Phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"));
    } else {
      phases = List.of(new Phase(o.pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
          new Phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"));
    }
    if (!(o.pctStart >= 0 && o.pctStart <= 1)) {
      throw new IllegalArgumentException("OneCycleLR: expected float between 0 and 1 pct_start, but got " + o.pctStart);
    }
    if (!o.annealStrategy.equals("cos") && !o.annealStrategy.equals("linear")) {
      throw new IllegalArgumentException("OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got "
          + o.annealStrategy);
    }
    linear = o.annealStrategy.equals("linear");
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] maxLrs = perGroup("max_lr", o.maxLr, groups.size());
    for (int i = 0; i < groups.size(); i++) {
      ParamGroup g = groups.get(i);
      g.set("initial_lr", maxLrs[i] / o.divFactor);
      g.set("max_lr", maxLrs[i]);
      g.set("min_lr", g.getDouble("initial_lr") / o.finalDivFactor);
    }
    cycleMomentum = o.cycleMomentum;
    boolean hasBetas = optimizer.defaults().containsKey("betas");
    if (cycleMomentum) {
      if (!optimizer.defaults().containsKey("momentum") && !hasBetas) {
        throw new IllegalArgumentException("OneCycleLR: optimizer " + optimizer.name()
            + " must support momentum (a 'momentum' or 'betas' option) with the cycleMomentum option enabled");
      }
      for (ParamGroup g : groups) {
        if (hasBetas) {
          double[] b = g.getPair("betas");
          g.set("betas", new double[] {o.maxMomentum, b[1]});
        } else {
          g.set("momentum", o.maxMomentum);
        }
        g.set("max_momentum", o.maxMomentum);
        g.set("base_momentum", o.baseMomentum);
      }
    }
    useBeta1 = hasBetas;
    initBaseLrs();
    initialStep();
  }

  private static double[] perGroup(String name, double[] v, int groups) {
    if (v.length == 1) {
      double[] out = new double[groups];
      java.util.Arrays.fill(out, v[0]);
      return out;
    }
    if (v.length != groups) {
      throw new IllegalArgumentException("OneCycleLR: expected " + groups + " values for " + name + ", got " + v.length);
    }
    return v.clone();
  }

  private double anneal(double start, double end, double pct) {
    if (linear) {
      return (end - start) * pct + start;
    }
    double cosOut = Math.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cosOut;
  }

  @Override
  protected double[] computeLr() {
    int stepNum = lastEpoch;
    if (stepNum > totalSteps) {
      throw new IllegalStateException("OneCycleLR: tried to step " + (stepNum + 1)
          + " times. The specified number of total steps is " + totalSteps);
    }
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int gi = 0; gi < groups.size(); gi++) {
      ParamGroup g = groups.get(gi);
      double startStep = 0;
      double lr = 0;
      double momentum = 0;
      for (int i = 0; i < phases.size(); i++) {
        Phase ph = phases.get(i);
        double endStep = ph.endStep();
        if (stepNum <= endStep || i == phases.size() - 1) {
          double pct = (stepNum - startStep) / (endStep - startStep);
          lr = anneal(g.getDouble(ph.startLr()), g.getDouble(ph.endLr()), pct);
          if (cycleMomentum) {
            momentum = anneal(g.getDouble(ph.startMomentum()), g.getDouble(ph.endMomentum()), pct);
          }
          break;
        }
        startStep = ph.endStep();
      }
      lrs[gi] = lr;
      if (cycleMomentum) {
        if (useBeta1) {
          double[] b = g.getPair("betas");
          g.set("betas", new double[] {momentum, b[1]});
        } else {
          g.set("momentum", momentum);
        }
      }
    }
    return lrs;
  }
}
