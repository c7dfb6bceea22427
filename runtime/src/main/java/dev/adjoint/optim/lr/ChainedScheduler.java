package dev.adjoint.optim.lr;

import java.util.List;

/**
 * Steps several schedulers together, so that their (chainable) effects multiply: PyTorch's {@code
 * ChainedScheduler}. The schedulers must belong to the same optimizer.
 */
public final class ChainedScheduler extends CompositeScheduler {

  /** Chains {@code schedulers}, stepped in this order. */
  public ChainedScheduler(List<LRScheduler> schedulers) {
    super(first(schedulers).optimizer(), schedulers);
    for (int i = 1; i < schedulers.size(); i++) {
      if (schedulers.get(i).optimizer() != optimizer) {
        throw new IllegalArgumentException("ChainedScheduler: expects all schedulers to belong to the same "
            + "optimizer, but got schedulers at index 0 and " + i + " to be different");
      }
    }
    this.baseLrs = schedulers.get(0).baseLrs();
    this.lastLr = currentLrs();
  }

  private static LRScheduler first(List<LRScheduler> schedulers) {
    if (schedulers.isEmpty()) {
      throw new IllegalArgumentException("ChainedScheduler: needs at least one scheduler");
    }
    return schedulers.get(0);
  }

  @Override
  public void step() {
    for (LRScheduler s : schedulers) {
      s.step();
    }
    lastLr = currentLrs();
  }
}
