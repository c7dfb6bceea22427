package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layers' behaviour beyond the rule table ({@code RuleGradientTest} checks every F row against PyTorch and
 * central differences): batch norm in evaluation mode and its running statistics against PyTorch
 * ({@code layers.json}), the modules against their functions, and PyTorch's errors.
 */
class LayerGoldenTest {
  static final JsonObject GOLDEN = Goldens.json("layers.json");

  static Tensor tensor(JsonElement e) {
    JsonObject o = e.getAsJsonObject();
    JsonArray s = o.getAsJsonArray("shape");
    int[] shape = new int[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsInt();
    }
    JsonArray d = o.getAsJsonArray("data");
    float[] v = new float[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) d.get(i).getAsDouble();
    }
    return Tensor.wrap(v, shape);
  }

  static void close(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + " shape");
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], 1e-5 * Math.max(1, Math.abs(w[i])), what + " element " + i);
    }
  }

  @Test
  void batchNormInEvaluationModeMatchesPyTorch() {
    for (JsonElement e : GOLDEN.getAsJsonArray("eval")) {
      JsonObject c = e.getAsJsonObject();
      String id = c.get("id").getAsString();
      Tensor x = tensor(c.get("x")).requiresGrad(true);
      Tensor w = tensor(c.get("weight")).requiresGrad(true);
      Tensor b = tensor(c.get("bias")).requiresGrad(true);
      Tensor rm = tensor(c.get("runningMean"));
      Tensor rv = tensor(c.get("runningVar"));
      float[] rmBefore = rm.toFloatArray();
      Tensor y = F.batchNorm(x, rm, rv, w, b, false, 0.1, 1e-5);
      assertEquals(c.get("gradFn").getAsString(), y.gradFn().name(), id);
      close(tensor(c.get("out")), y, id + " out");
      y.backward(tensor(c.get("upstream")));
      close(tensor(c.get("gradX")), x.grad(), id + " ∂x");
      close(tensor(c.get("gradWeight")), w.grad(), id + " ∂weight");
      close(tensor(c.get("gradBias")), b.grad(), id + " ∂bias");
      assertArrayEquals(rmBefore, rm.toFloatArray(), id + ": evaluation leaves the running statistics");
    }
  }

  @Test
  void runningStatisticsFollowPyTorchsMomentumAndUnbiasedVariance() {
    JsonObject r = GOLDEN.getAsJsonObject("running");
    BatchNorm2d bn = new BatchNorm2d(3);
    for (JsonElement x : r.getAsJsonArray("inputs")) {
      bn.forward(tensor(x));
    }
    close(tensor(r.get("runningMean")), bn.runningMean(), "running mean");
    close(tensor(r.get("runningVar")), bn.runningVar(), "running var");
    // evaluation mode normalises with them: (x - mean)/sqrt(var + eps), weight 1, bias 0
    bn.eval();
    Tensor x = Tensor.randn(new Generator(1), 2, 3, 2, 2);
    Tensor y = bn.forward(x);
    Tensor want = x.sub(bn.runningMean().reshape(1, 3, 1, 1)).div(bn.runningVar().add(1e-5).sqrt().reshape(1, 3, 1, 1));
    close(want, y, "eval output");
  }

  @Test
  void modulesComputeTheirFunctions() {
    Generator gen = new Generator(7);
    Tensor x = Tensor.randn(gen, 2, 4, 6, 6);
    Conv2d conv = new Conv2d(4, 6, new int[] {3}, new int[] {1}, "same", new int[] {1}, 2, true, gen);
    assertArrayEquals(F.conv2d(x, conv.weight(), conv.bias(), new int[] {1}, "same", new int[] {1}, 2).toFloatArray(),
        conv.forward(x).toFloatArray());
    assertArrayEquals(new int[] {2, 6, 6, 6}, conv.forward(x).shape());
    assertEquals("Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=same, groups=2)", conv.toString());
    assertArrayEquals(F.maxPool2d(x, 2).toFloatArray(), new MaxPool2d(2).forward(x).toFloatArray());
    assertArrayEquals(F.avgPool2d(x, 3).toFloatArray(), new AvgPool2d(3).forward(x).toFloatArray());
    assertArrayEquals(new int[] {2, 4, 1, 1}, new AdaptiveAvgPool2d(1).forward(x).shape());
    LayerNorm ln = new LayerNorm(6, 6);
    assertArrayEquals(F.layerNorm(x, new int[] {6, 6}, ln.weight(), ln.bias(), 1e-5).toFloatArray(),
        ln.forward(x).toFloatArray());
    GroupNorm gn = new GroupNorm(2, 4);
    assertArrayEquals(F.groupNorm(x, 2, gn.weight(), gn.bias(), 1e-5).toFloatArray(), gn.forward(x).toFloatArray());
    Conv1d c1 = new Conv1d(3, 2, 3, 1, "same", 1, 1, false, gen);
    Tensor s = Tensor.randn(gen, 2, 3, 7);
    assertArrayEquals(new int[] {2, 2, 7}, c1.forward(s).shape());
    assertEquals(List.of("weight"), List.copyOf(c1.namedParameters().keySet()));
    assertTrue(new GELU("tanh").forward(x).gradFn() == null, "nothing requires grad: nothing recorded");
  }

  @Test
  void embeddingPaddingRowStartsAtZeroAndGetsNoGradient() {
    Embedding emb = new Embedding(4, 3, -1, new Generator(3));
    assertArrayEquals(new float[3], emb.weight().slice(0, 3, 4).toFloatArray());
    Tensor y = emb.forward(Tensor.wrap(new float[] {3, 1, 3}, new int[] {3}, Tensor.DType.INT64));
    assertEquals("EmbeddingBackward0", y.gradFn().name());
    y.sum().backward();
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, emb.weight().grad().toFloatArray());
  }

  @Test
  void misuseFailsWithPyTorchsWords() {
    Tensor x = Tensor.zeros(2, 3, 5, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> F.conv2d(x, Tensor.zeros(4, 2, 3, 3), null));
    assertEquals("conv2d: Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 5, 5] to have 2 channels,"
        + " but got 3 channels instead", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> F.conv2d(x, Tensor.zeros(4, 3, 7, 7), null));
    assertEquals("conv2d: Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't "
        + "be greater than actual input size", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> F.conv2d(x, Tensor.zeros(4, 3, 3, 3), null,
        new int[] {2}, "same", new int[] {1}, 1));
    assertEquals("conv2d: padding='same' is not supported for strided convolutions", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(x, new int[] {2}, new int[0], new int[] {2},
        new int[] {1}, false));
    assertEquals("maxPool2d: pad should be at most half of kernel size, but got pad=2 and kernel_size=2",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(1, 3)));
    assertTrue(e.getMessage().startsWith("BatchNorm2d: expected 4D input (got 2D input"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(1, 3)));
    assertEquals("batchNorm: Expected more than 1 value per channel when training, got input size [1, 3]",
        e.getMessage());
    IndexOutOfBoundsException o = assertThrows(IndexOutOfBoundsException.class,
        () -> F.embedding(Tensor.indices(5), Tensor.zeros(4, 2), 0));
    assertTrue(o.getMessage().startsWith("embedding: index out of range in self"), o.getMessage());
  }

  @Test
  void initUsesPyTorchsFans() {
    Tensor w = Tensor.zeros(8, 4, 3, 3);
    assertArrayEquals(new int[] {36, 72}, Init.calculateFanInAndFanOut(w));
    Init.kaimingUniform_(w, new Generator(1));
    double bound = Math.sqrt(2.0) * Math.sqrt(3.0 / 36);
    float max = 0;
    for (float v : w.toFloatArray()) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max <= bound && max > 0.9 * bound, "kaiming uniform bound " + bound + ", max " + max);
    Init.xavierNormal_(w, 1, new Generator(2));
    double var = 0;
    for (float v : w.toFloatArray()) {
      var += v * v;
    }
    var /= w.numel();
    assertEquals(2.0 / (36 + 72), var, 0.25 * 2.0 / (36 + 72), "xavier normal variance");
    assertEquals(5.0 / 3, Init.calculateGain("tanh"));
    try (var g = Autograd.noGrad()) {
      assertArrayEquals(new float[] {0, 0}, Init.zeros_(Tensor.ones(2)).toFloatArray());
    }
  }

  @Test
  void gradientClippingMatchesPyTorch() {
    for (JsonElement e : GOLDEN.getAsJsonArray("utils")) {
      JsonObject c = e.getAsJsonObject();
      String id = c.get("id").getAsString();
      JsonArray grads = c.getAsJsonArray("grads");
      List<Tensor> ps = new java.util.ArrayList<>();
      for (JsonElement g : grads) {
        Tensor p = Tensor.zeros(tensor(g).shape()).requiresGrad(true);
        p.setGrad(tensor(g));
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
      if (total != null) {
        assertEquals(c.get("total").getAsDouble(), total.item(), 1e-5 * c.get("total").getAsDouble(), id + " total");
      }
      JsonArray clipped = c.getAsJsonArray("clipped");
      for (int i = 0; i < ps.size(); i++) {
        close(tensor(clipped.get(i)), ps.get(i).grad(), id + " gradient " + i);
      }
    }
  }

  @Test
  void containersAndParameterVectors() {
    Generator gen = new Generator(5);
    ModuleList list = new ModuleList(new Linear(3, 2, true, gen), new ReLU()).append(new Linear(2, 1, false, gen));
    assertEquals(List.of("0.weight", "0.bias", "2.weight"), List.copyOf(list.namedParameters().keySet()));
    assertTrue(list.get(-1) instanceof Linear);
    ModuleDict dict = new ModuleDict().put("conv", new Conv2d(1, 2, 3)).put("bn", new BatchNorm2d(2));
    assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias"),
        List.copyOf(dict.namedParameters().keySet()));
    Tensor v = Utils.parametersToVector(list.parameters());
    assertEquals(6 + 2 + 2, v.numel());
    Tensor doubled = v.mul(2.0);
    try (var g = Autograd.noGrad()) {
      Utils.vectorToParameters(doubled, list.parameters());
    }
    assertArrayEquals(doubled.toFloatArray(), Utils.parametersToVector(list.parameters()).toFloatArray());
  }

  @Test
  void maxPoolingKeepsTheFirstMaximumAndPropagatesNaN() {
    Tensor x = Tensor.wrap(new float[] {1, 3, 3, 2, Float.NaN, 0, 5, Float.NaN}, 1, 2, 2, 2).requiresGrad(true);
    Tensor.ValuesIndices r = F.maxPool2dWithIndices(x, new int[] {2}, new int[0], new int[] {0}, new int[] {1},
        false);
    assertEquals(3f, r.values().get(0, 0, 0, 0));
    assertTrue(Float.isNaN(r.values().get(0, 1, 0, 0)));
    assertArrayEquals(new float[] {1, 3}, r.indices().toFloatArray(), "the first 3; the last NaN, as PyTorch");
    r.values().sum().backward();
    assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 1}, x.grad().toFloatArray());
  }
}
