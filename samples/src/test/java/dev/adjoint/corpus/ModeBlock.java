package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * A block whose activation is chosen by an enum (issue 18): a {@code switch} statement on the module's mode, a
 * {@code switch} expression on a parameter and {@code ==} between enum constants, read by the processor as the
 * if/else chain they mean.
 */
final class ModeBlock extends Module {
  enum Act { RELU, TANH, GELU }

  enum Pool { SUM, MEAN }

  final Linear fc;
  Act act = Act.RELU;

  ModeBlock() {
    super(ModeBlockDiff.MEMBERS);
    fc = new Linear(3, 4, true, new Generator(77));
  }

  @Differentiable
  Tensor loss(Tensor x, Pool pool) {
    Tensor h = fc.forward(x);
    switch (act) {
      case RELU -> h = h.relu();
      case TANH -> h = h.tanh().mul(2);
      default -> h = h.mul(h.sigmoid());
    }
    if (act != Act.GELU) {
      h = h.add(x.sum(1, true));
    }
    return switch (pool) {
      case SUM -> h.mul(h).sum();
      case MEAN -> h.exp().mean();
    };
  }
}
