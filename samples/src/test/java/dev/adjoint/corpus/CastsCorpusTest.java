package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Adjoint;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CastsCorpus} (casts between float32 and float64, a float64 zero state of the batch's size, lstsq, pinv,
 * matrixNorm and vectorNorm in {@code @Differentiable} code) against PyTorch 1.13 ({@code casts_goldens.py}: value,
 * gradients, JVP, HVP) and central differences, and {@link DetachedDtypeNet} ({@code fc.weight().detach().dtype()})
 * against central differences and the eager engine.
 */
class CastsCorpusTest {
  private static JsonObject goldens() throws Exception {
    try (var in = new InputStreamReader(CastsCorpusTest.class.getResourceAsStream("/goldens/casts.json"),
        StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(in).getAsJsonObject();
    }
  }

  private static Tensor tensor(JsonArray data, JsonArray shape, Tensor.DType dtype) {
    double[] d = new double[data.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = data.get(i).getAsDouble();
    }
    int[] s = new int[shape.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape.get(i).getAsInt();
    }
    Tensor t = Tensor.wrap(d, s);
    return dtype == Tensor.DType.FLOAT64 ? t : t.to(dtype);
  }

  /** The inputs, then the tangents, of case {@code c}, each in its golden dtype. */
  private static Object[] inputsAndTangents(JsonObject c) {
    List<Object> out = new ArrayList<>();
    List<Object> tangents = new ArrayList<>();
    for (var n : c.getAsJsonArray("names")) {
      JsonObject in = c.getAsJsonObject("inputs").getAsJsonObject(n.getAsString());
      Tensor.DType dtype = in.get("dtype").getAsString().equals("float32") ? Tensor.DType.FLOAT32
          : Tensor.DType.FLOAT64;
      out.add(tensor(in.getAsJsonArray("data"), in.getAsJsonArray("shape"), dtype));
      tangents.add(tensor(c.getAsJsonObject("tangents").getAsJsonArray(n.getAsString()), in.getAsJsonArray("shape"),
          dtype));
    }
    out.addAll(tangents);
    return out.toArray();
  }

  private static Method method(String name) {
    return Arrays.stream(CastsCorpusDiff.class.getMethods()).filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no CastsCorpusDiff." + name));
  }

  private static void close(String what, JsonArray want, Tensor got, double tol) {
    double[] g = got.toDoubleArray();
    assertEquals(want.size(), g.length, what);
    for (int i = 0; i < g.length; i++) {
      double w = want.get(i).getAsDouble();
      assertEquals(w, g[i], tol * Math.max(1, Math.abs(w)), what + "[" + i + "]");
    }
  }

  private static Tensor component(Object record, String name) throws Exception {
    for (RecordComponent rc : record.getClass().getRecordComponents()) {
      if (rc.getName().equals(name)) {
        return (Tensor) rc.getAccessor().invoke(record);
      }
    }
    throw new AssertionError("no component " + name + " in " + record);
  }

  /** The generated value, gradients, fJvp and fHvp equal PyTorch's: 1e-9 relative in float64, 2e-5 when mixed. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mixed", "rect", "wide"})
  void generatedCodeMatchesPyTorch(String name) throws Exception {
    JsonObject c = goldens().getAsJsonObject(name);
    Object[] all = inputsAndTangents(c);
    List<String> names = new ArrayList<>();
    c.getAsJsonArray("names").forEach(n -> names.add(n.getAsString()));
    Object[] inputs = Arrays.copyOf(all, names.size());
    double tol = name.equals("mixed") ? 2e-5 : 1e-9;

    Object vg = method(name + "ValueAndGrad").invoke(null, inputs);
    Tensor value = component(vg, "value");
    assertEquals(Tensor.DType.FLOAT64, value.dtype(), name);
    assertEquals(c.get("value").getAsDouble(), value.itemDouble(), tol * Math.abs(c.get("value").getAsDouble()));
    Object gradient = vg.getClass().getMethod("gradient").invoke(vg);
    for (int i = 0; i < names.size(); i++) {
      Tensor g = component(gradient, names.get(i));
      // a gradient comes back in its input's dtype (the cast's backward casts it back)
      assertEquals(((Tensor) inputs[i]).dtype(), g.dtype(), name + ".grad " + names.get(i));
      close(name + ".grad " + names.get(i), c.getAsJsonObject("grad").getAsJsonArray(names.get(i)), g, tol);
    }

    Object jvp = method(name + "Jvp").invoke(null, all);
    assertEquals(c.get("jvp").getAsDouble(), component(jvp, "tangent").itemDouble(),
        tol * Math.max(1, Math.abs(c.get("jvp").getAsDouble())), name + ".jvp");

    Object hvp = method(name + "Hvp").invoke(null, all);
    for (String n : names) {
      close(name + ".hvp " + n, c.getAsJsonObject("hvp").getAsJsonArray(n), component(hvp, n),
          name.equals("mixed") ? 1e-4 : 1e-8);
    }
  }

  /**
   * Along the golden tangents, the JVP and ⟨gradient, tangent⟩ are the central difference of the value: 1e-6 relative
   * in float64; for the mixed method, whose float32 part rounds the value to about 1e-7, with a step of 1e-2 and 5e-3
   * relative (the truncation error of the step).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mixed", "rect", "wide"})
  void gradientAndJvpAreCentralDifferences(String name) throws Exception {
    JsonObject c = goldens().getAsJsonObject(name);
    Object[] all = inputsAndTangents(c);
    int n = c.getAsJsonArray("names").size();
    Object[] x = Arrays.copyOf(all, n);
    Object[] plus = new Object[n];
    Object[] minus = new Object[n];
    boolean mixed = name.equals("mixed");
    double h = mixed ? 1e-2 : 1e-6;
    double tol = mixed ? 5e-3 : 1e-6;
    for (int i = 0; i < n; i++) {
      plus[i] = ((Tensor) x[i]).add(((Tensor) all[n + i]).mul(h));
      minus[i] = ((Tensor) x[i]).sub(((Tensor) all[n + i]).mul(h));
    }
    Method f = method(name);
    double fd = (((Tensor) f.invoke(null, plus)).itemDouble() - ((Tensor) f.invoke(null, minus)).itemDouble())
        / (2 * h);
    double jvp = component(method(name + "Jvp").invoke(null, all), "tangent").itemDouble();
    assertEquals(fd, jvp, tol * Math.max(1, Math.abs(fd)), name + ": fJvp");
    Object vg = method(name + "ValueAndGrad").invoke(null, x);
    Object gradient = vg.getClass().getMethod("gradient").invoke(vg);
    double dot = 0;
    for (int i = 0; i < n; i++) {
      Tensor g = component(gradient, c.getAsJsonArray("names").get(i).getAsString());
      dot += g.mul((Tensor) all[n + i]).sum().itemDouble();
    }
    assertEquals(fd, dot, tol * Math.max(1, Math.abs(fd)), name + ": <gradient, t>");
    assertTrue(Math.abs(fd) > 1e-3, name + ": the direction is not trivial");
  }

  /** The generated gradient of the cast-heavy method equals the eager engine's (the same rows, recorded). */
  @Test
  void mixedGeneratedGradientEqualsEager() throws Exception {
    JsonObject c = goldens().getAsJsonObject("mixed");
    Object[] all = inputsAndTangents(c);
    Tensor x = ((Tensor) all[0]).detach().requiresGrad(true);
    Tensor w = ((Tensor) all[1]).detach().requiresGrad(true);
    Tensor loss = CastsCorpus.mixed(x, w);
    assertEquals("AddBackward0", loss.gradFn().name());
    loss.backward();
    var vg = CastsCorpusDiff.mixedValueAndGrad((Tensor) all[0], (Tensor) all[1]);
    assertEquals(loss.itemDouble(), vg.value().itemDouble(), 0);
    assertEquals(Tensor.DType.FLOAT32, x.grad().dtype());
    assertEquals(Tensor.DType.FLOAT64, w.grad().dtype());
    assertTrue(x.grad().allclose(vg.gradient().x(), 1e-6, 1e-6), "x");
    assertTrue(w.grad().allclose(vg.gradient().w(), 1e-12, 1e-12), "w");
    // the eager casts are PyTorch's ToCopyBackward0
    Tensor d = x.toDouble();
    assertEquals("ToCopyBackward0", d.gradFn().name());
    assertEquals("ToCopyBackward0", w.toFloat().gradFn().name());
    assertTrue(d == d.toDouble(), "toDouble of a float64 tensor is the tensor itself");
  }

  /**
   * {@code Tensor.zeros(new int[] {b, 5}, fc.weight().detach().dtype())} in a float64 module: the state is float64
   * and the generated gradient of every parameter is the central difference of the loss, and the eager engine's.
   */
  @Test
  void detachedDtypeModuleGradients() throws Exception {
    Adjoint.manualSeed(7);
    DetachedDtypeNet net = new DetachedDtypeNet();
    Tensor x = Tensor.randn(new Generator(11), new int[] {3, 4}, Tensor.DType.FLOAT64);
    var vg = DetachedDtypeNetDiff.lossValueAndGrad(net, x);
    assertEquals(Tensor.DType.FLOAT64, vg.value().dtype());
    Tensor loss = net.forward(x);
    loss.backward();
    assertTrue(net.fc.weight().grad().allclose(vg.gradient().fcWeight(), 1e-12, 1e-12), "fc.weight");
    assertTrue(net.fc.bias().grad().allclose(vg.gradient().fcBias(), 1e-12, 1e-12), "fc.bias");
    Tensor v = Tensor.randn(new Generator(12), new int[] {3, 4}, Tensor.DType.FLOAT64);
    double h = 1e-6;
    double fd = (DetachedDtypeNetDiff.loss(net, x.add(v.mul(h))).itemDouble()
        - DetachedDtypeNetDiff.loss(net, x.sub(v.mul(h))).itemDouble()) / (2 * h);
    double dot = vg.gradient().x().mul(v).sum().itemDouble();
    assertEquals(fd, dot, 1e-7 * Math.max(1, Math.abs(fd)));
    assertTrue(Math.abs(fd) > 1e-3);
  }
}
