package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.rules.LinearRules;
import java.lang.reflect.Method;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The fused {@code F.linear} primitive: PyTorch golden, central differences, metadata and errors. */
class LinearRuleTest {

  private static Tensor tensor(JsonObject o) {
    JsonArray shape = o.getAsJsonArray("shape");
    int[] s = new int[shape.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape.get(i).getAsInt();
    }
    return Tensor.wrap(floats(o.getAsJsonArray("data")), s);
  }

  private static float[] floats(JsonArray a) {
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = a.get(i).getAsFloat();
    }
    return f;
  }

  private static void assertClose(float[] want, float[] got, double tol) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), "element " + i);
    }
  }

  @Test
  void matchesPyTorchForwardAndBackward() {
    JsonObject g = Goldens.json("linear.json");
    Tensor x = tensor(g.getAsJsonObject("x")).requiresGrad(true);
    Tensor w = tensor(g.getAsJsonObject("weight")).requiresGrad(true);
    Tensor b = tensor(g.getAsJsonObject("bias")).requiresGrad(true);
    Tensor out = F.linear(x, w, b);
    assertArrayEquals(new int[] {3, 5}, out.shape());
    assertEquals("AddmmBackward0", out.gradFn().name());
    assertClose(floats(g.getAsJsonObject("out").getAsJsonArray("data")), out.toFloatArray(), 1e-6);
    out.backward(tensor(g.getAsJsonObject("upstream")));
    assertClose(floats(g.getAsJsonArray("gradX")), x.grad().toFloatArray(), 1e-6);
    assertClose(floats(g.getAsJsonArray("gradWeight")), w.grad().toFloatArray(), 1e-6);
    assertClose(floats(g.getAsJsonArray("gradBias")), b.grad().toFloatArray(), 1e-6);
  }

  @Test
  void equalsTheUnfusedComposite() {
    Generator gen = new Generator(3);
    Tensor x = Tensor.randn(gen, 7, 13);
    Tensor w = Tensor.randn(gen, 5, 13);
    Tensor b = Tensor.randn(gen, 5);
    Tensor fused = F.linear(x, w, b);
    Tensor composite = x.matmul(w.t()).add(b);
    assertTrue(fused.allclose(composite, 1e-5, 1e-5), fused + " vs " + composite);
  }

  /** Random-direction central differences in float32 (the map is linear in each argument). */
  private static void checkGradient(Tensor x, Tensor w, Tensor b, long seed) {
    Generator gen = new Generator(seed);
    Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
    Tensor out = LinearRules.linear(x, w, b);
    Tensor c = Tensor.randn(gen, out.shape());
    Grads grads = LinearRules.linearVjp(c, out, x, w, b);
    Function<Tensor[], Double> f = in -> {
      Tensor o = LinearRules.linear(in[0], in[1], in.length > 2 ? in[2] : null);
      double s = 0;
      for (int i = 0; i < o.numel(); i++) {
        s += (double) o.storage()[i] * c.storage()[i];
      }
      return s;
    };
    double eps = 1e-2;
    for (int k = 0; k < inputs.length; k++) {
      Tensor dir = Tensor.randn(gen, inputs[k].shape());
      Tensor[] plus = inputs.clone();
      Tensor[] minus = inputs.clone();
      plus[k] = inputs[k].add(dir.mul(eps));
      minus[k] = inputs[k].sub(dir.mul(eps));
      double numeric = (f.apply(plus) - f.apply(minus)) / (2 * eps);
      double analytic = 0;
      for (int i = 0; i < dir.numel(); i++) {
        analytic += (double) grads.get(k).storage()[i] * dir.storage()[i];
      }
      assertEquals(numeric, analytic, 2e-3 * Math.max(1, Math.abs(numeric)), "input " + k);
    }
    if (b == null) {
      assertNull(grads.get(2));
    }
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Generator gen = new Generator(11);
    checkGradient(Tensor.randn(gen, 4, 6), Tensor.randn(gen, 3, 6), Tensor.randn(gen, 3), 1);
    checkGradient(Tensor.randn(gen, 2, 3, 6), Tensor.randn(gen, 5, 6), Tensor.randn(gen, 5), 2);
    checkGradient(Tensor.randn(gen, 6), Tensor.randn(gen, 2, 6), null, 3);
    checkGradient(Tensor.randn(gen, 65, 33), Tensor.randn(gen, 17, 33), Tensor.randn(gen, 17), 4);
  }

  @Test
  void leadingDimensionsAndNoBias() {
    Tensor x = Tensor.arange(12).reshape(2, 3, 2);
    Tensor w = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}});
    Tensor y = F.linear(x, w, null);
    assertArrayEquals(new int[] {2, 3, 3}, y.shape());
    assertArrayEquals(new float[] {0, 1, 1, 2, 3, 5}, java.util.Arrays.copyOf(y.toFloatArray(), 6));
  }

  @Test
  void skipsTheInputGradientWhenTheInputIsData() {
    Tensor x = Tensor.ones(2, 3);
    Tensor w = Tensor.ones(4, 3).requiresGrad(true);
    Tensor b = Tensor.zeros(4).requiresGrad(true);
    F.linear(x, w, b).sum().backward();
    assertNull(x.grad());
    assertArrayEquals(Tensor.full(2f, 4, 3).toFloatArray(), w.grad().toFloatArray());
    assertArrayEquals(Tensor.full(2f, 4).toFloatArray(), b.grad().toFloatArray());
  }

  @Test
  void shapeErrorsNameTheShapes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> F.linear(Tensor.ones(2, 3), Tensor.ones(4, 5), Tensor.ones(4)));
    assertEquals("linear: input of shape [2, 3] does not fit weight of shape [4, 5] (expected input "
        + "(..., in_features) and weight (out_features, in_features))", e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> F.linear(Tensor.ones(2, 3), Tensor.ones(4, 3), Tensor.ones(3)));
    assertTrue(e2.getMessage().startsWith("linear: bias of shape [3] does not fit weight of shape [4, 3]"),
        e2.getMessage());
  }

  @Test
  void primitiveMetadataNamesAnExistingAdjoint() throws Exception {
    Method m = F.class.getMethod("linear", Tensor.class, Tensor.class, Tensor.class);
    Primitive p = m.getAnnotation(Primitive.class);
    assertEquals(LinearRules.class, p.rules());
    assertEquals("AddmmBackward0", p.node());
    Method vjp = p.rules().getMethod(p.vjp(), Tensor.class, Tensor.class, Tensor.class, Tensor.class, Tensor.class);
    assertEquals(Grads.class, vjp.getReturnType());
  }

  /**
   * The packed-weight cache of {@link Linear}: same bits as the uncached rule on the first, second
   * (packing) and later calls, and never stale: after an in-place update ({@code sub_}), an optimizer-style
   * write with {@code bumpVersion()} and a {@code load}-style {@code copy_}, the output follows the new weight.
   */
  @Test
  void weightCacheIsBitExactAndNeverStale() {
    Generator gen = new Generator(3);
    Linear layer = new Linear(300, 70, true, gen);
    Tensor x = Tensor.randn(gen, 64, 300);
    for (int call = 0; call < 3; call++) {
      try (var g = dev.adjoint.Autograd.noGrad()) {
        Tensor want = LinearRules.linear(x, layer.weight(), layer.bias());
        assertArrayEquals(want.toFloatArray(), layer.forward(x).toFloatArray(), "call " + call);
      }
    }
    try (var g = dev.adjoint.Autograd.noGrad()) {
      layer.weight().sub_(0.25);
      assertArrayEquals(LinearRules.linear(x, layer.weight(), layer.bias()).toFloatArray(),
          layer.forward(x).toFloatArray(), "after sub_");
      layer.forward(x); // packs the new version
      layer.weight().storage()[5] += 1f; // an optimizer's direct write ...
      layer.weight().bumpVersion(); // ... and its version bump
      assertArrayEquals(LinearRules.linear(x, layer.weight(), layer.bias()).toFloatArray(),
          layer.forward(x).toFloatArray(), "after a direct write with bumpVersion");
      layer.forward(x);
      layer.weight().copy_(Tensor.zeros(70, 300));
      float[] out = layer.forward(x).toFloatArray();
      float[] bias = layer.bias().toFloatArray();
      for (int i = 0; i < out.length; i++) {
        assertEquals(bias[i % 70], out[i], 0f, "after copy_ the output is the bias");
      }
    }
  }

  /** Sequential fuses Linear + ReLU under no-grad only, to the same bits; the fused rule refuses grad mode. */
  @Test
  void sequentialFusesLinearReluUnderNoGradToTheSameBits() {
    Generator gen = new Generator(4);
    Linear l1 = new Linear(40, 33, true, gen);
    Linear l2 = new Linear(33, 5, true, gen);
    Sequential net = new Sequential(l1, new ReLU(), l2, new ReLU());
    Tensor x = Tensor.randn(gen, 9, 40);
    float[] want = l2.forward(l1.forward(x).relu()).relu().toFloatArray();
    Tensor graded = net.forward(x);
    assertArrayEquals(want, graded.toFloatArray());
    assertEquals("ReluBackward0", graded.gradFn().name()); // grad mode: unfused and recorded
    try (var g = dev.adjoint.Autograd.noGrad()) {
      Tensor fused = net.forward(x);
      assertArrayEquals(want, fused.toFloatArray());
      assertNull(fused.gradFn());
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LinearRules.linearRelu(x, l1.weight(), l1.bias(), null));
    assertTrue(e.getMessage().contains("linearRelu"), e.getMessage());
  }
}
