package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.nn.MaxPool2d;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.Utils;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.Goldens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's modules inside {@code @Differentiable} modules ({@link ModuleZooConv}, {@link ModuleZooNorm}), from
 * PyTorch's weights ({@code module_goldens.py}, float64): the generated gradient of the input and of every
 * parameter equals the eager one, PyTorch's in float32 and in float64 (after {@code toDouble()}), and central
 * differences of the generated forward in float64; a few generated training steps (SGD after
 * {@code clipGradValue_} or {@code clipGradNorm_}) give PyTorch's losses, running statistics and
 * {@code parametersToVector}; evaluation mode then gives PyTorch's loss and gradients.
 */
class ModuleZooTest {
  private static final JsonObject GOLDENS = Goldens.load("modules");

  /** The entries of a parameter that are an embedding's padding row (index 0 of {@code embed}, 4 wide). */
  private static final Map<String, Integer> PADDING_ROW = Map.of("embed.weight", 4);

  /** One corpus module: how to make it, run its generated and eager forms, and its golden. */
  private record Case(String key, java.util.function.Supplier<Module> make, List<String> inputNames,
      Generated generated, Generated eager, Consumer<List<Tensor>> clip, int steps) {
    JsonObject golden() {
      return GOLDENS.getAsJsonObject(key);
    }
  }

  @FunctionalInterface
  private interface Generated {
    Tensor run(Module m, List<Tensor> inputs);
  }

  private static Case conv() {
    return new Case("conv", ModuleZooConv::new, List.of("x"),
        (m, in) -> ModuleZooConvDiff.forward((ModuleZooConv) m, in.get(0)),
        (m, in) -> ((ModuleZooConv) m).forward(in.get(0)), ps -> Utils.clipGradValue_(ps, 0.05), 2);
  }

  private static Case norm() {
    return new Case("norm", ModuleZooNorm::new, List.of("tokens", "img"),
        (m, in) -> ModuleZooNormDiff.loss((ModuleZooNorm) m, in.get(0), in.get(1)),
        (m, in) -> ((ModuleZooNorm) m).loss(in.get(0), in.get(1)), ps -> Utils.clipGradNorm_(ps, 1.0), 3);
  }

  @Test
  void convolutionsPoolingAndActivationsMatchEagerPyTorchAndCentralDifferences() {
    check(conv());
  }

  @Test
  void normalisationAndEmbeddingMatchEagerPyTorchAndCentralDifferences() {
    check(norm());
  }

  @Test
  void generatedTrainingStepsGivePyTorchsLossesRunningStatisticsAndParameters() {
    train(conv());
    train(norm());
  }

  @Test
  void maxPoolWithIndicesGivesPyTorchsValuesIndicesAndGradient() {
    JsonObject golden = GOLDENS.getAsJsonObject("maxPoolIndices");
    MaxPool2d pool = new MaxPool2d(3, 2, 1);
    Tensor x = tensor(golden.getAsJsonObject("x"), DType.FLOAT32).requiresGrad(true);
    Tensor.ValuesIndices r = pool.forwardWithIndices(x);
    close("values", doubles(golden.get("values")), r.values().toDoubleArray(), 1e-6);
    close("values against forward", pool.forward(x).toDoubleArray(), r.values().toDoubleArray(), 0);
    assertEquals(DType.INT64, r.indices().dtype());
    assertArrayEquals(doubles(golden.get("indices")), r.indices().toDoubleArray(), "indices");
    r.values().mul(tensor(golden.getAsJsonObject("w"), DType.FLOAT32)).sum().backward();
    close("d_x", doubles(golden.get("d_x")), x.grad().toDoubleArray(), 1e-5);
  }

