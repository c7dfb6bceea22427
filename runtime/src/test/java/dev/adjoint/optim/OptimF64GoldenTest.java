package dev.adjoint.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every optimizer on float64 parameters against PyTorch 1.13 in float64 (optim_f64_goldens.py →
 * goldens/optim_f64.json): OptimGoldenTest's configurations (LBFGS with and without the strong-Wolfe line search
 * through {@code step(closure)}), 30 steps, parameters and losses to 1e-8 relative. The state stays FLOAT64 and
 * no step rounds to float (float32 arithmetic would miss by about 1e-7). LbfgsTraceTest follows LBFGS's every
 * closure call in float64 too.
 */
class OptimF64GoldenTest {
  static final double RTOL = 1e-8;

  static JsonObject goldens() {
    try (var in = OptimF64GoldenTest.class.getResourceAsStream("/goldens/optim_f64.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyOptimizerMatchesPyTorchInFloat64() {
    JsonArray all = goldens().getAsJsonArray("optimizers");
    Set<String> names = new TreeSet<>();
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : all) {
      JsonObject g = e.getAsJsonObject();
      names.add(g.get("optimizer").getAsString());
      tests.add(DynamicTest.dynamicTest(OptimGoldenTest.label(g), () -> check(g)));
    }
    assertEquals(Set.of("ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "RAdam",
        "RMSprop", "Rprop", "SGD"), names, "every optimizer");
    return tests.stream();
  }

  static void check(JsonObject g) {
    boolean rosen = g.get("problem").getAsString().equals("rosen");
    boolean negate = g.get("negate").getAsBoolean();
    Tensor p = (rosen ? Tensor.of(DType.FLOAT64, -1.5, 2) : Tensor.of(DType.FLOAT64, 1, 0)).requiresGrad(true);
    Function<Tensor, Tensor> f = rosen ? OptimGoldenTest::rosen : OptimGoldenTest::thermo;
    Optimizer opt = OptimGoldenTest.build(g.get("optimizer").getAsString(), g.getAsJsonObject("options"), List.of(p));
    JsonArray want = g.getAsJsonArray("params");
    JsonArray wantLoss = g.getAsJsonArray("losses");
    Closure closure = () -> {
      opt.zeroGrad();
      Tensor loss = negate ? f.apply(p).neg() : f.apply(p);
      loss.backward();
      return loss;
    };
    for (int s = 0; s < want.size(); s++) {
      Tensor loss;
      if (opt instanceof LBFGS) {
        loss = opt.step(closure);
      } else {
        loss = closure.call();
        opt.step();
      }
      assertEquals(DType.FLOAT64, loss.dtype());
      close(wantLoss.get(s).getAsDouble(), loss.itemDouble(), "step " + (s + 1) + " loss");
      JsonArray w = want.get(s).getAsJsonArray();
      for (int i = 0; i < w.size(); i++) {
        close(w.get(i).getAsDouble(), p.getDouble(i), "step " + (s + 1) + " param " + i);
      }
    }
    assertEquals(DType.FLOAT64, p.dtype());
  }

  static void close(double expected, double actual, String what) {
    if (!(Math.abs(actual - expected) <= RTOL * Math.abs(expected) + 1e-300)) {
      fail(what + ": PyTorch " + expected + " but ours " + actual + " (relative error "
          + Math.abs(actual - expected) / Math.abs(expected) + ")");
    }
  }

  /** LBFGS treats its parameters as one flat vector: a float32 and a float64 parameter together are refused. */
  @Test
  void lbfgsRefusesMixedDtypes() {
    Tensor a = Tensor.of(DType.FLOAT64, 1, 0).requiresGrad(true);
    Tensor b = Tensor.of(1f).requiresGrad(true);
    LBFGS opt = new LBFGS(List.of(a, b), LBFGS.options());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.step(() -> {
      opt.zeroGrad();
      Tensor loss = OptimGoldenTest.thermo(a).add(b.toDouble().sum());
      loss.backward();
      return loss;
    }));
    assertEquals("LBFGS: the parameters mix FLOAT64 and FLOAT32; LBFGS treats them as one flat vector, so they must "
        + "share a dtype", e.getMessage());
  }

  /** State made for float32 parameters is refused once they are float64 (converted after the optimizer stepped). */
  @Test
  void lbfgsRefusesStateOfTheOtherDtype() {
    Tensor p = Tensor.of(1f, 0f).requiresGrad(true);
    LBFGS opt = new LBFGS(List.of(p), LBFGS.options().maxIter(2));
    Closure closure = () -> {
      opt.zeroGrad();
      Tensor loss = OptimGoldenTest.thermo(p);
      loss.backward();
      return loss;
    };
    opt.step(closure);
    p.setData(p.toDouble().detach());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.step(closure));
    assertTrue(e.getMessage().startsWith("LBFGS: the state was made for FLOAT32 parameters, which are now FLOAT64"),
        e.getMessage());
  }
}
