package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import java.util.Map;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter): PyTorch's {@code
 * CosineAnnealingWarmRestarts}. The rate anneals from the base rate to {@code etaMin} over {@code T_i}
 * epochs and then restarts, with {@code T_0} for the first period and each later one {@code tMult}
 * times longer. Step it once per epoch with {@link #step()}, or per batch with a fractional epoch
 * ({@link #step(double)}, e.g. {@code epoch + i / (double) iters}).
 */
public final class CosineAnnealingWarmRestarts extends LRScheduler {
  private final int t0;
  private final int tMult;
  private final double etaMin;
  private int tI;
  private double tCur;

  /** Restarts after {@code t0} epochs, then after periods {@code tMult} times longer, annealing to {@code etaMin}. */
  public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
    super(optimizer);
    if (t0 <= 0) {
      throw new IllegalArgumentException("CosineAnnealingWarmRestarts: Expected positive integer T_0, but got " + t0);
    }
    if (tMult < 1) {
      throw new IllegalArgumentException("CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got " + tMult);
    }
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    stepCount = 0;
    step();
  }

  /** Restarts every {@code t0} epochs, annealing to 0. */
  public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0) {
    this(optimizer, t0, 1, 0);
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = new double[baseLrs.length];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }
    return lrs;
  }

  /** Advances one epoch, restarting when the period ends. */
  @Override
  public void step() {
    if (lastEpoch < 0) {
      step(0.0);
      return;
    }
    tCur = tCur + 1;
    if (tCur >= tI) {
      tCur = tCur - tI;
      tI = tI * tMult;
    }
    lastEpoch = lastEpoch + 1;
    apply(computeLr());
  }

  /** Jumps to {@code epoch}. */
  @Override
  public void step(int epoch) {
    step((double) epoch);
  }

  /**
   * Jumps to a possibly fractional {@code epoch} (PyTorch's {@code step(epoch)}, which this scheduler
   * does not deprecate): the period and the position in it follow from {@code epoch} alone.
   */
  public void step(double epoch) {
    if (!(epoch >= 0)) {
      throw new IllegalArgumentException("CosineAnnealingWarmRestarts: Expected non-negative epoch, but got " + epoch);
    }
    if (epoch >= t0) {
      if (tMult == 1) {
        tCur = epoch % t0;
      } else {
        int n = (int) (Math.log(epoch / t0 * (tMult - 1) + 1) / Math.log(tMult));
        tCur = epoch - t0 * (Math.pow(tMult, n) - 1) / (tMult - 1);
        tI = t0 * (int) Math.pow(tMult, n);
      }
    } else {
      tI = t0;
      tCur = epoch;
    }
    lastEpoch = (int) Math.floor(epoch);
    apply(computeLr());
  }

  /** The base state plus {@code T_i} and {@code T_cur}, the position in the current period. */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> m = super.stateDict();
    m.put("T_i", tI);
    m.put("T_cur", tCur);
    return m;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    tI = (Integer) state.get("T_i");
    tCur = ((Number) state.get("T_cur")).doubleValue();
  }
}
