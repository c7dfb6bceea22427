package dev.adjoint.utils;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Dropout;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;
import dev.adjoint.utils.Checkpoint.Mode;
import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Checkpoint}'s non-reentrant mode keeps only its inputs: the segment's graph is dropped after the forward
 * (its intermediate tensors become unreachable, checked with weak references) and one {@code CheckpointBackward}
 * node recomputes it in backward, with the same gradients, bit for bit, as the plain run, through
 * {@code backward()} and {@code Autograd.grad}. Where the segment must keep its graph (a hook on a tensor made
 * inside, a captured tensor made outside by a recorded operation) it does, and the gradients are still right.
 */
class NonReentrantCheckpointTest {
  private static Sequential mlp(long seed, boolean dropout) {
    Generator g = new Generator(seed);
    return dropout
        ? new Sequential(new Linear(4, 8, true, g), new ReLU(), new Dropout(0.5), new Linear(8, 3, true, g))
        : new Sequential(new Linear(4, 8, true, g), new ReLU(), new Linear(8, 8, true, g), new ReLU(),
            new Linear(8, 3, true, g));
  }

  private static Tensor input() {
    return Tensor.randn(new Generator(7), 5, 4).requiresGrad(true);
  }

  private static void assertSameGrads(List<Tensor> expected, List<Tensor> actual) {
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).grad().toFloatArray(), actual.get(i).grad().toFloatArray(), "parameter " + i);
    }
  }

  @Test
  void oneNodeForTheSegmentAndTheSameGradientsBitForBit() {
    Sequential plain = mlp(1, false);
    Sequential ckpt = mlp(1, false);
    Tensor x1 = input();
    Tensor x2 = input();
    plain.forward(x1).pow(2).sum().backward();
    Tensor y = Checkpoint.checkpoint(in -> ckpt.forward(in[0]), Mode.NON_REENTRANT, x2);
    assertEquals("CheckpointBackward", y.gradFn().name());
    // its edges: the parameters used inside and the input
    assertEquals(ckpt.parameters().size() + 1, y.gradFn().inputCount());
    y.pow(2).sum().backward();
    assertArrayEquals(x1.grad().toFloatArray(), x2.grad().toFloatArray());
    assertSameGrads(plain.parameters(), ckpt.parameters());
  }

  @Test
  void autogradGradGivesTheGradientsWithoutTouchingDotGrad() {
    Sequential plain = mlp(2, false);
    Sequential ckpt = mlp(2, false);
    Tensor x1 = input();
    Tensor x2 = input();
    Tensor w1 = plain.parameters().get(0);
    Tensor w2 = ckpt.parameters().get(0);
    Tensor[] g1 = Autograd.grad(new Tensor[] {plain.forward(x1).sum()}, new Tensor[] {x1, w1}, null, false, false,
        false);
    Tensor y = Checkpoint.checkpoint(in -> ckpt.forward(in[0]), Mode.NON_REENTRANT, x2);
    Tensor[] g2 = Autograd.grad(new Tensor[] {y.sum()}, new Tensor[] {x2, w2}, null, false, false, false);
    assertArrayEquals(g1[0].toFloatArray(), g2[0].toFloatArray());
    assertArrayEquals(g1[1].toFloatArray(), g2[1].toFloatArray());
    assertNull(w2.grad());
    assertNull(x2.grad());
  }

  /** What makes it save memory: nothing reaches the segment's intermediate tensors once the forward is done. */
  @Test
  void theSegmentsIntermediateTensorsAreNotKept() {
    Linear a = new Linear(4, 16, true, new Generator(3));
    Linear b = new Linear(16, 2, true, new Generator(4));
    List<WeakReference<Tensor>> hidden = new java.util.ArrayList<>(java.util.Collections.singletonList(null));
    java.util.function.Function<Tensor[], Tensor> segment = in -> {
      Tensor h = a.forward(in[0]).relu();
      if (hidden.get(0) == null) {
        hidden.set(0, new WeakReference<>(h));
      }
      return b.forward(h);
    };
    Tensor x = input();
    Tensor plainOut = segment.apply(new Tensor[] {x});
    WeakReference<Tensor> plainHidden = hidden.get(0);
    hidden.set(0, null);
    Tensor ckptOut = Checkpoint.checkpoint(segment, Mode.NON_REENTRANT, x);
    WeakReference<Tensor> ckptHidden = hidden.get(0);
    for (int i = 0; i < 5 && ckptHidden.get() != null; i++) {
      System.gc();
    }
    assertNull(ckptHidden.get(), "the checkpointed segment's hidden activation is still reachable");
    assertNotNull(plainHidden.get(), "the plain graph keeps its hidden activation (the control)");
    ckptOut.sum().backward();
    Tensor g = x.grad().clone();
    x.setGrad(null);
    plainOut.sum().backward();
    assertArrayEquals(x.grad().toFloatArray(), g.toFloatArray());
  }

  @Test
  void dropoutReplaysItsMask() {
    Sequential plain = mlp(3, true);
    Sequential ckpt = mlp(3, true);
    Tensor x1 = input();
    Tensor x2 = input();
    Generator.defaultGenerator().manualSeed(11);
    plain.forward(x1).sum().backward();
    Generator.defaultGenerator().manualSeed(11);
    Checkpoint.checkpoint(in -> ckpt.forward(in[0]), Mode.NON_REENTRANT, x2).sum().backward();
    assertArrayEquals(x1.grad().toFloatArray(), x2.grad().toFloatArray());
    assertSameGrads(plain.parameters(), ckpt.parameters());
  }

  @Test
  void anInputChangedInPlaceBeforeBackwardIsAnError() {
    Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor x = Tensor.of(3f, 4f);
    Tensor y = Checkpoint.checkpoint(in -> in[0].mul(w).exp(), Mode.NON_REENTRANT, x);
    x.add_(1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
    assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
  }

  /** The recomputation is cut from the inputs' graphs, so a second derivative is refused, never a silent zero. */
  @Test
  void aSecondDerivativeThroughTheSegmentThrowsNamingIt() {
    Tensor x = Tensor.of(0.5f, 1.5f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> in[0].pow(3), Mode.NON_REENTRANT, x).sum();
    Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true, true, false)[0];
    assertArrayEquals(new float[] {0.75f, 6.75f}, g.toFloatArray(), 1e-6f); // 3 x^2, the first gradient is right
    RuntimeException e = assertThrows(RuntimeException.class, () -> Autograd.grad(g.sum(), x));
    assertTrue(e.getMessage().contains("CheckpointBackward"), e.getMessage());
  }

  /** A captured tensor made by a recorded operation outside: the segment keeps its graph, gradients stay right. */
  @Test
  void aCapturedNonLeafKeepsTheGraphAndTheGradientsAreRight() {
    Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor c = w.mul(3); // captured: its gradient also flows to w through c's own node
    Tensor x = Tensor.of(0.5f, -1f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> in[0].mul(c).add(w).sin(), Mode.NON_REENTRANT, x);
    assertNotEquals("CheckpointBackward", y.gradFn().name());
    y.sum().backward();
    // y = sin(x * 3w + w): dy/dw = cos(.) * (3x + 1), dy/dx = cos(.) * 3w
    float[] gw = w.grad().toFloatArray();
    float[] gx = x.grad().toFloatArray();
    double[] xs = {0.5, -1};
    double[] ws = {1, 2};
    for (int i = 0; i < 2; i++) {
      double cos = Math.cos(xs[i] * 3 * ws[i] + ws[i]);
      assertEquals(cos * (3 * xs[i] + 1), gw[i], 1e-6);
      assertEquals(cos * 3 * ws[i], gx[i], 1e-6);
    }
  }

  /** A hook on a tensor made inside fires in backward, as in PyTorch: the segment keeps its graph for it. */
  @Test
  void aHookOnATensorMadeInsideFires() {
    int[] calls = {0};
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor y = Checkpoint.checkpoint(in -> {
      Tensor h = in[0].mul(2);
      if (calls[0] == 0) {
        h.registerHook(g -> {
          calls[0]++;
          return null;
        });
      }
      return h.exp();
    }, Mode.NON_REENTRANT, x);
    y.sum().backward();
    assertEquals(1, calls[0]);
    assertEquals(2 * Math.exp(2), x.grad().toFloatArray()[0], 1e-5);
  }
}
