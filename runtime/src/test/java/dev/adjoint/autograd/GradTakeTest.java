package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The engine makes a leaf's first gradient its {@code grad} without copying it when the rule that made it
 * marked it {@link Grads#owned} and nothing else can hold it (PyTorch's {@code AccumulateGrad} steals a
 * gradient whose reference count says the same). Each case below would see a wrong value if a taken gradient
 * were also held somewhere else: later accumulation into one {@code grad} changes the other holder.
 */
class GradTakeTest {
  private static final Generator GEN = new Generator(3);

  private static Tensor x() {
    return Tensor.randn(GEN, 6, 5);
  }

  private static Tensor w() {
    return Tensor.randn(GEN, 4, 5).requiresGrad(true);
  }

  /** ∂ sum(x·Wᵀ) / ∂W: every row is the column sums of x. */
  private static float[] expected(Tensor x, int rows, float times) {
    float[] xs = x.toFloatArray();
    int in = x.shape()[1];
    float[] e = new float[rows * in];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < in; j++) {
        float s = 0;
        for (int i = 0; i < x.shape()[0]; i++) {
          s += xs[i * in + j];
        }
        e[r * in + j] = s * times;
      }
    }
    return e;
  }

  @Test
  void accumulatesIntoATakenGradient() {
    Tensor x = x();
    Tensor w = w();
    Tensor b = Tensor.zeros(4).requiresGrad(true);
    F.linear(x, w, b).sum().backward();
    F.linear(x, w, b).sum().backward();
    assertArrayEquals(expected(x, 4, 2), w.grad().toFloatArray(), 1e-4f);
    assertArrayEquals(new float[] {12, 12, 12, 12}, b.grad().toFloatArray(), 0f);
  }

  @Test
  void oneGradientGivenToTwoLeavesIsCopiedForEach() {
    Tensor x = x();
    Tensor w1 = w();
    Tensor w2 = w();
    // AddBackward0 passes the linear's (marked) weight gradient on to both leaves as one tensor
    F.linear(x, w1.add(w2), null).sum().backward();
    assertNotSame(w1.grad(), w2.grad());
    F.linear(x, w1.add(w2), null).sum().backward();
    assertArrayEquals(expected(x, 4, 2), w1.grad().toFloatArray(), 1e-4f);
    assertArrayEquals(expected(x, 4, 2), w2.grad().toFloatArray(), 1e-4f);
  }

  @Test
  void aGradientAHookSawIsNotTaken() {
    Tensor x = x();
    Tensor w = w();
    Tensor[] seen = new Tensor[1];
    w.registerHook(g -> {
      if (seen[0] == null) { // the first backward's gradient
        seen[0] = g;
      }
      return null;
    });
    F.linear(x, w, null).sum().backward();
    F.linear(x, w, null).sum().backward();
    assertArrayEquals(expected(x, 4, 1), seen[0].toFloatArray(), 1e-4f, "the hook's tensor changed");
    assertArrayEquals(expected(x, 4, 2), w.grad().toFloatArray(), 1e-4f);
  }

  @Test
  void aNonLeafHookSeesAGradientThatIsNotTakenLater() {
    Tensor x = x();
    Tensor w = w();
    Tensor v = w.view(4, 5);
    Tensor[] seen = new Tensor[1];
    v.registerHook(g -> {
      if (seen[0] == null) { // the first backward's gradient
        seen[0] = g;
      }
      return null;
    });
    v.retainGrad();
    F.linear(x, v, null).sum().backward(null, true);
    F.linear(x, v, null).sum().backward();
    assertArrayEquals(expected(x, 4, 1), seen[0].toFloatArray(), 1e-4f, "the hook's tensor changed");
    assertArrayEquals(expected(x, 4, 2), w.grad().toFloatArray(), 1e-4f);
    assertArrayEquals(expected(x, 4, 2), v.grad().toFloatArray(), 1e-4f);
  }

  @Test
  void autogradGradResultsAreNotTakenByALaterBackward() {
    Tensor x = x();
    Tensor w = w();
    Tensor g = Autograd.grad(F.linear(x, w, null).sum(), w)[0];
    assertNull(w.grad());
    // the captured gradient as the root gradient of an identity: w.grad must not become g itself
    w.mul(1f).backward(g);
    assertNotSame(g, w.grad());
    w.mul(1f).backward(g);
    assertArrayEquals(expected(x, 4, 1), g.toFloatArray(), 1e-4f, "Autograd.grad's result changed");
  }

  @Test
  void aCustomFunctionKeepsTheGradientItWasGiven() {
    Tensor x = x();
    Tensor w = w();
    Tensor[] kept = new Tensor[1];
    Tensor y = new Function() {
      @Override
      public Tensor[] forward(Ctx ctx, Object... in) {
        return new Tensor[] {((Tensor) in[0]).detach()};
      }

      @Override
      public Tensor[] backward(Ctx ctx, Tensor... g) {
        kept[0] = g[0];
        return new Tensor[] {g[0]};
      }
    }.apply(F.linear(x, w, null));
    // an anonymous Function's node is named after its binary name (outsider 12: it was "Backward")
    assertEquals("GradTakeTest$1Backward", y.gradFn().name());
    y.sum().backward();
    Tensor v = w.view(4, 5);
    F.linear(x, v, null).sum().backward();
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, firstColumn(kept[0]), 0f);
    assertArrayEquals(expected(x, 4, 2), w.grad().toFloatArray(), 1e-4f);
  }

  private static float[] firstColumn(Tensor t) {
    float[] a = t.toFloatArray();
    int cols = t.shape()[1];
    float[] c = new float[t.shape()[0]];
    for (int i = 0; i < c.length; i++) {
      c[i] = a[i * cols];
    }
    return c;
  }

  @Test
  void theWeightGradientIsNotCopied() {
    Tensor x = Tensor.randn(GEN, 64, 512);
    Tensor w = Tensor.randn(GEN, 256, 512).requiresGrad(true);
    com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long least = Long.MAX_VALUE;
    for (int rep = 0; rep < 5; rep++) { // the first calls load classes and fill caches
      w.setGrad(null);
      Tensor loss = F.linear(x, w, null).sum();
      long a0 = tmx.getCurrentThreadAllocatedBytes();
      loss.backward();
      least = Math.min(least, tmx.getCurrentThreadAllocatedBytes() - a0);
    }
    long weightBytes = 4L * 256 * 512;
    // the product's own result is one weight-sized array (with the loss's upstream gradient and the kernels'
    // task objects: about 1.5 of them in all); a copy into grad would be a second whole one
    assertTrue(least < weightBytes * 2, "backward allocated " + least + " bytes for a " + weightBytes
        + "-byte weight gradient: the gradient was copied");
  }
}
