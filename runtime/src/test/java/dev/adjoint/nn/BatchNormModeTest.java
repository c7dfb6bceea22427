package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A batch-norm gradient is the gradient of the forward that was run, whatever the module does before the
 * backward: {@code eval()} after a training forward, or another training forward that moves the running
 * statistics. Both used to change the gradient silently (the adjoint read the module at backward time).
 */
class BatchNormModeTest {
  private static Tensor input() {
    return Tensor.randn(new Generator(3), 4, 3, 2, 2).requiresGrad(true);
  }

  private static float[] gradient(BatchNorm2d bn, boolean evalBeforeBackward, boolean trainForwardBetween) {
    Tensor x = input();
    Tensor y = bn.call(x).pow(2).sum();
    if (trainForwardBetween) {
      bn.train();
      bn.call(Tensor.randn(new Generator(9), 4, 3, 2, 2).mul(5).add(2));
    }
    if (evalBeforeBackward) {
      bn.eval();
    }
    y.backward();
    return x.grad().toFloatArray();
  }

  @Test
  void aTrainingForwardKeepsItsGradientAfterEval() {
    float[] expected = gradient(new BatchNorm2d(3), false, false);
    assertArrayEquals(expected, gradient(new BatchNorm2d(3), true, false));
  }

  @Test
  void anEvalForwardKeepsTheRunningStatisticsItUsed() {
    BatchNorm2d reference = new BatchNorm2d(3);
    reference.call(Tensor.randn(new Generator(5), 4, 3, 2, 2)); // some running statistics
    reference.eval();
    float[] expected = gradient(reference, true, false);

    BatchNorm2d moved = new BatchNorm2d(3);
    moved.call(Tensor.randn(new Generator(5), 4, 3, 2, 2));
    moved.eval();
    // an eval forward, then a training forward that updates the running statistics in place, then the backward
    assertArrayEquals(expected, gradient(moved, true, true));
  }
}