  private static void check(Case c) {
    JsonObject golden = c.golden();
    JsonObject want = golden.getAsJsonObject("train");
    // float32: generated against eager and against PyTorch
    Module gen = load(c, DType.FLOAT32);
    Module eag = load(c, DType.FLOAT32);
    List<Tensor> inG = inputs(c, DType.FLOAT32, true);
    List<Tensor> inE = inputs(c, DType.FLOAT32, true);
    Tensor lossG = c.generated().run(gen, inG);
    assertTrue(lossG.gradFn().name().endsWith("Backward") && !lossG.gradFn().name().startsWith("Add"),
        "one generated node, not eager ops: " + lossG.gradFn().name());
    lossG.backward();
    Tensor lossE = c.eager().run(eag, inE);
    lossE.backward();
    double loss = want.get("loss").getAsDouble();
    assertEquals(loss, lossG.item(), 1e-5 * Math.abs(loss), c.key() + " loss (float32) against PyTorch");
    assertEquals(lossE.item(), lossG.item(), 1e-5 * Math.abs(loss), c.key() + " loss against eager");
    Map<String, Tensor> gradsG = grads(c, gen, inG);
    Map<String, Tensor> gradsE = grads(c, eag, inE);
    assertEquals(gradsE.keySet(), gradsG.keySet());
    for (String name : gradsG.keySet()) {
      double[] pytorch = doubles(want.get(name));
      close(c.key() + " " + name + " eager vs generated", gradsE.get(name).toDoubleArray(),
          gradsG.get(name).toDoubleArray(), 1e-5);
      close(c.key() + " " + name + " PyTorch vs generated (float32)", pytorch, gradsG.get(name).toDoubleArray(),
          2e-4);
    }

    // float64: the same module after toDouble(), against PyTorch's float64 gradients and central differences
    Module m64 = load(c, DType.FLOAT64);
    List<Tensor> in64 = inputs(c, DType.FLOAT64, true);
    Tensor loss64 = c.generated().run(m64, in64);
    assertEquals(DType.FLOAT64, loss64.dtype());
    loss64.backward();
    assertEquals(loss, loss64.toDoubleArray()[0], 1e-12 * Math.abs(loss), c.key() + " loss (float64) vs PyTorch");
    Map<String, Tensor> grads64 = grads(c, m64, in64);
    List<Tensor> inPlain = inputs(c, DType.FLOAT64, false);
    Map<String, Tensor> leaves = new LinkedHashMap<>();
    for (int i = 0; i < inPlain.size(); i++) {
      if (inPlain.get(i).dtype() == DType.FLOAT64) {
        leaves.put("d_" + c.inputNames().get(i), inPlain.get(i));
      }
    }
    leaves.putAll(m64.namedParameters());
    int checked = 0;
    for (var e : grads64.entrySet()) {
      String name = e.getKey();
      double[] analytical = e.getValue().toDoubleArray();
      close(c.key() + " " + name + " PyTorch vs generated (float64)", doubles(want.get(name)), analytical, 1e-9);
      Tensor leaf = leaves.get(name);
      double[] data = leaf.mutableStorageF64("central differences");
      for (int k = 0; k < data.length; k++) {
        if (k < PADDING_ROW.getOrDefault(name, 0)) {
          // PyTorch's padding row gets no gradient although the forward reads it: not a derivative to check
          assertEquals(0, analytical[k], c.key() + " " + name + "[" + k + "] is in the padding row");
          continue;
        }
        double keep = data[k];
        data[k] = keep + 1e-6;
        leaf.bumpVersion();
        double plus = value(c, m64, inPlain);
        data[k] = keep - 1e-6;
        leaf.bumpVersion();
        double minus = value(c, m64, inPlain);
        data[k] = keep;
        leaf.bumpVersion();
        double numerical = (plus - minus) / 2e-6;
        assertEquals(numerical, analytical[k], 1e-6 + 1e-5 * Math.abs(numerical),
            c.key() + " " + name + "[" + k + "] central differences");
        checked++;
      }
    }
    assertTrue(checked > 100, c.key() + ": " + checked + " entries checked");
  }

