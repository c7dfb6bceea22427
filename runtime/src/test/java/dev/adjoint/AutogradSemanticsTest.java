package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.autograd.Node;
import dev.adjoint.nn.F;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** PyTorch's eager autograd semantics, one behaviour per test, with the errors and their messages. */
class AutogradSemanticsTest {

  static void assertMessage(Throwable e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), () -> "message lacks '" + p + "': " + e.getMessage());
    }
  }

  @Nested
  class Grad {
    @Test
    void isNullUntilABackwardReachesTheLeaf() {
      Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor unused = Tensor.of(3f).requiresGrad(true);
      Tensor constant = Tensor.of(4f, 5f);
      Tensor loss = a.mul(constant).sum();
      assertNull(a.grad());
      loss.backward();
      assertArrayEquals(new float[] {4f, 5f}, a.grad().toFloatArray());
      assertNull(unused.grad(), "not in the graph");
      assertNull(constant.grad(), "does not require grad");
    }

    @Test
    void backwardAccumulatesAndZeroResets() {
      Tensor a = Tensor.of(1f, -2f).requiresGrad(true);
      a.mul(3.0).sum().backward();
      Tensor grad = a.grad();
      a.mul(3.0).sum().backward();
      assertSame(grad, a.grad(), "accumulates into the same tensor, as PyTorch's .grad");
      assertArrayEquals(new float[] {6f, 6f}, a.grad().toFloatArray());
      a.grad().zero_();
      assertArrayEquals(new float[] {0f, 0f}, a.grad().toFloatArray());
      a.pow(2).sum().backward();
      assertArrayEquals(new float[] {2f, -4f}, a.grad().toFloatArray());
      a.setGrad(null);
      assertNull(a.grad());
    }

    @Test
    void gradientsOfSharedSubexpressionsAreSummed() {
      Tensor x = Tensor.of(0.5f, 2f).requiresGrad(true);
      Tensor y = x.mul(x);                // dy/dx = 2x
      Tensor z = y.add(y.mul(x)).add(x);  // x² + x³ + x
      z.sum().backward();
      float[] g = x.grad().toFloatArray();
      assertEquals(2 * 0.5f + 3 * 0.25f + 1, g[0], 1e-6);
      assertEquals(2 * 2f + 3 * 4f + 1, g[1], 1e-6);
    }

    @Test
    void onlyInputsThatRequireGradReceiveOne() {
      Tensor w = Tensor.of(2f).requiresGrad(true);
      Tensor frozen = Tensor.of(3f);
      w.mul(frozen).sum().backward();
      assertArrayEquals(new float[] {3f}, w.grad().toFloatArray());
      assertNull(frozen.grad());
    }
  }

  @Nested
  class Backward {
    @Test
    void onlyOnAScalarWithoutAGradient() {
      Tensor x = Tensor.ones(2, 3).requiresGrad(true);
      Tensor y = x.mul(2.0);
      IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
      assertMessage(e, "backward", "grad can be implicitly created only for scalar outputs", "[2, 3]");
      assertNull(x.grad());
    }

    @Test
    void withAGradientGivesTheVectorJacobianProduct() {
      Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad(true);
      Tensor y = x.mul(x);
      Tensor v = Tensor.of(0.1f, 1f, 10f);
      y.backward(v);
      float[] g = x.grad().toFloatArray();
      float[] expected = {2 * 1f * 0.1f, 2 * 2f * 1f, 2 * 3f * 10f};
      for (int i = 0; i < 3; i++) {
        assertEquals(expected[i], g[i], 1e-5);
      }
    }

    @Test
    void aGradientOfTheWrongShapeIsAnError() {
      Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad(true);
      Tensor y = x.mul(2.0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.of(1f, 2f)));
      assertMessage(e, "backward", "Mismatch in shape", "[2]", "[3]");
    }

    @Test
    void onATensorThatDoesNotRequireGradIsAnError() {
      Tensor y = Tensor.of(1f).mul(2.0);
      IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
      assertMessage(e, "backward", "does not require grad", "[1]");
    }

    @Test
    void fromALeafAccumulatesTheGradientItself() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      x.backward(Tensor.of(3f, 4f));
      assertArrayEquals(new float[] {3f, 4f}, x.grad().toFloatArray());
    }

    @Test
    void secondBackwardThroughAFreedGraphThrowsUnlessRetained() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor loss = x.exp().sum();
      loss.backward();
      IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
      assertMessage(e, "Trying to backward through the graph a second time", "retainGraph=true");

      Tensor x2 = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor loss2 = x2.exp().sum();
      loss2.backward(true);
      float[] once = x2.grad().toFloatArray();
      loss2.backward(Tensor.scalar(1), true);
      loss2.backward();
      float[] thrice = x2.grad().toFloatArray();
      for (int i = 0; i < 2; i++) {
        assertEquals(3 * once[i], thrice[i], 1e-5);
      }
      assertThrows(IllegalStateException.class, loss2::backward);
    }

    @Test
    void aGraphWhoseNodesSavedNoTensorMayRunAgain() {
      // PyTorch's test_backward_twice_without_saved_values: only saved tensors are freed (c = b + 1 saves none;
      // a mul by a number would: PyTorch keeps the number as a wrapped-scalar tensor, see BackwardTwiceTest)
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor c = x.add(1.0);
      c.sum().backward();
      c.sum().backward();
      assertArrayEquals(new float[] {2f, 2f}, x.grad().toFloatArray());
    }
  }

  @Nested
  class Leaves {
    @Test
    void onlyLeavesGetGradUnlessRetainGrad() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor h = x.mul(3.0);
      Tensor kept = x.add(1.0).retainGrad();
      Tensor loss = h.mul(kept).sum();
      assertTrue(x.isLeaf());
      assertFalse(h.isLeaf());
      loss.backward();
      assertNull(h.grad(), "a non-leaf keeps no grad");
      assertNotNull(kept.grad());
      assertArrayEquals(h.toFloatArray(), kept.grad().toFloatArray(), "d(h·k)/dk = h");
      assertNotNull(x.grad());
    }

    @Test
    void retainGradOnALeafChangesNothingAndNeedsRequiresGrad() {
      Tensor x = Tensor.of(1f).requiresGrad(true);
      assertSame(x, x.retainGrad());
      x.mul(2.0).sum().backward();
      assertArrayEquals(new float[] {2f}, x.grad().toFloatArray());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.of(1f).retainGrad());
      assertMessage(e, "retainGrad", "does not require grad");
    }

    @Test
    void requiresGradOnlyOnFloatLeaves() {
      Tensor x = Tensor.of(1f).requiresGrad(true);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.mul(2.0).requiresGrad(false));
      assertMessage(e, "requiresGrad", "leaf", "MulBackward0");
      Tensor y = x.mul(2.0);
      assertSame(y, y.requiresGrad(true), "true on a recorded result is a no-op, as in PyTorch");
      assertEquals("MulBackward0", y.gradFn().name());
      IllegalStateException e2 = assertThrows(IllegalStateException.class,
          () -> Tensor.indices(1, 2).requiresGrad(true));
      assertMessage(e2, "requiresGrad", "INT64");
    }

    @Test
    void gradFnNamesAreReadableAndPyTorchs() {
      Tensor x = Tensor.of(new float[][] {{1f, -2f}, {3f, 4f}}).requiresGrad(true);
      Tensor v = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor i = Tensor.indices(1, 0);
      assertEquals("AddBackward0", x.add(x).gradFn().name());
      assertEquals("AddBackward0", x.add(1.0).gradFn().name());
      assertEquals("SubBackward0", x.sub(1.0).gradFn().name());
      assertEquals("RsubBackward1", x.rsub(1.0).gradFn().name());
      assertEquals("MulBackward0", x.mul(2.0).gradFn().name());
      assertEquals("DivBackward0", x.div(x).gradFn().name());
      assertEquals("PowBackward0", x.pow(2).gradFn().name());
      assertEquals("NegBackward0", x.neg().gradFn().name());
      assertEquals("SumBackward0", x.sum().gradFn().name());
      assertEquals("SumBackward1", x.sum(0).gradFn().name());
      assertEquals("MeanBackward0", x.mean().gradFn().name());
      assertEquals("MeanBackward1", x.mean(1).gradFn().name());
      assertEquals("MaxBackward1", x.max().gradFn().name());
      assertEquals("MaxBackward0", x.max(1).gradFn().name());
      assertEquals("MmBackward0", x.matmul(x).gradFn().name());
      assertEquals("MvBackward0", x.matmul(v).gradFn().name());
      assertEquals("DotBackward0", v.matmul(v).gradFn().name());
      assertEquals("TBackward0", x.t().gradFn().name());
      assertEquals("TransposeBackward0", x.transpose(0, 1).gradFn().name());
      assertEquals("ReshapeAliasBackward0", x.reshape(4).gradFn().name());
      assertEquals("IndexBackward0", x.index(i).gradFn().name());
      assertEquals("SliceBackward0", x.slice(1, 0, 1).gradFn().name());
      assertEquals("CatBackward0", Tensor.cat(List.of(x, x), 0).gradFn().name());
      assertEquals("StackBackward0", Tensor.stack(x, x).gradFn().name());
      assertEquals("ReluBackward0", F.relu(x).gradFn().name());
      assertEquals("SigmoidBackward0", F.sigmoid(x).gradFn().name());
      assertEquals("TanhBackward0", F.tanh(x).gradFn().name());
      assertEquals("SoftmaxBackward0", F.softmax(x, 1).gradFn().name());
      assertEquals("LogSoftmaxBackward0", F.logSoftmax(x, 1).gradFn().name());
      assertEquals("MseLossBackward0", F.mseLoss(x, x.detach()).gradFn().name());
      assertEquals("NllLossBackward0", F.crossEntropy(x, i).gradFn().name());
      Tensor y = x.mul(2.0).add(1.0);
      assertEquals("AddBackward0", y.gradFn().toString());
      assertEquals("MulBackward0", y.gradFn().nextFunctions()[0].name());
      assertNull(x.gradFn(), "a leaf has no gradFn");
    }
  }

  @Nested
  class GradMode {
    @Test
    void noGradStopsRecordingAndScopesNest() {
      Tensor x = Tensor.of(1f).requiresGrad(true);
      assertTrue(Autograd.isGradEnabled());
      try (var outer = Autograd.noGrad()) {
        assertFalse(Autograd.isGradEnabled());
        Tensor y = x.mul(2.0);
        assertFalse(y.requiresGrad());
        assertTrue(y.isLeaf());
        try (var inner = Autograd.enableGrad()) {
          assertTrue(Autograd.isGradEnabled());
          assertTrue(x.mul(2.0).requiresGrad());
          try (var innermost = Autograd.setGradEnabled(false)) {
            assertFalse(x.mul(2.0).requiresGrad());
          }
          assertTrue(Autograd.isGradEnabled());
        }
        assertFalse(Autograd.isGradEnabled());
      }
      assertTrue(Autograd.isGradEnabled());
      assertTrue(x.mul(2.0).requiresGrad());
    }

    @Test
    void setGradEnabledIsAScopeToo() {
      try (var g = Autograd.setGradEnabled(false)) {
        assertFalse(Autograd.isGradEnabled());
        try (var h = Autograd.setGradEnabled(true)) {
          assertTrue(Autograd.isGradEnabled());
        }
        assertFalse(Autograd.isGradEnabled());
      }
      assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void theModeIsRestoredWhenTheBlockThrows() {
      assertThrows(IllegalStateException.class, () -> {
        try (var g = Autograd.noGrad()) {
          throw new IllegalStateException("boom");
        }
      });
      assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void noGradLambdaFormsRunWithRecordingOffAndRestoreTheMode() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      boolean[] sawEnabled = {true};
      Autograd.noGrad(() -> {
        sawEnabled[0] = Autograd.isGradEnabled();
      });
      assertFalse(sawEnabled[0]);
      assertTrue(Autograd.isGradEnabled());

      Tensor y = Autograd.noGrad(() -> x.mul(2.0));
      assertFalse(y.requiresGrad());
      assertNull(y.gradFn());
      assertArrayEquals(new float[] {2f, 4f}, y.toFloatArray());
      assertTrue(Autograd.isGradEnabled());

      try (var off = Autograd.setGradEnabled(false)) {
        Autograd.noGrad(() -> {
          try (var on = Autograd.enableGrad()) {
            assertTrue(x.mul(2.0).requiresGrad(), "scopes nest inside the lambda form");
          }
        });
        assertFalse(Autograd.isGradEnabled(), "the mode in force before the lambda, not `on`");
      }
      assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void noGradLambdaFormsRestoreTheModeWhenTheBodyThrows() {
      Runnable run = () -> {
        throw new IllegalStateException("boom");
      };
      Supplier<Tensor> get = () -> {
        throw new IllegalStateException("boom");
      };
      assertThrows(IllegalStateException.class, () -> Autograd.noGrad(run));
      assertTrue(Autograd.isGradEnabled());
      assertThrows(IllegalStateException.class, () -> Autograd.noGrad(get));
      assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void noGradLambdaAllowsTheOptimizerStepOnALeaf() {
      Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
      w.mul(w).sum().backward();
      Autograd.noGrad(() -> w.sub_(w.grad().mul(0.5)));
      assertArrayEquals(new float[] {0f, 0f}, w.toFloatArray());
      assertTrue(w.isLeaf());
      assertTrue(w.requiresGrad());
    }

    @Test
    void theModeIsThreadLocal() throws InterruptedException {
      AtomicBoolean otherThreadSaw = new AtomicBoolean(false);
      AtomicBoolean otherRecorded = new AtomicBoolean(false);
      try (var g = Autograd.noGrad()) {
        Thread t = new Thread(() -> {
          otherThreadSaw.set(Autograd.isGradEnabled());
          otherRecorded.set(Tensor.of(1f).requiresGrad(true).mul(2.0).requiresGrad());
        });
        t.start();
        t.join();
        assertFalse(Autograd.isGradEnabled());
      }
      assertTrue(otherThreadSaw.get(), "another thread keeps its own (enabled) mode");
      assertTrue(otherRecorded.get());
    }

    @Test
    void backwardRunsWithoutRecording() {
      Tensor x = Tensor.of(2f).requiresGrad(true);
      x.mul(x).sum().backward();
      assertFalse(x.grad().requiresGrad(), "gradients are not themselves recorded");
      assertTrue(x.grad().isLeaf());
    }

    @Test
    void detachSharesStorageButNotTheGraph() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor y = x.mul(2.0);
      Tensor d = y.detach();
      assertFalse(d.requiresGrad());
      assertNull(d.gradFn());
      assertSame(y.storage(), d.storage());
      Tensor loss = d.mul(x).sum();
      loss.backward();
      assertArrayEquals(new float[] {2f, 4f}, x.grad().toFloatArray(), "no gradient flows through d");
    }
  }

  @Nested
  class InPlace {
    void leafInPlaceIsAnErrorUnderGradMode(String op, Consumer<Tensor> f) {
      Tensor w = Tensor.of(new float[][] {{1f, 2f}, {3f, 4f}}).requiresGrad(true);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.accept(w));
      assertMessage(e, op + ": a leaf Variable that requires grad", "[2, 2]", "in-place operation",
          "Autograd.noGrad(() -> ...)");
      assertEquals(0, w.version(), "nothing changed");
      assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, w.toFloatArray());
      try (var g = Autograd.noGrad()) {
        f.accept(w);
      }
      assertEquals(1, w.version(), "allowed under noGrad, and counted");
      assertTrue(w.isLeaf());
      assertTrue(w.requiresGrad());
    }

    @Test
    void sub() {
      leafInPlaceIsAnErrorUnderGradMode("sub_", w -> w.sub_(Tensor.ones(2, 2)));
      leafInPlaceIsAnErrorUnderGradMode("sub_", w -> w.sub_(0.5));
    }

    @Test
    void add() {
      leafInPlaceIsAnErrorUnderGradMode("add_", w -> w.add_(Tensor.ones(2)));
      leafInPlaceIsAnErrorUnderGradMode("add_", w -> w.add_(0.5));
      leafInPlaceIsAnErrorUnderGradMode("add_", w -> w.add_(Tensor.ones(2, 2), -0.1));
    }

    @Test
    void mulDivZeroFillCopy() {
      leafInPlaceIsAnErrorUnderGradMode("mul_", w -> w.mul_(Tensor.ones(2, 2)));
      leafInPlaceIsAnErrorUnderGradMode("mul_", w -> w.mul_(2.0));
      leafInPlaceIsAnErrorUnderGradMode("div_", w -> w.div_(2.0));
      leafInPlaceIsAnErrorUnderGradMode("zero_", Tensor::zero_);
      leafInPlaceIsAnErrorUnderGradMode("fill_", w -> w.fill_(1.0));
      leafInPlaceIsAnErrorUnderGradMode("copy_", w -> w.copy_(Tensor.zeros(2)));
    }

    @Test
    void inPlaceOpsComputeWhatTheySayWithBroadcasting() {
      Tensor a = Tensor.of(new float[][] {{1f, 2f}, {3f, 4f}});
      a.add_(Tensor.of(10f, 20f));
      assertArrayEquals(new float[] {11f, 22f, 13f, 24f}, a.toFloatArray());
      a.sub_(1.0).mul_(2.0).div_(Tensor.of(2f, 2f));
      assertArrayEquals(new float[] {10f, 21f, 12f, 23f}, a.toFloatArray());
      a.add_(Tensor.ones(2, 2), 0.5);
      assertArrayEquals(new float[] {10.5f, 21.5f, 12.5f, 23.5f}, a.toFloatArray());
      assertEquals(5, a.version());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add_(Tensor.ones(3)));
      assertMessage(e, "add_", "[2, 2]", "[3]");
      IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> a.mul_(Tensor.ones(3, 2, 2)));
      assertMessage(e2, "mul_", "doesn't match the broadcast shape", "[3, 2, 2]");
    }

    @Test
    void aLeafThatDoesNotRequireGradMayChange() {
      Tensor a = Tensor.of(1f);
      a.zero_();
      assertArrayEquals(new float[] {0f}, a.toFloatArray());
    }

    @Test
    void onARecordedResultUnderGradModeIsRecorded() {
      Tensor x = Tensor.of(1f).requiresGrad(true);
      Tensor y = x.mul(2.0);
      Node before = y.gradFn();
      y.add_(1.0);
      assertEquals("AddBackward0", y.gradFn().name());
      assertSame(before, y.gradFn().nextFunctions()[0].node(), "the new node's input is the old value");
      assertFalse(y.isLeaf());
      y.backward();
      assertArrayEquals(new float[] {2f}, x.grad().toFloatArray());
    }

    @Test
    void changingASavedTensorMakesBackwardThrow() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor y = x.exp();             // ExpBackward0 saves its output
      Tensor loss = y.sum();
      try (var g = Autograd.noGrad()) {
        y.mul_(2.0);
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
      assertMessage(e, "ExpBackward0", "one of the variables needed for gradient computation has been modified by "
          + "an inplace operation", "[2]", "is at version 1; expected version 0");
    }

    @Test
    void changingASavedInputThatNeedsNoGradMakesBackwardThrow() {
      Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor data = Tensor.of(3f, 4f);
      Tensor loss = w.mul(data).sum();  // MulBackward0 saves data for dw
      data.add_(1.0);
      IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
      assertMessage(e, "MulBackward0", "modified by an inplace operation", "[2]");
    }

    @Test
    void onlyWhatAGradientReadsIsSavedAsInPyTorch() {
      Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor x = Tensor.of(3f, 4f);
      Tensor loss = w.mul(x).sum().add(w.mul(2.0).sum()).add(x.matmul(w));  // none of these reads w
      try (var g = Autograd.noGrad()) {
        w.sub_(10.0);
      }
      loss.backward();
      assertArrayEquals(new float[] {3f + 2f + 3f, 4f + 2f + 4f}, w.grad().toFloatArray());

      Tensor w2 = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor loss2 = Tensor.of(3f, 4f).matmul(w2);
      Tensor m = Tensor.of(new float[][] {{1f, 0f}, {0f, 1f}});
      Tensor loss3 = m.matmul(w2).sum();                 // MmBackward saves m for ∂w2
      m.mul_(2.0);
      loss2.backward();
      IllegalStateException e = assertThrows(IllegalStateException.class, loss3::backward);
      assertMessage(e, "MvBackward0", "[2, 2]", "version 1");
    }

    @Test
    void changingThroughADetachedAliasIsSeenToo() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor y = x.sigmoid();
      Tensor loss = y.sum();
      y.detach().zero_();
      assertEquals(1, y.version(), "detach shares the version counter");
      assertThrows(IllegalStateException.class, loss::backward);
    }

    @Test
    void anUnsavedTensorMayChange() {
      Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
      Tensor c = Tensor.of(5f, 5f);
      Tensor loss = x.add(c).sum();  // AddBackward0 saves nothing
      c.add_(1.0);
      loss.backward();
      assertArrayEquals(new float[] {1f, 1f}, x.grad().toFloatArray());
    }
  }

  @Nested
  class ZeroDimensional {
    @Test
    void reductionsAndStackAcceptScalars() {
      Tensor s = Tensor.scalar(2).requiresGrad(true);
      Tensor m = s.max(0);
      assertEquals(0, m.dim());
      Tensor loss = Tensor.stack(m, s.mul(3.0), s.sum(0)).sum();
      assertArrayEquals(new int[] {}, loss.shape());
      loss.backward();
      assertEquals(5f, s.grad().item());
    }
  }

  @Nested
  class Subgradients {
    @Test
    void reluAndAbsHaveZeroSlopeAtZero() {
      Tensor x = Tensor.of(-1f, 0f, 2f).requiresGrad(true);
      x.relu().sum().backward();
      assertArrayEquals(new float[] {0f, 0f, 1f}, x.grad().toFloatArray());
      Tensor y = Tensor.of(-1f, 0f, 2f).requiresGrad(true);
      y.abs().sum().backward();
      assertArrayEquals(new float[] {-1f, 0f, 1f}, y.grad().toFloatArray());
    }

    @Test
    void maxSplitsTiesEvenlyAndMaxDimPicksTheFirst() {
      Tensor x = Tensor.of(new float[][] {{3f, 1f, 3f}, {3f, 0f, 3f}}).requiresGrad(true);
      x.max().backward();
      assertArrayEquals(new float[] {0.25f, 0f, 0.25f, 0.25f, 0f, 0.25f}, x.grad().toFloatArray());
      Tensor y = Tensor.of(new float[][] {{3f, 1f, 3f}, {0f, 5f, 5f}}).requiresGrad(true);
      y.max(1).sum().backward();
      assertArrayEquals(new float[] {1f, 0f, 0f, 0f, 1f, 0f}, y.grad().toFloatArray());
    }
  }

  @Nested
  class Errors {
    @Test
    void shapeMismatchesNameTheOperationAndTheShapes() {
      Tensor a = Tensor.zeros(2, 3);
      assertMessage(assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(4))),
          "add", "[2, 3]", "[4]", "(3)", "(4)");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> a.mul(Tensor.zeros(3, 3))),
          "mul", "[2, 3]", "[3, 3]");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(2, 3))),
          "matmul", "[2, 3]", "2x3 and 2x3");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2)),
          "reshape", "[4, 2]", "size 6");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, Tensor.zeros(3, 3)), 1)),
          "cat", "[3, 3]", "dimension 1");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.stack(a, Tensor.zeros(3, 2))),
          "stack", "[2, 3]", "[3, 2]");
      assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> a.sum(2)),
          "sum", "dimension out of range", "got 2");
      assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> a.index(Tensor.indices(0, 5))),
          "index", "5", "size 2");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> a.index(Tensor.of(0f))),
          "index", "INT64", "FLOAT32");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> F.mseLoss(a, Tensor.zeros(3, 2))),
          "mseLoss", "[3, 2]", "[2, 3]");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> F.nllLoss(a, Tensor.of(0f, 1f))),
          "nllLoss", "INT64");
      assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> F.nllLoss(a, Tensor.indices(0, 3))),
          "nllLoss", "target 3", "3 classes");
      assertMessage(assertThrows(IllegalStateException.class, a::item), "item", "6 elements", "[2, 3]");
      assertMessage(assertThrows(IllegalArgumentException.class,
          () -> Tensor.cat(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0)), "cat", "zero-dimensional", "position 0");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).slice(0, 0, 1)),
          "slice", "0-dim");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(3), Tensor.indices(1))),
          "crossEntropy", "[3]", "[1]");
      assertMessage(assertThrows(IllegalArgumentException.class, () -> a.setGrad(Tensor.zeros(3))),
          "setGrad", "[3]", "[2, 3]");
    }
  }

  /** PyTorch's DivBackward0 saves its operands, not its result: changing the quotient in place is fine. */
  @Test
  void divSavesItsOperandsNotItsResult() {
    Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor b = Tensor.of(4f, 8f).requiresGrad(true);
    Tensor y = a.div(b);
    y.add_(1);
    y.sum().backward();
    assertArrayEquals(new float[] {0.25f, 0.125f}, a.grad().toFloatArray(), 0f);
    assertArrayEquals(new float[] {-1f / 16, -2f / 64}, b.grad().toFloatArray(), 1e-7f);
    Tensor a2 = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor b2 = Tensor.of(4f, 8f).requiresGrad(true);
    Tensor z = a2.mul(1).div(b2);
    Tensor numerator = a2.mul(2);
    Tensor w = numerator.div(b2);
    try (var g = Autograd.noGrad()) {
      numerator.add_(1); // saved by DivBackward0 since b2 requires grad
    }
    assertThrows(IllegalStateException.class, () -> w.sum().backward());
    z.sum().backward();
  }
}
