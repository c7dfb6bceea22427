package dev.adjoint.samples.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.samples.Goldens;
import dev.adjoint.samples.autograd.AutogradBasicsSample.GradTrace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the autograd-basics sample and asserts what seeds 003 and 004 print, with PyTorch's values from
 * {@code goldens/autograd_basics.json} where the seeds' own inputs are not reproducible.
 */
class AutogradBasicsSampleTest {
  private static final JsonObject GOLDEN = Goldens.load("autograd_basics");

  @Test
  void seed1ValuesAreTheOnesPyTorchDraws() {
    float[] w = Goldens.floats(GOLDEN.get("w"));
    float[] flat = new float[15];
    for (int i = 0; i < 5; i++) {
      System.arraycopy(AutogradBasicsSample.W_SEED_1[i], 0, flat, 3 * i, 3);
    }
    assertArrayEquals(w, flat);
    assertArrayEquals(Goldens.floats(GOLDEN.get("b")), AutogradBasicsSample.B_SEED_1);
  }

  @Test
  void gradFnNamesAndLeafGradientsAreTheSeeds() {
    List<String> lines = AutogradBasicsSample.gradients();
    assertEquals("Gradient function for z = AddBackward0", lines.get(0));
    assertEquals("Gradient function for loss = BinaryCrossEntropyWithLogitsBackward0", lines.get(1));
    assertEquals(GOLDEN.get("z_grad_fn").getAsString(), "AddBackward0");
    assertEquals(GOLDEN.get("loss_grad_fn").getAsString(), "BinaryCrossEntropyWithLogitsBackward0");
    assertEquals("loss = " + Goldens.javaSpelling(GOLDEN.get("loss").getAsString()), lines.get(2));
    String row = "[0.1083, 0.0369, 0.0726]";
    assertEquals("Derivative of w: tensor([" + String.join(",\n        ", List.of(row, row, row, row, row))
        + "])", lines.get(3));
    assertEquals("Derivative of w: " + GOLDEN.get("w_grad").getAsString(), lines.get(3));
    assertEquals("Derivative of b: tensor([0.1083, 0.0369, 0.0726])", lines.get(4));
  }

  @Test
  void noGradAndDetachStopTracking() {
    List<String> lines = AutogradBasicsSample.gradients();
    assertEquals(List.of("z.requiresGrad() = true", "under noGrad: z.requiresGrad() = false",
        "before detach(): true, after detach(): false"), lines.subList(5, 8));
  }

  @Test
  void secondBackwardFailsAndRetainGraphDoublesTheGradients() {
    List<String> lines = AutogradBasicsSample.retainGraph();
    assertTrue(lines.get(0).startsWith("second backward: BinaryCrossEntropyWithLogitsBackward0: Trying to "
        + "backward through the graph a second time"), lines.get(0));
    assertTrue(lines.get(0).contains("Specify retainGraph=true if you need to backward through the graph a "
        + "second time"), lines.get(0));
    assertTrue(GOLDEN.get("second_backward_error").getAsString().startsWith(
        "Trying to backward through the graph a second time"));
    String row = "[0.2166, 0.0739, 0.1452]";
    assertEquals("backward(retainGraph) then backward(): w.grad = tensor(["
        + String.join(",\n        ", List.of(row, row, row, row, row)) + "])", lines.get(1));
    assertEquals("backward(retainGraph) then backward(): w.grad = "
        + GOLDEN.get("w_grad_twice").getAsString(), lines.get(1));
    assertEquals("b.grad = tensor([0.2166, 0.0739, 0.1452])", lines.get(2));
    assertEquals("one backward, times 2: b.grad * 2 = tensor([0.2166, 0.0739, 0.1452])", lines.get(3));
  }

