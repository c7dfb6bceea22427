package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Linear;
import dev.adjoint.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Grads#into}: an adjoint writing a leaf's gradient straight into the {@code grad} that
 * {@code zeroGrad()} left zeroed. Every case compares the bits with the same computation on gradients set to
 * {@code null} (fresh arrays, the path without the buffer).
 */
class GradIntoTest {

  /** Three SGD steps of {@code loss(layer)}; returns each step's gradients, and checks the grad's identity. */
  private static List<float[][]> train(Linear l, Function<Linear, Tensor> loss, boolean inPlace) {
    SGD opt = new SGD(l.parameters(), 0.1);
    List<float[][]> grads = new ArrayList<>();
    Tensor first = null;
    for (int step = 0; step < 3; step++) {
      opt.zeroGrad(!inPlace);
      loss.apply(l).backward();
      if (inPlace && step == 1) {
        first = l.weight().grad();
      } else if (inPlace && step == 2) {
        assertSame(first, l.weight().grad(), "the weight keeps one gradient buffer from step to step");
      }
      grads.add(new float[][] {l.weight().grad().toFloatArray(), l.bias().grad().toFloatArray()});
      opt.step();
    }
    return grads;
  }

  private static void assertSameGradients(Function<Linear, Tensor> loss) {
    List<float[][]> inPlace = train(new Linear(6, 6, true, new Generator(3)), loss, true);
    List<float[][]> fresh = train(new Linear(6, 6, true, new Generator(3)), loss, false);
    for (int s = 0; s < inPlace.size(); s++) {
      assertArrayEquals(fresh.get(s)[0], inPlace.get(s)[0], "weight gradient, step " + s);
      assertArrayEquals(fresh.get(s)[1], inPlace.get(s)[1], "bias gradient, step " + s);
    }
  }

  private static final Tensor X = Tensor.randn(new Generator(9), 5, 6);

  @Test
  void aLinearLayerWritesIntoItsZeroedGradsWithTheBitsOfFreshOnes() {
    assertSameGradients(l -> l.forward(X).relu().sum());
  }

  @Test
  void aLayerUsedTwiceGetsTheSumOfBothUses() {
    // two nodes send the weight a gradient: neither may write into the grad, the engine sums as before
    assertSameGradients(l -> l.forward(l.forward(X).tanh()).pow(2).sum());
  }

  @Test
  void withoutZeroGradTheGradientsStillAccumulate() {
    Linear l = new Linear(6, 6, true, new Generator(3));
    l.forward(X).sum().backward();
    float[] once = l.weight().grad().toFloatArray();
    l.forward(X).sum().backward(); // the grad holds the first gradient: not zero, so nothing is handed out
    float[] twice = l.weight().grad().toFloatArray();
    for (int i = 0; i < once.length; i++) {
      assertArrayEquals(new float[] {once[i] + once[i]}, new float[] {twice[i]}, "element " + i);
    }
  }

  @Test
  void aHookOnTheLeafSeesTheGradientAndNothingIsHandedOut() {
    Linear l = new Linear(6, 6, true, new Generator(3));
    l.forward(X).sum().backward();
    float[] expected = l.weight().grad().toFloatArray();
    l.zeroGrad();
    Tensor[] seen = new Tensor[1];
    l.weight().registerHook(g -> {
      seen[0] = g;
      return g;
    });
    l.forward(X).sum().backward();
    assertNotNull(seen[0]);
    assertArrayEquals(expected, seen[0].toFloatArray());
    assertArrayEquals(expected, l.weight().grad().toFloatArray());
  }

  /** {@code w·c} recorded with an adjoint that takes {@code w}'s buffer and returns {@code result(buffer)}. */
  private static Tensor scaled(Tensor w, Tensor c, Function<Tensor, Tensor> result, Tensor[] handed) {
    Tensor out;
    try (var g = Autograd.noGrad()) {
      out = w.mul(c);
    }
    return Autograd.record("ScaledBackward", null, out, new Tensor[] {w}, new Tensor[0], up -> {
      Tensor buffer = Grads.into(w);
      handed[0] = buffer;
      if (buffer != null) {
        float[] d = buffer.storage();
        float[] u = up.toFloatArray();
        float[] cs = c.toFloatArray();
        for (int i = 0; i < d.length; i++) {
          d[i] += u[i] * cs[i];
        }
      }
      return Grads.of(result.apply(buffer));
    });
  }

  @Test
  void theGradHoldsExactlyWhatTheAdjointReturns() {
    Tensor w = Tensor.of(1f, 2f, 3f).requiresGrad(true);
    Tensor c = Tensor.of(2f, 3f, 4f);
    Tensor[] handed = new Tensor[1];
    w.mul(c).sum().backward(); // a first gradient, then zeroed in place
    w.grad().zero_();
    Tensor grad = w.grad();

    scaled(w, c, b -> b, handed).sum().backward();
    assertSame(grad, handed[0], "the zeroed grad is handed to the only adjoint that reaches the leaf");
    assertSame(grad, w.grad());
    assertArrayEquals(new float[] {2f, 3f, 4f}, grad.toFloatArray());

    // not zero now: nothing is handed out, and the engine adds as before
    scaled(w, c, b -> b == null ? Tensor.of(1f, 1f, 1f) : b, handed).sum().backward();
    assertNull(handed[0]);
    assertArrayEquals(new float[] {3f, 4f, 5f}, grad.toFloatArray());

    // an adjoint that returns another tensor built from the buffer: the grad is that tensor, not buffer + it
    grad.zero_();
    scaled(w, c, b -> b.add(Tensor.of(10f, 10f, 10f)), handed).sum().backward();
    assertSame(grad, handed[0]);
    assertArrayEquals(new float[] {12f, 13f, 14f}, w.grad().toFloatArray());

    // an adjoint that writes into the buffer and then returns no gradient: the grad stays zero
    grad.zero_();
    scaled(w, c, b -> null, handed).sum().backward();
    assertSame(grad, handed[0]);
    assertArrayEquals(new float[3], w.grad().toFloatArray());
  }

  @Test
  void aChangeAfterZeroingMeansTheGradIsNotHandedOut() {
    Tensor w = Tensor.of(1f, 2f, 3f).requiresGrad(true);
    Tensor c = Tensor.of(2f, 3f, 4f);
    Tensor[] handed = new Tensor[1];
    w.mul(c).sum().backward();
    w.grad().zero_();
    w.grad().add_(Tensor.of(1f, 1f, 1f)); // the version moved on
    scaled(w, c, b -> b == null ? c.clone() : b, handed).sum().backward();
    assertNull(handed[0]);
    assertArrayEquals(new float[] {3f, 4f, 5f}, w.grad().toFloatArray());
  }

  @Test
  void noBufferOutsideAPlainBackward() {
    Tensor w = Tensor.of(1f, 2f, 3f).requiresGrad(true);
    Tensor c = Tensor.of(2f, 3f, 4f);
    Tensor[] handed = new Tensor[1];
    w.mul(c).sum().backward();
    w.grad().zero_();
    Tensor[] g = Autograd.grad(scaled(w, c, b -> b == null ? c.clone() : b, handed).sum(), w);
    assertNull(handed[0], "Autograd.grad accumulates into no grad");
    assertArrayEquals(new float[] {2f, 3f, 4f}, g[0].toFloatArray());
    assertArrayEquals(new float[3], w.grad().toFloatArray());
    assertNull(Grads.into(w), "outside a backward");
  }
}
