package dev.adjoint.optim.lr;

import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.ParamGroup;
import java.util.List;

/**
 * Runs schedulers one after another, switching at the milestone epochs: PyTorch's {@code
 * SequentialLR}. At a milestone the next scheduler restarts from epoch 0 (its closed form), e.g. a
 * {@link LinearLR} warm-up for 5 epochs then {@link ExponentialLR}: {@code new SequentialLR(opt,
 * List.of(warmup, decay), new int[] {5})}. The schedulers must belong to {@code optimizer}.
 */
public final class SequentialLR extends CompositeScheduler {
  private final int[] milestones;

  /** Switches from {@code schedulers.get(i)} to {@code schedulers.get(i + 1)} at {@code milestones[i]}. */
  public SequentialLR(Optimizer optimizer, List<LRScheduler> schedulers, int[] milestones) {
    super(optimizer, schedulers);
    for (int i = 0; i < schedulers.size(); i++) {
      if (schedulers.get(i).optimizer() != optimizer) {
        throw new IllegalArgumentException("SequentialLR: expects all schedulers to belong to the same optimizer, "
            + "but got schedulers at index " + i + " to be different than the optimizer passed in");
      }
    }
    if (milestones.length != schedulers.size() - 1) {
      throw new IllegalArgumentException("SequentialLR: expects number of schedulers provided to be one more than "
          + "the number of milestone points, but got number of schedulers " + schedulers.size()
          + " and the number of milestones to be equal to " + milestones.length);
    }
    this.milestones = milestones.clone();
    this.lastEpoch = 0;
    for (ParamGroup g : optimizer.paramGroups()) {
      g.lr(g.getDouble("initial_lr"));
    }
    for (LRScheduler s : schedulers) {
      s.lastEpoch -= 1;
    }
    schedulers.get(0).initialStep();
    this.baseLrs = schedulers.get(0).baseLrs();
    this.lastLr = schedulers.get(0).getLastLr();
  }

  @Override
  public void step() {
    lastEpoch++;
    int idx = 0;
    while (idx < milestones.length && milestones[idx] <= lastEpoch) {
      idx++;
    }
    LRScheduler s = schedulers.get(idx);
    if (idx > 0 && milestones[idx - 1] == lastEpoch) {
      s.step(0);
    } else {
      s.step();
    }
    lastLr = s.getLastLr();
  }
}
