package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code torch.nn.utils} on float64 parameters (outsider 10, D2: {@code clipGradNorm_} threw after
 * {@code module.toDouble()}): clipping by norm and by value and the parameter vector against PyTorch's float64
 * results ({@code batchnorm_utils.json}, {@code batchnorm_utils_goldens.py}).
 */
class Float64UtilsTest {
  static Tensor tensor64(JsonElement e) {
    JsonObject o = e.getAsJsonObject();
    JsonArray s = o.getAsJsonArray("shape");
    int[] shape = new int[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsInt();
    }
    JsonArray d = o.getAsJsonArray("data");
    double[] v = new double[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = d.get(i).getAsDouble();
    }
    return Tensor.wrap(v, shape);
  }

  static void close(Tensor want, Tensor got, double tol, String what) {
    assertEquals(Tensor.DType.FLOAT64, got.dtype(), what + " dtype");
    assertArrayEquals(want.shape(), got.shape(), what + " shape");
    double[] w = want.toDoubleArray();
    double[] g = got.toDoubleArray();
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], tol * Math.max(1, Math.abs(w[i])), what + " element " + i);
    }
  }

  @Test
  void clippingFloat64GradientsMatchesPyTorch() {
    JsonObject u = BatchNormTrackingTest.GOLDEN.getAsJsonObject("utils64");
    int cases = 0;
    for (JsonElement e : u.getAsJsonArray("clip")) {
      JsonObject c = e.getAsJsonObject();
      String id = c.get("id").getAsString();
      List<Tensor> ps = new ArrayList<>();
      for (JsonElement g : c.getAsJsonArray("grads")) {
        Tensor grad = tensor64(g);
        Tensor p = Tensor.zeros(grad.shape(), Tensor.DType.FLOAT64).requiresGrad(true);
        p.setGrad(grad);
        ps.add(p);
      }
      Tensor total = switch (id) {
        case "norm2" -> Utils.clipGradNorm_(ps, 1.5);
        case "norm_inf" -> Utils.clipGradNorm_(ps, 0.5, Double.POSITIVE_INFINITY);
        case "norm_unclipped" -> Utils.clipGradNorm_(ps, 1000.0);
        case "norm1" -> Utils.clipGradNorm_(ps, 2.0, 1.0);
        default -> {
          Utils.clipGradValue_(ps, 0.7);
          yield null;
        }
      };
      if (c.get("total").isJsonNull()) {
        assertNull(total, id);
      } else {
        close(tensor64(c.get("total")), total, 1e-14, id + " total");
      }
      JsonArray clipped = c.getAsJsonArray("clipped");
      for (int i = 0; i < ps.size(); i++) {
        close(tensor64(clipped.get(i)), ps.get(i).grad(), 1e-14, id + " gradient " + i);
      }
      cases++;
    }
    assertEquals(5, cases);
  }

  @Test
  void theParameterVectorOfFloat64ParametersIsFloat64() {
    JsonObject u = BatchNormTrackingTest.GOLDEN.getAsJsonObject("utils64");
    List<Tensor> ps = new ArrayList<>();
    u.getAsJsonArray("params").forEach(p -> ps.add(tensor64(p)));
    Tensor v = Utils.parametersToVector(ps);
    close(tensor64(u.get("vector")), v, 0, "parameters_to_vector");
    Utils.vectorToParameters(v.mul(2.0), ps);
    close(tensor64(u.get("vector")).mul(2.0), Utils.parametersToVector(ps), 0, "vector_to_parameters");
    // a float32 parameter beside them takes its slice rounded
    Tensor f32 = Tensor.zeros(2);
    List<Tensor> mixed = List.of(ps.get(1), f32);
    Tensor w = Tensor.of(Tensor.DType.FLOAT64, 1, 2, 3, 4, 5, 0.1, 0.2);
    Utils.vectorToParameters(w, mixed);
    assertArrayEquals(new float[] {0.1f, 0.2f}, f32.toFloatArray());
    assertEquals(Tensor.DType.FLOAT64, Utils.parametersToVector(mixed).dtype(), "torch.cat promotes");
  }

  /** The outsider's case: a module after {@code toDouble()}, trained with clipping. */
  @Test
  void aFloat64ModuleClipsItsGradients() {
    Linear fc = new Linear(3, 2, true, new Generator(4));
    fc.toDouble();
    Tensor x = Tensor.randn(new Generator(5), new int[] {4, 3}, Tensor.DType.FLOAT64);
    fc.forward(x).square().sum().backward();
    double[] before = Utils.parametersToVector(List.of(fc.parameters().get(0).grad(), fc.parameters().get(1).grad()))
        .toDoubleArray();
    double norm = 0;
    for (double g : before) {
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    Tensor total = Utils.clipGradNorm_(fc.parameters(), 0.5);
    assertEquals(norm, total.itemDouble(), 1e-12 * norm);
    double[] after = Utils.parametersToVector(List.of(fc.parameters().get(0).grad(), fc.parameters().get(1).grad()))
        .toDoubleArray();
    for (int i = 0; i < before.length; i++) {
      assertEquals(before[i] * 0.5 / (norm + 1e-6), after[i], 1e-15, "element " + i);
    }
  }
}
