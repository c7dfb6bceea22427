package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hessian-vector products by forward over reverse (issue 16): every generated {@code fHvp} of the corpus,
 * found by reflection, against central differences of the generated gradient ({@code fGrad}) along the same
 * direction; the Hessian is symmetric; and Newton's method on Rosenbrock with the generated Hessian.
 */
class HvpCorpusTest {
  private static final String[] CLASSES = {"ScalarCorpus", "ControlFlowCorpus", "OrdinaryJava", "CrossClass"};

  @Test
  void everyHvpAgreesWithCentralDifferencesOfTheGradient() throws Exception {
    int checked = 0;
    List<String> failures = new ArrayList<>();
    for (String c : CLASSES) {
      Class<?> diff = Class.forName("dev.adjoint.corpus." + c + "Diff");
      for (Method hvp : diff.getMethods()) {
        if (!hvp.getName().endsWith("Hvp") || !Modifier.isStatic(hvp.getModifiers())) {
          continue;
        }
        String name = hvp.getName().substring(0, hvp.getName().length() - 3);
        Method grad = Arrays.stream(diff.getMethods()).filter(m -> m.getName().equals(name + "Grad")).findFirst()
            .orElse(null);
        if (grad == null) {
          // a method over tensors: TensorHvpCorpusTest
          continue;
        }
        String outcome = check(grad, hvp, 7 + checked);
        if (outcome == null) {
          continue;
        }
        if (!outcome.isEmpty()) {
          failures.add(c + "." + name + ": " + outcome);
        }
        checked++;
      }
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
    assertTrue(checked >= 15, "checked only " + checked);
  }

  /** "" when it agrees, null when the inputs are rejected, else what differs. */
  private static String check(Method grad, Method hvp, long seed) throws Exception {
    Generator g = new Generator(seed);
    Class<?>[] types = grad.getParameterTypes();
    Object[] x = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      x[i] = types[i] == int.class ? (Object) 3 : types[i] == float.class
          ? (Object) (float) (1.1 + 0.8 * Tensor.rand(g, 1).item()) : (Object) (1.1 + 0.8 * Tensor.rand(g, 1).item());
    }
    int k = hvp.getParameterCount() - types.length;
    Object[] args = Arrays.copyOf(x, hvp.getParameterCount());
    double[] v = new double[k];
    for (int j = 0; j < k; j++) {
      v[j] = Tensor.randn(g, 1).item();
      Class<?> t = hvp.getParameterTypes()[types.length + j];
      args[types.length + j] = t == float.class ? (Object) (float) v[j] : (Object) v[j];
    }
    Object hv;
    try {
      hv = hvp.invoke(null, args);
    } catch (InvocationTargetException e) {
      return null;
    }
    double[] h = components(hv);
    boolean floats = Arrays.asList(types).contains(float.class);
    double step = floats ? 1e-2 : 1e-5;
    double[] plus = components(grad.invoke(null, shifted(x, types, v, step)));
    double[] minus = components(grad.invoke(null, shifted(x, types, v, -step)));
    for (int j = 0; j < h.length; j++) {
      double fd = (plus[j] - minus[j]) / (2 * step);
      if (!Double.isFinite(fd)) {
        return null;
      }
      double tol = floats ? 2e-2 : 1e-5;
      if (Math.abs(fd - h[j]) > tol * Math.max(1, Math.abs(fd))) {
        return "component " + j + ": Hv = " + h[j] + " but the central difference of the gradient is " + fd;
      }
    }
    return "";
  }

  private static Object[] shifted(Object[] x, Class<?>[] types, double[] v, double step) {
    Object[] out = x.clone();
    int k = 0;
    for (int i = 0; i < types.length; i++) {
      if (types[i] == double.class && k < v.length) {
        out[i] = (Double) x[i] + step * v[k++];
      } else if (types[i] == float.class && k < v.length) {
        out[i] = (float) ((Float) x[i] + step * v[k++]);
      }
    }
    return out;
  }

