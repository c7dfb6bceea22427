package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.io.InputStreamReader;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code fHvp} of a straight-line module method through Linear and LayerNorm ({@link HvpModule#loss},
 * over its input and every parameter) against PyTorch 1.13's {@code torch.autograd.functional.hvp} in float64
 * ({@code hvp_tensor_goldens.py} → {@code hvp_module.json}, 1e-9 relative), and against central differences of the
 * generated gradient along the same direction (the parameters moved in place and put back); it is generated code
 * (forward over the generated gradient), not the eager double backward.
 */
class ModuleHvpGoldenTest {
  @Test
  void moduleHvpMatchesPyTorchAndCentralDifferences() throws Exception {
    JsonObject c;
    try (var in = new InputStreamReader(ModuleHvpGoldenTest.class.getResourceAsStream("/goldens/hvp_module.json"),
        StandardCharsets.UTF_8)) {
      c = JsonParser.parseReader(in).getAsJsonObject().getAsJsonObject("normedMlp");
    }
    assertTrue(Arrays.stream(HvpModuleDiff.class.getDeclaredMethods())
        .noneMatch(m -> m.getName().startsWith("lambda$lossHvp$")), "lossHvp is generated code");
    HvpModule m = new HvpModule();
    m.toDouble();
    Tensor[] params = {m.fc1.weight(), m.fc1.bias(), m.ln.weight(), m.ln.bias(), m.scale, m.fc2.weight(),
        m.fc2.bias()};
    String[] names = {"w1", "b1", "g", "beta", "scale", "w2", "b2"};
    try (var g = Autograd.noGrad()) {
      for (int i = 0; i < params.length; i++) {
        params[i].copy_(input(c, names[i]));
      }
    }
    Tensor x = input(c, "x");
    Tensor y = input(c, "y");
    List<String> wrt = new ArrayList<>();
    c.getAsJsonArray("wrt").forEach(e -> wrt.add(e.getAsString()));
    Tensor[] v = new Tensor[wrt.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = tensor(c.getAsJsonObject("v").getAsJsonArray(wrt.get(i)), input(c, wrt.get(i)).shape());
    }
    Object hv = HvpModuleDiff.lossHvp(m, x, y, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    double[][] got = components(hv);
    int compared = 0;
    for (int i = 0; i < wrt.size(); i++) {
      var want = c.getAsJsonObject("hv").getAsJsonArray(wrt.get(i));
      assertEquals(want.size(), got[i].length, wrt.get(i));
      for (int j = 0; j < got[i].length; j++) {
        double w = want.get(j).getAsDouble();
        assertEquals(w, got[i][j], 1e-9 * Math.max(1, Math.abs(w)), wrt.get(i) + "[" + j + "]");
        compared++;
      }
    }
    assertEquals(15 + 12 + 4 + 4 + 4 + 4 + 4 + 1, compared);
    // central differences of the generated gradient along v, the input and the parameters moved together
    double h = 1e-6;
    double[][][] sides = new double[2][][];
    Tensor[] at = new Tensor[params.length];
    for (int i = 0; i < params.length; i++) {
      at[i] = params[i].detach().clone();
    }
    for (int side = 0; side < 2; side++) {
      double s = side == 0 ? h : -h;
      try (var g = Autograd.noGrad()) {
        for (int i = 0; i < params.length; i++) {
          params[i].copy_(at[i].add(v[i + 1].mul(s)));
        }
      }
      sides[side] = components(HvpModuleDiff.lossValueAndGrad(m, x.add(v[0].mul(s)), y).gradient());
    }
    try (var g = Autograd.noGrad()) {
      for (int i = 0; i < params.length; i++) {
        params[i].copy_(at[i]);
      }
    }
    for (int i = 0; i < got.length; i++) {
      for (int j = 0; j < got[i].length; j++) {
        double fd = (sides[0][i][j] - sides[1][i][j]) / (2 * h);
        assertEquals(fd, got[i][j], 1e-6 * Math.max(1, Math.abs(fd)), "central differences " + wrt.get(i) + "[" + j
            + "]");
      }
    }
  }

  private static double[][] components(Object record) throws Exception {
    RecordComponent[] cs = record.getClass().getRecordComponents();
    double[][] out = new double[cs.length][];
    for (int i = 0; i < cs.length; i++) {
      out[i] = ((Tensor) cs[i].getAccessor().invoke(record)).toDoubleArray();
    }
    return out;
  }

  private static Tensor input(JsonObject c, String name) {
    JsonObject t = c.getAsJsonObject("inputs").getAsJsonObject(name);
    var a = t.getAsJsonArray("shape");
    int[] shape = new int[a.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = a.get(i).getAsInt();
    }
    return tensor(t.getAsJsonArray("data"), shape);
  }

  private static Tensor tensor(com.google.gson.JsonArray data, int[] shape) {
    double[] v = new double[data.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = data.get(i).getAsDouble();
    }
    return Tensor.wrap(v, shape);
  }
}