  private static void train(Case c) {
    JsonObject golden = c.golden();
    JsonObject steps = golden.getAsJsonObject("steps");
    Module m = load(c, DType.FLOAT32);
    List<Tensor> in = inputs(c, DType.FLOAT32, false);
    SGD opt = new SGD(m.parameters(), 0.1);
    double[] losses = doubles(steps.get("losses"));
    for (int s = 0; s < c.steps(); s++) {
      opt.zeroGrad();
      Tensor loss = c.generated().run(m, in);
      loss.backward();
      c.clip().accept(m.parameters());
      opt.step();
      assertEquals(losses[s], loss.item(), 2e-5 * Math.abs(losses[s]), c.key() + " loss at step " + s);
    }
    JsonObject state = steps.getAsJsonObject("state");
    Map<String, Tensor> mine = m.stateDict();
    // the goldens drop batch norm's num_batches_tracked (module_goldens.py); BatchNormTrackingTest checks it
    assertEquals(keys(state), mine.keySet().stream().filter(k -> !k.endsWith("num_batches_tracked")).toList(),
        c.key() + " state dict names");
    for (String name : keys(state)) {
      close(c.key() + " " + name + " after " + c.steps() + " steps", doubles(state.getAsJsonObject(name).get("data")),
          mine.get(name).toDoubleArray(), 1e-4);
    }
    close(c.key() + " parametersToVector", doubles(steps.get("vector")),
        Utils.parametersToVector(m.parameters()).toDoubleArray(), 1e-4);

    // evaluation mode: the running statistics in the generated forward and backward
    m.eval();
    JsonObject want = golden.getAsJsonObject("eval");
    List<Tensor> inG = inputs(c, DType.FLOAT32, true);
    m.zeroGrad();
    Tensor loss = c.generated().run(m, inG);
    loss.backward();
    double w = want.get("loss").getAsDouble();
    assertEquals(w, loss.item(), 2e-5 * Math.abs(w), c.key() + " evaluation loss");
    Map<String, Tensor> gradsG = grads(c, m, inG);
    for (String name : gradsG.keySet()) {
      close(c.key() + " " + name + " in evaluation mode", doubles(want.get(name)), gradsG.get(name).toDoubleArray(),
          2e-4);
    }
    // the running statistics did not move in evaluation mode
    Map<String, Tensor> after = m.stateDict();
    for (String name : keys(state)) {
      close(c.key() + " " + name + " unchanged in evaluation mode", mine.get(name).toDoubleArray(),
          after.get(name).toDoubleArray(), 0);
    }
  }

  private static double value(Case c, Module m, List<Tensor> in) {
    try (var g = Autograd.noGrad()) {
      return c.generated().run(m, in).toDoubleArray()[0];
    }
  }

  /** The module with PyTorch's initial state. */
  private static Module load(Case c, DType dtype) {
    Module m = c.make().get();
    if (dtype == DType.FLOAT64) {
      m.toDouble();
    }
    JsonObject state = c.golden().getAsJsonObject("state");
    Map<String, Tensor> s = new LinkedHashMap<>();
    for (String name : keys(state)) {
      s.put(name, tensor(state.getAsJsonObject(name), dtype));
    }
    m.loadStateDict(s);
    return m;
  }

  /** The inputs; floating ones require grad when asked. */
  private static List<Tensor> inputs(Case c, DType dtype, boolean requireGrad) {
    JsonObject in = c.golden().getAsJsonObject("inputs");
    List<Tensor> out = new ArrayList<>();
    for (String name : c.inputNames()) {
      JsonObject t = in.getAsJsonObject(name);
      boolean indices = name.equals("tokens");
      Tensor x = tensor(t, indices ? DType.INT64 : dtype);
      out.add(requireGrad && !indices ? x.requiresGrad(true) : x);
    }
    return out;
  }

  /** The input gradients ({@code d_<name>}) then every parameter's, by name. */
  private static Map<String, Tensor> grads(Case c, Module m, List<Tensor> inputs) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).requiresGrad()) {
        out.put("d_" + c.inputNames().get(i), inputs.get(i).grad());
      }
    }
    for (var e : m.namedParameters().entrySet()) {
      assertTrue(e.getValue().grad() != null, c.key() + ": no gradient reached " + e.getKey());
      out.put(e.getKey(), e.getValue().grad());
    }
    return out;
  }

  private static Tensor tensor(JsonObject t, DType dtype) {
    int[] shape = t.getAsJsonArray("shape").asList().stream().mapToInt(JsonElement::getAsInt).toArray();
    return Tensor.of(dtype, doubles(t.get("data"))).reshape(shape);
  }

  private static double[] doubles(JsonElement a) {
    return a.getAsJsonArray().asList().stream().mapToDouble(JsonElement::getAsDouble).toArray();
  }

  private static List<String> keys(JsonObject o) {
    return List.copyOf(o.keySet());
  }

  /** Entry by entry, relative to the larger of 1 and the largest |want| (a scale, so noise near 0 passes). */
  private static void close(String what, double[] want, double[] got, double tol) {
    assertEquals(want.length, got.length, what + ": length");
    double scale = 1;
    double norm = 0;
    for (double w : want) {
      scale = Math.max(scale, Math.abs(w));
      norm += Math.abs(w);
    }
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], tol * scale, what + " [" + i + "]");
    }
    assertTrue(norm > 0 || what.contains("unchanged"), what + ": an all-zero reference proves nothing");
  }

}
