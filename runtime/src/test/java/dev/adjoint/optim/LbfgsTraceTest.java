package dev.adjoint.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * LBFGS with the strong-Wolfe line search against PyTorch 1.13, bit for bit: every closure evaluation
 * (the trial point, its loss and gradient) and the parameters after every step equal PyTorch's
 * float32 values exactly, on Rosenbrock and on the thermometer (in PyTorch's sum order, see {@link
 * OptimGoldenTest#T_C}), for several learning rates, iteration limits and history sizes. A single
 * rounding difference in the line search's mix of float32 tensors and Python doubles shows up here as
 * a different trial point.
 */
class LbfgsTraceTest {

  @TestFactory
  Stream<DynamicTest> strongWolfeIsBitForBitWithPyTorch() {
    JsonArray traces = OptimGoldenTest.goldens().getAsJsonArray("lbfgs_traces");
    assertEquals(6, traces.size());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : traces) {
      JsonObject g = e.getAsJsonObject();
      String label = g.get("problem").getAsString() + " lr " + g.get("lr") + " max_iter " + g.get("max_iter")
          + " history " + g.get("history_size");
      tests.add(DynamicTest.dynamicTest(label, () -> check(g)));
    }
    return tests.stream();
  }

  static void check(JsonObject g) {
    boolean rosen = g.get("problem").getAsString().equals("rosen");
    Tensor p = (rosen ? Tensor.of(-1.5f, 2f) : Tensor.of(1f, 0f)).requiresGrad(true);
    Function<Tensor, Tensor> f = rosen ? OptimGoldenTest::rosen : OptimGoldenTest::thermo;
    LBFGS opt = new LBFGS(List.of(p), LBFGS.options().lr(g.get("lr").getAsDouble())
        .maxIter(g.get("max_iter").getAsInt()).historySize(g.get("history_size").getAsInt())
        .toleranceGrad(1e-7).toleranceChange(1e-9).lineSearchFn("strong_wolfe"));
    List<float[]> evals = new ArrayList<>();
    Closure closure = () -> {
      opt.zeroGrad();
      Tensor loss = f.apply(p);
      loss.backward();
      float[] x = p.toFloatArray();
      float[] grad = p.grad().toFloatArray();
      evals.add(new float[] {x[0], x[1], loss.item(), grad[0], grad[1]});
      return loss;
    };
    JsonArray wantParams = g.getAsJsonArray("params");
    for (int s = 0; s < g.get("steps").getAsInt(); s++) {
      opt.step(closure);
      float[] x = p.toFloatArray();
      JsonArray w = wantParams.get(s).getAsJsonArray();
      for (int i = 0; i < 2; i++) {
        assertEquals(w.get(i).getAsFloat(), x[i], 0f, "step " + (s + 1) + " param " + i);
      }
    }
    JsonArray wantEvals = g.getAsJsonArray("evals");
    for (int k = 0; k < Math.min(wantEvals.size(), evals.size()); k++) {
      JsonArray w = wantEvals.get(k).getAsJsonArray();
      for (int i = 0; i < 5; i++) {
        assertEquals(w.get(i).getAsFloat(), evals.get(k)[i], 0f,
            "closure call " + (k + 1) + " value " + i + " (x, y, loss, dx, dy)");
      }
    }
    assertEquals(wantEvals.size(), evals.size(), "closure calls");
  }
}
