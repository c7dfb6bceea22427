package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.shape.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Recorded in-place operations against PyTorch 1.13 (goldens/inplace.json, written by
 * {@code src/test/python/inplace_goldens.py}). Each op case runs {@code t = x.clone(); t.op_(...);
 * t.backward(c)} and compares the result, the node name and the gradients of {@code x} and of the
 * operand; the scenarios are test_autograd.py's in-place cases (test_inplace, test_requires_grad_inplace, ...,
 * named on each test), translated without views, with the values and error messages PyTorch printed.
 */
class InPlaceGoldenTest {
  static final JsonObject G = Goldens.load("inplace.json");
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  /** {@code torch.clone}: the values of {@code x} as a recorded result whose gradient is passed on unchanged. */
  static Tensor cloneOf(Tensor x) {
    return x.mul(1.0);
  }

  static Tensor call(String method, Tensor t, Tensor w, List<Double> p) {
    return switch (method) {
      case "add_(Tensor)" -> t.add_(w);
      case "sub_(Tensor)" -> t.sub_(w);
      case "mul_(Tensor)" -> t.mul_(w);
      case "div_(Tensor)" -> t.div_(w);
      case "add_(Tensor,double)" -> t.add_(w, p.get(0));
      case "copy_(Tensor)" -> t.copy_(w);
      case "add_(double)" -> t.add_(p.get(0));
      case "sub_(double)" -> t.sub_(p.get(0));
      case "mul_(double)" -> t.mul_(p.get(0));
      case "div_(double)" -> t.div_(p.get(0));
      case "fill_(double)" -> t.fill_(p.get(0));
      case "zero_()" -> t.zero_();
      case "neg_()" -> t.neg_();
      case "exp_()" -> t.exp_();
      case "log_()" -> t.log_();
      case "sqrt_()" -> t.sqrt_();
      case "abs_()" -> t.abs_();
      case "sin_()" -> t.sin_();
      case "cos_()" -> t.cos_();
      case "tanh_()" -> t.tanh_();
      case "sigmoid_()" -> t.sigmoid_();
      case "relu_()" -> t.relu_();
      case "pow_(double)" -> t.pow_(p.get(0));
      case "clamp_(double,double)" -> t.clamp_(p.get(0), p.get(1));
      default -> throw new AssertionError("no call for " + method);
    };
  }

  static void assertClose(String what, Tensor expected, Tensor actual) {
    assertNotNull(actual, what + ": missing");
    assertEquals(Shapes.str(expected.shape), Shapes.str(actual.shape), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double scale = 0;
    for (float v : e) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < e.length; i++) {
      double tol = RTOL * Math.abs(e[i]) + ATOL * Math.max(1, scale);
      int k = i;
      assertTrue(Math.abs(e[i] - a[i]) <= tol || Float.isNaN(e[i]) && Float.isNaN(a[i]),
          () -> what + "[" + k + "]: expected " + e[k] + " but was " + a[k]);
    }
  }

  static Tensor tensorOrNull(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : Goldens.tensor(e);
  }

