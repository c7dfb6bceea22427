package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Tensor;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code fHvp} of tensor methods ({@link HvpTensors}: an MLP's cross-entropy loss, soft-label
 * cross-entropy, a softmax score, a tanh layer with an MSE loss — forward over the generated gradient —, a
 * recurrence through a loop — forward over the generated pullback, tangents on its tape — and a method calling
 * another twice — the eager engine's double backward) against
 * PyTorch 1.13's
 * {@code torch.autograd.functional.hvp} in float64 ({@code hvp_tensor_goldens.py}). Each case runs in float64
 * when every operation has a float64 path (1e-9 relative), else in float32 (crossEntropy: 1e-4 relative to the
 * largest component, float32 rounding of two sweeps).
 */
class TensorHvpGoldenTest {
  @Test
  void tensorHvpsMatchPyTorch() throws Exception {
    JsonObject goldens;
    try (var in = new InputStreamReader(TensorHvpGoldenTest.class.getResourceAsStream("/goldens/hvp_tensors.json"),
        StandardCharsets.UTF_8)) {
      goldens = JsonParser.parseReader(in).getAsJsonObject();
    }
    int compared = 0;
    int exact = 0;
    // the loop's fHvp is generated code; the eager one hands the method to Hvps.byDoubleBackward as a lambda
    assertTrue(Arrays.stream(HvpTensorsDiff.class.getDeclaredMethods())
        .noneMatch(m -> m.getName().startsWith("lambda$recurrentHvp$")), "recurrentHvp is the eager double backward");
    assertTrue(Arrays.stream(HvpTensorsDiff.class.getDeclaredMethods())
        .anyMatch(m -> m.getName().startsWith("lambda$stackedHvp$")), "stackedHvp should be the eager double backward");
    for (String generated : List.of("piecewise", "cumprodZeros", "mats", "batched", "mvDot")) {
      assertTrue(Arrays.stream(HvpTensorsDiff.class.getDeclaredMethods())
          .noneMatch(m -> m.getName().startsWith("lambda$" + generated + "Hvp$")), generated + "Hvp is generated code");
    }
    for (String name : goldens.keySet()) {
      JsonObject c = goldens.getAsJsonObject(name);
      Method hvp = Arrays.stream(HvpTensorsDiff.class.getMethods()).filter(m -> m.getName().equals(name + "Hvp"))
          .findFirst().orElseThrow(() -> new AssertionError("no " + name + "Hvp"));
      Object result;
      boolean f64 = true;
      try {
        result = hvp.invoke(null, args(c, Tensor.DType.FLOAT64));
      } catch (InvocationTargetException e) {
        // an operation without a float64 path: compared in float32 (none left; the count below asserts it)
        f64 = false;
        result = hvp.invoke(null, args(c, Tensor.DType.FLOAT32));
      }
      List<String> wrt = new ArrayList<>();
      c.getAsJsonArray("wrt").forEach(e -> wrt.add(e.getAsString()));
      RecordComponent[] cs = result.getClass().getRecordComponents();
      assertEquals(wrt.size(), cs.length, name);
      double scale = 0;
      for (String n : wrt) {
        for (var e : c.getAsJsonObject("hv").getAsJsonArray(n)) {
          scale = Math.max(scale, Math.abs(e.getAsDouble()));
        }
      }
      for (int i = 0; i < cs.length; i++) {
        assertEquals(wrt.get(i), cs[i].getName(), name);
        double[] got = ((Tensor) cs[i].getAccessor().invoke(result)).toDoubleArray();
        var want = c.getAsJsonObject("hv").getAsJsonArray(wrt.get(i));
        assertEquals(want.size(), got.length, name + "." + wrt.get(i));
        for (int j = 0; j < got.length; j++) {
          double w = want.get(j).getAsDouble();
          double tol = f64 ? 1e-9 * Math.max(1, Math.abs(w)) : 1e-4 * Math.max(1, scale);
          assertEquals(w, got[j], tol, name + "." + wrt.get(i) + "[" + j + "]");
          compared++;
        }
      }
      if (f64) {
        exact++;
      }
    }
    assertTrue(compared > 250, "compared " + compared);
    assertTrue(goldens.has("recurrent") && goldens.has("stacked"), "the loop and call cases");
    assertTrue(goldens.has("mats") && goldens.has("batched") && goldens.has("mvDot"), "FINDINGS11 §2's cases");
    assertEquals(goldens.size(), exact, "cases in float64 (every operation they use has a float64 path)");
  }

  /**
   * The generated {@code fHessian} of tensor methods (one {@code fHvp} per element of the flattened inputs)
   * against PyTorch's {@code torch.autograd.functional.hessian}, float64, 1e-9 relative; it is symmetric.
   */
  @Test
  void tensorHessiansMatchPyTorch() throws Exception {
    JsonObject goldens;
    try (var in = new InputStreamReader(TensorHvpGoldenTest.class.getResourceAsStream("/goldens/hvp_tensors.json"),
        StandardCharsets.UTF_8)) {
      goldens = JsonParser.parseReader(in).getAsJsonObject();
    }
    int compared = 0;
    for (String name : goldens.keySet()) {
      JsonObject c = goldens.getAsJsonObject(name);
      if (!c.has("hessian")) {
        continue;
      }
      Method hessian = Arrays.stream(HvpTensorsDiff.class.getMethods())
          .filter(m -> m.getName().equals(name + "Hessian")).findFirst()
          .orElseThrow(() -> new AssertionError("no " + name + "Hessian"));
      Object[] all = args(c, Tensor.DType.FLOAT64);
      double[][] h = (double[][]) hessian.invoke(null, Arrays.copyOf(all, hessian.getParameterCount()));
      var want = c.getAsJsonArray("hessian");
      assertEquals(want.size(), h.length, name);
      for (int i = 0; i < h.length; i++) {
        for (int j = 0; j < h.length; j++) {
          double w = want.get(i).getAsJsonArray().get(j).getAsDouble();
          assertEquals(w, h[i][j], 1e-9 * Math.max(1, Math.abs(w)), name + " H[" + i + "][" + j + "]");
          assertEquals(h[j][i], h[i][j], 1e-12 * Math.max(1, Math.abs(w)), name + " symmetric at " + i + ", " + j);
          compared++;
        }
      }
    }
    // 20 × 20 for softCrossEntropy, 32 × 32 for softmaxScore, 12 × 12 for piecewise and cumprodZeros, 16 × 16 for
    // mvDot
    assertEquals(400 + 1024 + 144 + 144 + 256, compared);
  }

  /** The inputs in declaration order, then one direction per differentiated input. */
  private static Object[] args(JsonObject c, Tensor.DType dtype) {
    List<Object> args = new ArrayList<>();
    JsonObject inputs = c.getAsJsonObject("inputs");
    for (var n : c.getAsJsonArray("order")) {
      JsonObject t = inputs.getAsJsonObject(n.getAsString());
      boolean classes = t.get("dtype").getAsString().equals("int64");
      args.add(tensor(t.getAsJsonArray("data"), shape(t), classes ? Tensor.DType.INT64 : dtype));
    }
    for (var n : c.getAsJsonArray("wrt")) {
      JsonObject t = inputs.getAsJsonObject(n.getAsString());
      args.add(tensor(c.getAsJsonObject("v").getAsJsonArray(n.getAsString()), shape(t), dtype));
    }
    return args.toArray();
  }

  private static int[] shape(JsonObject t) {
    var a = t.getAsJsonArray("shape");
    int[] s = new int[a.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = a.get(i).getAsInt();
    }
    return s;
  }

  private static Tensor tensor(com.google.gson.JsonArray data, int[] shape, Tensor.DType dtype) {
    float[] v = new float[data.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) data.get(i).getAsDouble();
    }
    return Tensor.of(v).reshape(shape).to(dtype);
  }
}
