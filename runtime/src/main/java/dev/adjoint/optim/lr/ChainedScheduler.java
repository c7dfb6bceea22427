package dev.adjoint.optim.lr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Steps several schedulers together, so that their (chainable) effects multiply: PyTorch's {@code
 * ChainedScheduler}. The schedulers must belong to the same optimizer.
 */
public final class ChainedScheduler extends LRScheduler {
  private final List<LRScheduler> schedulers;

  /** Chains {@code schedulers}, stepped in this order. */
  public ChainedScheduler(List<LRScheduler> schedulers) {
    super(first(schedulers).optimizer(), false);
    for (int i = 1; i < schedulers.size(); i++) {
      if (schedulers.get(i).optimizer() != optimizer) {
        throw new IllegalArgumentException("ChainedScheduler: expects all schedulers to belong to the same "
            + "optimizer, but got schedulers at index 0 and " + i + " to be different");
      }
    }
    this.schedulers = List.copyOf(schedulers);
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

  /** Not supported (PyTorch's ChainedScheduler has no {@code step(epoch)} either). */
  @Override
  public void step(int epoch) {
    throw new UnsupportedOperationException("ChainedScheduler: step(epoch) is not supported; call step()");
  }

  @Override
  protected double[] computeLr() {
    throw new AssertionError("ChainedScheduler delegates to its schedulers");
  }

  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> m = super.stateDict();
    List<Map<String, Object>> subs = new ArrayList<>();
    for (LRScheduler s : schedulers) {
      subs.add(s.stateDict());
    }
    m.put("_schedulers", subs);
    return m;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    List<Map<String, Object>> subs = (List<Map<String, Object>>) state.get("_schedulers");
    for (int i = 0; i < schedulers.size(); i++) {
      schedulers.get(i).loadStateDict(subs.get(i));
    }
  }
}