  @TestFactory
  List<DynamicTest> everyInPlaceOpMatchesPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, JsonElement> c : G.getAsJsonObject("ops").entrySet()) {
      JsonObject o = c.getValue().getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.getKey() + " " + o.get("method").getAsString(), () -> {
        boolean selfGrad = o.get("self_requires_grad").getAsBoolean();
        Tensor x = Goldens.tensor(o.get("self")).requiresGrad(selfGrad);
        Tensor w0 = tensorOrNull(o, "operand");
        Tensor w = w0 == null ? null : w0.requiresGrad(true);
        List<Double> p = new ArrayList<>();
        o.getAsJsonArray("params").forEach(e -> p.add(e.getAsDouble()));
        Tensor t = selfGrad ? cloneOf(x) : x;
        Tensor r = call(o.get("method").getAsString(), t, w, p);
        assertTrue(r == t, "returns this");
        assertEquals(o.get("grad_fn").getAsString(), t.gradFn().name());
        assertTrue(t.requiresGrad());
        assertFalse(t.isLeaf());
        assertClose("out", Goldens.tensor(o.get("out")), t);
        t.backward(Goldens.tensor(o.get("upstream")));
        Tensor selfGradGolden = tensorOrNull(o, "self_grad");
        if (selfGradGolden == null) {
          assertNull(x.grad(), "no gradient reaches self");
        } else {
          assertClose("self grad", selfGradGolden, x.grad());
        }
        Tensor operandGrad = tensorOrNull(o, "operand_grad");
        if (operandGrad != null) {
          assertClose("operand grad", operandGrad, w.grad());
        } else if (w != null) {
          assertNull(w.grad());
        }
      }));
    }
    assertEquals(42, tests.size(), "every golden case is used");
    return tests;
  }

  // ------------------------------------------------------------------------------------------------
  // Scenarios: PyTorch's values and messages for the translated test_autograd.py cases

  static JsonObject scenario(String name) {
    return G.getAsJsonObject("scenarios").getAsJsonObject(name);
  }

  private static final Pattern VERSIONS = Pattern.compile("is at version (\\d+); expected version (\\d+) instead");

  /**
   * Our message has PyTorch's words up to "instead." (without the {@code torch.} of the type name): the
   * shape, the node that made the changed tensor and both versions.
   */
  static void assertSameVersionError(String torchMessage, Throwable ours) {
    assertNotNull(torchMessage, "PyTorch raised here");
    Matcher m = VERSIONS.matcher(torchMessage);
    assertTrue(m.find(), torchMessage);
    String expected = torchMessage.substring(0, m.end()).replace("[torch.FloatTensor", "[FloatTensor");
    assertTrue(ours.getMessage().contains(expected), () -> "PyTorch: " + torchMessage + "\nours: " + ours.getMessage());
  }

  static IllegalStateException backwardFails(Runnable backward) {
    return assertThrows(IllegalStateException.class, backward::run);
  }

  @Test
  void leafErrorHasPyTorchsWords() {
    String torch = scenario("leaf_error").get("message").getAsString();
    Tensor w = Tensor.ones(2, 2).requiresGrad(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.add_(1.0));
    assertTrue(e.getMessage().contains(torch.substring(0, torch.length() - 1)), e.getMessage());
  }

  /** test_inplace, all four blocks. */
  @Test
  void testInplace() {
    JsonObject s = scenario("inplace");
    Tensor x = Tensor.ones(5, 5).requiresGrad(true);
    Tensor y = Tensor.ones(5, 5).mul(4.0).requiresGrad(true);

    Tensor z = x.mul(y);
    Tensor q = z.add(y);
    Tensor w = z.mul(y);
    z.add_(2.0);
    q.backward(Tensor.ones(5, 5), true);
    Tensor w1 = w;
    assertSameVersionError(s.get("block1_w_error").getAsString(), backwardFails(() -> w1.backward(Tensor.ones(5, 5))));

    z = x.mul(y);
    Tensor q2 = z.mul(y);
    Tensor r = z.add(y);
    w = z.add_(y);
    w.backward(Tensor.ones(5, 5), true);
    r.backward(Tensor.ones(5, 5), true);
    assertSameVersionError(s.get("block2_q_error").getAsString(), backwardFails(() -> q2.backward(Tensor.ones(5, 5))));

    try (var g = Autograd.noGrad()) {
      x.grad().zero_();
    }
    Tensor m = x.div(2.0);
    z = m.add(y.div(8.0));
    Tensor q3 = z.mul(y);
    r = z.add(y);
    int prev = z.version();
    w = z.exp_();
    assertTrue(z.version() != prev);
    r.backward(Tensor.ones(5, 5), true);
    assertClose("x.grad after r", Goldens.tensor(s.get("block3_x_grad_after_r")), x.grad());
    w.backward(Tensor.ones(5, 5), true);
    assertClose("x.grad after w", Goldens.tensor(s.get("block3_x_grad_after_w")), x.grad());
    assertSameVersionError(s.get("block3_q_error").getAsString(), backwardFails(() -> q3.backward(Tensor.ones(5, 5))));

    Tensor leaf = Tensor.ones(5, 5).requiresGrad(true);
    Tensor x4 = cloneOf(leaf);
    x4.add_(10.0);
    assertClose("x", Goldens.tensor(s.get("block4_x")), x4);
    Tensor y4 = x4.add(2.0);
    y4.backward(Tensor.ones(5, 5));
    assertClose("leaf.grad", Goldens.tensor(s.get("block4_leaf_grad")), leaf.grad());
    Tensor z4 = x4.mul(y4);
    x4.add_(2.0);
    assertSameVersionError(s.get("block4_z_error").getAsString(), backwardFails(() -> z4.backward(Tensor.ones(5, 5))));
  }

  /**
   * test_no_grad_modifies_version, test_saved_variable_version_counter, and what a later change does to a
   * node that saved its result (exp_), a copy (sin_), its operand (mul_) or nothing (add_).
   */
  @Test
  void versionErrorsMatch() {
    Tensor x = Tensor.of(0.5f, -1f, 2f, 0.25f, 3f).requiresGrad(true);
    Tensor y = Tensor.of(1f, 2f, 3f, 4f, 5f).requiresGrad(true);
    Tensor z = x.mul(y).sum();
    try (var g = Autograd.noGrad()) {
      x.mul_(2.0);
    }
    assertSameVersionError(scenario("no_grad_modifies_version").get("error").getAsString(), backwardFails(z::backward));

    JsonObject s = scenario("saved_variable_version_counter");
    Tensor a = Tensor.of(0.5f, -1f).requiresGrad(true);
    Tensor b = a.exp();
    assertEquals(s.get("version_before").getAsInt(), b.version());
    try (var g = Autograd.noGrad()) {
      b.add_(1.0);
    }
    assertEquals(s.get("version_after").getAsInt(), b.version());
    assertSameVersionError(s.get("error").getAsString(), backwardFails(() -> b.sum().backward()));

    JsonObject r = scenario("saved_result_then_changed");
    Tensor t = cloneOf(Tensor.of(0.5f, -1f).requiresGrad(true));
    t.exp_();
    t.mul_(2.0);
    assertSameVersionError(r.get("exp_then_mul").getAsString(), backwardFails(() -> t.sum().backward()));

    Tensor x2 = Tensor.of(0.5f, -1f).requiresGrad(true);
    Tensor t2 = cloneOf(x2);
    t2.sin_();
    t2.mul_(2.0);
    t2.sum().backward();
    assertClose("sin_ then mul_", Goldens.tensor(r.get("sin_then_mul_grad")), x2.grad());

    Tensor w = Tensor.of(3f, 4f);
    Tensor t3 = cloneOf(Tensor.of(0.5f, -1f).requiresGrad(true));
    t3.mul_(w);
    w.add_(1.0);
    assertSameVersionError(r.get("operand_changed").getAsString(), backwardFails(() -> t3.sum().backward()));

    Tensor w4 = Tensor.of(3f, 4f).requiresGrad(true);
    Tensor t4 = cloneOf(Tensor.of(0.5f, -1f).requiresGrad(true));
    t4.add_(w4);
    try (var g = Autograd.noGrad()) {
      w4.mul_(5.0);
    }
    t4.sum().backward();
    assertClose("add_ saves nothing", Goldens.tensor(r.get("add_operand_changed_grad")), w4.grad());
  }

  /** {@code t.op_(t)}: mul_ and div_ saved t and fail in backward, as PyTorch; add_, sub_, copy_ do not. */
  @Test
  void anOperandThatIsSelf() {
    JsonObject s = scenario("self_operand");
    for (String name : List.of("add", "sub", "mul", "div", "copy")) {
      JsonObject c = s.getAsJsonObject(name);
      Tensor x = Tensor.of(1.5f, -2f).requiresGrad(true);
      Tensor t = cloneOf(x);
      switch (name) {
        case "add" -> t.add_(t);
        case "sub" -> t.sub_(t);
        case "mul" -> t.mul_(t);
        case "div" -> t.div_(t);
        default -> t.copy_(t);
      }
      assertClose(name + " out", Goldens.tensor(c.get("out")), t);
      if (c.get("error").isJsonNull()) {
        t.sum().backward();
        assertClose(name + " grad", Goldens.tensor(c.get("x_grad")), x.grad());
      } else {
        assertSameVersionError(c.get("error").getAsString(), backwardFails(() -> t.sum().backward()));
      }
    }
  }

  /** test_retain_grad_inplace: retainGrad moves to the new node; a.grad is the gradient of a's current value. */
  @Test
  void testRetainGradInplace() {
    JsonObject rg = scenario("retain_grad_inplace");
    Tensor a = cloneOf(Tensor.of(1f).requiresGrad(true)).retainGrad();
    a.mul_(2.0);
    a.sum().backward();
    assertClose("once", Goldens.tensor(rg.get("once")), a.grad());
    Tensor a2 = cloneOf(Tensor.of(1f).requiresGrad(true)).retainGrad();
    a2.mul_(2.0).mul_(2.0);
    a2.sum().backward();
    assertClose("twice", Goldens.tensor(rg.get("twice")), a2.grad());

  }

  /** test_leaf_assignment, without views: copy_ and add_ into a plain tensor record it. */
  @Test
  void testLeafAssignment() {
    JsonObject la = scenario("leaf_assignment");
    Tensor x = Tensor.zeros(2, 5);
    Tensor y = Tensor.of(0.1f, -0.2f, 0.3f, 0.4f, -0.5f).requiresGrad(true);
    Tensor z = Tensor.of(1f, 2f, 3f, 4f, 5f).requiresGrad(true);
    x.copy_(y);
    x.add_(z.mul(2.0));
    assertEquals(la.get("requires_grad").getAsBoolean(), x.requiresGrad());
    assertEquals(la.get("grad_fn").getAsString(), x.gradFn().name());
    x.sum().backward();
    assertClose("y.grad", Goldens.tensor(la.get("y_grad")), y.grad());
    assertClose("z.grad", Goldens.tensor(la.get("z_grad")), z.grad());

  }

  /** test_copy_ (TestAutogradDeviceType), float32: the copy requires grad; a copy into INT64 is not recorded. */
  @Test
  void testCopy() {
    JsonObject cp = scenario("copy_requires_grad");
    Tensor src = Tensor.randn(new Generator(3), 10).requiresGrad(true);
    Tensor dst = Tensor.zeros(10);
    dst.copy_(src);
    assertEquals(cp.get("requires_grad").getAsBoolean(), dst.requiresGrad());
    assertEquals(cp.get("grad_fn").getAsString(), dst.gradFn().name());
    Tensor ints = Tensor.wrap(new float[10], new int[] {10}, Tensor.DType.INT64);
    ints.copy_(src);
    assertEquals(cp.get("int_requires_grad").getAsBoolean(), ints.requiresGrad());

  }

  /** test_backward_twice_without_saved_values; a node that saved a tensor still refuses a second run. */
  @Test
  void testBackwardTwiceWithoutSavedValues() {
    JsonObject bt = scenario("backward_twice_without_saved_values");
    Tensor b = Tensor.of(0.5f, 1.5f, -2f).requiresGrad(true);
    Tensor c = b.add(1.0);
    c.backward(Tensor.ones(3));
    c.backward(Tensor.ones(3));
    assertClose("twice without saved values", Goldens.tensor(bt.get("grad")), b.grad());
    Tensor e = Tensor.of(0.5f, 1.5f, -2f).requiresGrad(true).exp();
    e.backward(Tensor.ones(3));
    IllegalStateException second = assertThrows(IllegalStateException.class, () -> e.backward(Tensor.ones(3)));
    String torch = bt.get("saved_error").getAsString();
    assertTrue(second.getMessage().contains(torch.substring(0, torch.indexOf(" (or"))), second.getMessage());

  }

  /** Under no_grad an in-place change of a recorded result is not recorded; its version moves. */
  @Test
  void underNoGradNothingIsRecorded() {
    JsonObject gm = scenario("grad_mode_off");
    Tensor xs = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor ys = xs.mul(3.0);
    try (var g = Autograd.noGrad()) {
      ys.add_(1.0);
      ys.exp_();
    }
    assertEquals(gm.get("grad_fn").getAsString(), ys.gradFn().name());
    assertEquals(gm.get("version").getAsInt(), ys.version());

  }

  /** test_requires_grad_inplace: a += b with only b requiring grad makes a require grad. */
  @Test
  void testRequiresGradInplace() {
    JsonObject ri = scenario("requires_grad_inplace");
    Tensor p = Tensor.randn(new Generator(1), 5, 5);
    p.add_(Tensor.randn(new Generator(2), 5, 5).requiresGrad(true));
    assertEquals(ri.getAsJsonObject("leaf").get("requires_grad").getAsBoolean(), p.requiresGrad());
    assertEquals(ri.getAsJsonObject("leaf").get("is_leaf").getAsBoolean(), p.isLeaf());
    assertEquals(ri.getAsJsonObject("leaf").get("grad_fn").getAsString(), p.gradFn().name());

  }

  /** test_no_requires_grad_inplace, without views. */
  @Test
  void testNoRequiresGradInplace() {
    JsonObject nr = scenario("no_requires_grad_inplace");
    Tensor q = Tensor.randn(new Generator(4), 2, 3);
    q.add_(5.0);
    q.requiresGrad(true);
    q.sum().backward();
    assertClose("grad", Goldens.tensor(nr.get("grad")), q.grad());
    Tensor q2 = Tensor.randn(new Generator(5), 2, 3).requiresGrad(true);
    IllegalStateException le = assertThrows(IllegalStateException.class, () -> q2.add_(5.0));
    String leafMsg = nr.get("error").getAsString();
    assertTrue(le.getMessage().contains(leafMsg.substring(0, leafMsg.length() - 1)), le.getMessage());

  }

  /** test_detach, the in-place part: detach_ cuts the graph and keeps the version; allowed on a leaf. */
  @Test
  void testDetachInplace() {
    JsonObject dt = scenario("detach_inplace");
    Tensor xd = Tensor.randn(new Generator(6), 3, 3).requiresGrad(true);
    Tensor yd = Tensor.randn(new Generator(7), 3, 3).requiresGrad(true);
    Tensor ad = xd.mul(2.0);
    yd.add(ad).sum().backward(true);
    int version = ad.version();
    ad.detach_();
    assertEquals(dt.get("requires_grad").getAsBoolean(), ad.requiresGrad());
    assertEquals(dt.get("is_leaf").getAsBoolean(), ad.isLeaf());
    assertEquals(dt.get("version_unchanged").getAsBoolean(), ad.version() == version);
    yd.add(ad).sum().backward();
    assertClose("x.grad", Goldens.tensor(dt.get("x_grad")), xd.grad());
    assertClose("y.grad", Goldens.tensor(dt.get("y_grad")), yd.grad());
    Tensor leaf = Tensor.ones(2).requiresGrad(true);
    leaf.detach_();
    assertEquals(dt.get("leaf_requires_grad").getAsBoolean(), leaf.requiresGrad());
  }
}