  private static double[] components(Object record) throws Exception {
    RecordComponent[] cs = record.getClass().getRecordComponents();
    double[] out = new double[cs.length];
    for (int i = 0; i < cs.length; i++) {
      out[i] = ((Number) cs[i].getAccessor().invoke(record)).doubleValue();
    }
    return out;
  }

  /** PyTorch's {@code torch.autograd.functional.hvp} (double backward, float64): {@code hvp_goldens.py}. */
  @Test
  void hvpsMatchPyTorchGoldens() throws Exception {
    com.google.gson.JsonObject goldens;
    try (var in = new java.io.InputStreamReader(HvpCorpusTest.class.getResourceAsStream("/goldens/hvp.json"),
        java.nio.charset.StandardCharsets.UTF_8)) {
      goldens = com.google.gson.JsonParser.parseReader(in).getAsJsonObject();
    }
    int compared = 0;
    for (String name : goldens.keySet()) {
      for (var row : goldens.getAsJsonArray(name)) {
        var o = row.getAsJsonObject();
        List<Object> args = new ArrayList<>();
        o.getAsJsonArray("x").forEach(e -> args.add(e.getAsDouble()));
        o.getAsJsonArray("v").forEach(e -> args.add(e.getAsDouble()));
        Method hvp = Arrays.stream(ScalarCorpusDiff.class.getMethods()).filter(m -> m.getName().equals(name + "Hvp"))
            .findFirst().orElseThrow(() -> new AssertionError("no " + name + "Hvp"));
        double[] got = components(hvp.invoke(null, args.toArray()));
        var want = o.getAsJsonArray("hv");
        for (int i = 0; i < got.length; i++) {
          double w = want.get(i).getAsDouble();
          assertEquals(w, got[i], 1e-10 * Math.max(1, Math.abs(w)), name + " component " + i);
          compared++;
        }
      }
    }
    // 14, and since session 11 three points of two methods through calls (calls, composed)
    assertEquals(20, compared);
  }

  @Test
  void hessianIsSymmetricAndMatchesTheHvp() {
    double[][] h = ScalarCorpusDiff.rosenbrockHessian(0.3, -0.7);
    // d²/dx² = 2 - 400 (y - x²) + 800 x², d²/dxdy = -400 x, d²/dy² = 200
    assertEquals(2 - 400 * (-0.7 - 0.09) + 800 * 0.09, h[0][0], 1e-9);
    assertEquals(-400 * 0.3, h[0][1], 1e-12);
    assertEquals(h[0][1], h[1][0], 0.0);
    assertEquals(200, h[1][1], 0.0);
    var hv = ScalarCorpusDiff.rosenbrockHvp(0.3, -0.7, 0.5, -2);
    assertEquals(h[0][0] * 0.5 + h[0][1] * -2, hv.x(), 1e-9);
    assertEquals(h[1][0] * 0.5 + h[1][1] * -2, hv.y(), 1e-9);
  }

  /** Newton's method with the generated gradient and Hessian reaches Rosenbrock's minimum (1, 1). */
  @Test
  void newtonOnRosenbrock() {
    double x = -1.2;
    double y = 1.0;
    int steps = 0;
    for (; steps < 50; steps++) {
      var grad = ScalarCorpusDiff.rosenbrockGrad(x, y);
      if (Math.hypot(grad.x(), grad.y()) < 1e-12) {
        break;
      }
      double[][] h = ScalarCorpusDiff.rosenbrockHessian(x, y);
      double det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
      // solve H p = -g
      double px = -(h[1][1] * grad.x() - h[0][1] * grad.y()) / det;
      double py = -(-h[1][0] * grad.x() + h[0][0] * grad.y()) / det;
      x += px;
      y += py;
    }
    assertArrayEquals(new double[] {1, 1}, new double[] {x, y}, 1e-10);
    // pure Newton from the classic start converges in a handful of steps, quadratically at the end
    assertTrue(steps <= 10, "steps " + steps);
  }
}