  @Test
  void withPyTorchsWeightsTheExperimentPrintsPyTorchsGradients() {
    JsonObject mlp = GOLDEN.getAsJsonObject("mlp");
    for (boolean zeroGrad : new boolean[] {true, false}) {
      GradTrace trace = run(mlp, zeroGrad);
      List<String> expected = Goldens.strings(mlp.get(zeroGrad ? "with_zero_grad" : "without_zero_grad"));
      List<String> actual = new ArrayList<>();
      for (String line : trace.lines()) {
        actual.add(line.substring(line.indexOf("tensor(")));
      }
      assertEquals(expected, actual, zeroGrad ? "with zeroGrad" : "without zeroGrad");
    }
  }

  @Test
  void withoutZeroGradTheKthGradientIsKTimesTheFirst() {
    GradTrace trace = run(GOLDEN.getAsJsonObject("mlp"), false);
    float[] first = trace.grads().get(0);
    assertTrue(norm(first) > 0.1, "the gradient is not trivially zero");
    for (int k = 1; k <= 10; k++) {
      float[] g = trace.grads().get(k - 1);
      for (int j = 0; j < g.length; j++) {
        // step() moves the weights by lr * grad, so the sum drifts a little from k × first
        assertEquals(k * first[j], g[j], 0.01 * k * Math.abs(first[j]) + 1e-6, "print " + k + ", element " + j);
      }
    }
  }

  @Test
  void withZeroGradTheGradientStaysTheFirst() {
    GradTrace trace = run(GOLDEN.getAsJsonObject("mlp"), true);
    float[] first = trace.grads().get(0);
    for (float[] g : trace.grads()) {
      for (int j = 0; j < g.length; j++) {
        assertEquals(first[j], g[j], 0.01 * Math.abs(first[j]) + 1e-6);
      }
    }
  }

  @Test
  void theSamplesOwnNetworkShowsTheSamePattern() {
    Tensor x = Tensor.rand(new Generator(1), 20);
    GradTrace without = AutogradBasicsSample.zeroGradExperiment(Mlp.init(20, 16, 10, new Generator(2)), x, 3,
        1e-4, false);
    GradTrace with = AutogradBasicsSample.zeroGradExperiment(Mlp.init(20, 16, 10, new Generator(2)), x, 3,
        1e-4, true);
    assertArrayEquals(with.grads().get(0), without.grads().get(0));
    double first = norm(without.grads().get(0));
    assertTrue(first > 0);
    assertEquals(10 * first, norm(without.grads().get(9)), 0.02 * 10 * first);
    assertEquals(first, norm(with.grads().get(9)), 0.01 * first);
  }

  @Test
  void mainPrintsEverySection() {
    PrintStream saved = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      AutogradBasicsSample.main(new String[0]);
    } finally {
      System.setOut(saved);
    }
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("Derivative of b: tensor([0.1083, 0.0369, 0.0726])"), out);
    assertTrue(out.contains("b.grad = tensor([0.2166, 0.0739, 0.1452])"), out);
    assertTrue(out.contains("== without optimizer.zeroGrad()"), out);
    assertEquals(20, out.lines().filter(l -> l.startsWith("backward ")).count(), out);
  }

  /** The experiment on the PyTorch-initialised network of the golden file. */
  private static GradTrace run(JsonObject mlp, boolean zeroGrad) {
    JsonArray params = mlp.getAsJsonArray("parameters");
    JsonArray shapes = mlp.getAsJsonArray("shapes");
    List<Tensor> tensors = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      JsonArray s = shapes.get(i).getAsJsonArray();
      int[] shape = new int[s.size()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = s.get(d).getAsInt();
      }
      tensors.add(Tensor.wrap(Goldens.floats(params.get(i)), shape));
    }
    Tensor x = Tensor.of(Goldens.floats(mlp.get("x")));
    return AutogradBasicsSample.zeroGradExperiment(new Mlp(tensors), x, mlp.get("target").getAsInt(),
        mlp.get("lr").getAsDouble(), zeroGrad);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += (double) f * f;
    }
    return Math.sqrt(s);
  }
}
