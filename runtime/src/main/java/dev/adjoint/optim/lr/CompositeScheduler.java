package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link ChainedScheduler} and {@link SequentialLR} share: they own other schedulers and step
 * them rather than computing rates themselves, have no {@code step(epoch)} (neither has PyTorch's),
 * and save the owned schedulers' states under {@code "_schedulers"} in their state dict.
 */
abstract sealed class CompositeScheduler extends LRScheduler permits ChainedScheduler, SequentialLR {
  /** The owned schedulers, in order. */
  final List<LRScheduler> schedulers;

  /** Takes {@code schedulers} without touching the optimizer's groups; the subclass checks them first. */
  CompositeScheduler(Optimizer optimizer, List<LRScheduler> schedulers) {
    super(optimizer, false);
    this.schedulers = List.copyOf(schedulers);
  }

  /** Not supported (PyTorch's ChainedScheduler and SequentialLR have no {@code step(epoch)} either). */
  @Override
  public final void step(int epoch) {
    throw new UnsupportedOperationException(name(this) + ": step(epoch) is not supported; call step()");
  }

  @Override
  protected final double[] computeLr() {
    throw new AssertionError(name(this) + " delegates to its schedulers");
  }

  /** The base state plus {@code "_schedulers"}: the owned schedulers' state dicts, in order. */
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
