package dev.adjoint.utils;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Dropout;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Checkpoint} against the same computation without it: the same gradients, bit for bit (the
 * recomputation runs the same operations), for the inputs and for the parameters used inside; dropout
 * replays its mask; PyTorch 1.13's node name, errors and warnings-case behaviour (checked against
 * {@code torch.utils.checkpoint} by hand: {@code CheckpointFunctionBackward}, the {@code .grad()} error,
 * {@code requires_grad=False} output when no input requires grad).
 */
class CheckpointTest {
  private static Sequential mlp(long seed, boolean dropout) {
    Generator g = new Generator(seed);
    return dropout
        ? new Sequential(new Linear(4, 8, true, g), new ReLU(), new Dropout(0.5), new Linear(8, 8, true, g),
            new ReLU(), new Linear(8, 3, true, g))
        : new Sequential(new Linear(4, 8, true, g), new ReLU(), new Linear(8, 8, true, g), new ReLU(),
            new Linear(8, 8, true, g), new ReLU(), new Linear(8, 3, true, g));
  }

  private static Tensor input() {
    return Tensor.randn(new Generator(7), 5, 4).requiresGrad(true);
  }

  @Test
  void sameGradientsAsWithoutCheckpointBitForBit() {
    Sequential plain = mlp(1, false);
    Sequential ckpt = mlp(1, false);
    Tensor x1 = input();
    Tensor x2 = input();
    plain.forward(x1).pow(2).sum().backward();
    Tensor y = Checkpoint.checkpoint(in -> ckpt.forward(in[0]), x2);
    assertEquals("CheckpointFunctionBackward", y.gradFn().name());
    y.pow(2).sum().backward();
    assertArrayEquals(x1.grad().toFloatArray(), x2.grad().toFloatArray());
    List<Tensor> p1 = plain.parameters();
    List<Tensor> p2 = ckpt.parameters();
    for (int i = 0; i < p1.size(); i++) {
      assertArrayEquals(p1.get(i).grad().toFloatArray(), p2.get(i).grad().toFloatArray(), "parameter " + i);
    }
  }

  @Test
  void forwardIsNotRecordedAndRunsAgainInBackward() {
    AtomicInteger calls = new AtomicInteger();
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> {
      calls.incrementAndGet();
      Tensor h = in[0].sin();
      // inside the checkpointed forward nothing is recorded; inside the recomputation everything is
      assertEquals(calls.get() == 2, h.requiresGrad());
      return h.mul(2);
    }, x);
    assertEquals(1, calls.get());
    y.sum().backward();
    assertEquals(2, calls.get());
    float[] g = x.grad().toFloatArray();
    for (int i = 0; i < 3; i++) {
      assertEquals(2 * Math.cos(i + 1), g[i], 1e-6);
    }
  }

  @Test
  void dropoutReplaysItsMaskWhenTheRngStateIsPreserved() {
    Sequential plain = mlp(3, true);
    Sequential ckpt = mlp(3, true);
    Tensor x1 = input();
    Tensor x2 = input();
    Generator.defaultGenerator().manualSeed(11);
    plain.forward(x1).sum().backward();
    Generator.defaultGenerator().manualSeed(11);
    Checkpoint.checkpoint(in -> ckpt.forward(in[0]), x2).sum().backward();
    assertArrayEquals(x1.grad().toFloatArray(), x2.grad().toFloatArray());

    Sequential loose = mlp(3, true);
    Tensor x3 = input();
    Generator.defaultGenerator().manualSeed(11);
    Checkpoint.checkpoint(in -> loose.forward(in[0]), false, x3).sum().backward();
    assertFalse(java.util.Arrays.equals(x1.grad().toFloatArray(), x3.grad().toFloatArray()),
        "without preserveRngState the recomputation draws another mask");
  }

  @Test
  void theGeneratorContinuesAsIfBackwardHadDrawnNothing() {
    Generator rng = Generator.defaultGenerator();
    rng.manualSeed(5);
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> in[0].mul(Tensor.rand(2)), x);
    Generator.State afterForward = rng.getState();
    y.sum().backward();
    assertEquals(afterForward, rng.getState());
  }

  @Test
  void checkpointSequentialEqualsTheSequential() {
    Sequential plain = mlp(2, false);
    Sequential ckpt = mlp(2, false);
    Tensor x1 = input();
    Tensor x2 = input();
    Tensor y1 = plain.forward(x1);
    Tensor y2 = Checkpoint.checkpointSequential(ckpt, 3, x2);
    assertArrayEquals(y1.toFloatArray(), y2.toFloatArray());
    y1.sum().backward();
    y2.sum().backward();
    assertArrayEquals(x1.grad().toFloatArray(), x2.grad().toFloatArray());
    for (int i = 0; i < plain.parameters().size(); i++) {
      assertArrayEquals(plain.parameters().get(i).grad().toFloatArray(),
          ckpt.parameters().get(i).grad().toFloatArray());
    }
  }

  @Test
  void autogradGradThroughACheckpointThrowsPyTorchsError() {
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> in[0].sin().mul(2), x).sum();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Autograd.grad(y, x));
    assertTrue(e.getMessage().contains("Checkpointing is not compatible with .grad() or when an `inputs` "
        + "parameter is passed to .backward()"), e.getMessage());
    Tensor z = Checkpoint.checkpoint(in -> in[0].sin(), x).sum();
    assertThrows(IllegalStateException.class,
        () -> Autograd.backward(new Tensor[] {z}, null, false, false, new Tensor[] {x}));
  }

  @Test
  void noInputRequiringGradGivesAnOutputThatDoesNotEither() {
    Module lin = new Linear(3, 3, true, new Generator(1));
    Tensor y = Checkpoint.checkpoint(in -> lin.forward(in[0]), Tensor.randn(new Generator(2), 3));
    assertFalse(y.requiresGrad());
    assertNull(lin.parameters().get(0).grad());
  }

  @Test
  void anOutputCutFromTheInputsIsAnError() {
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> in[0].detach().mul(2), x);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
    assertTrue(e.getMessage().contains("none of output has requires_grad=True, this checkpoint() is not necessary"),
        e.getMessage());
  }

  @Test
  void segmentsMustBePositive() {
    assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.checkpointSequential(List.of(new ReLU()), 0, Tensor.of(1f)));
  }
}
