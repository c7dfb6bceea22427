package dev.adjoint.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every optimizer configuration against PyTorch 1.13: 30 steps on the thermometer MSE and on 2-D
 * Rosenbrock, parameters after every step within 1e-5 relative (goldens from
 * src/test/python/optim_goldens.py).
 */
class OptimGoldenTest {
  static final double RTOL = 1e-5;
  /**
   * The thermometer data of seed 000, samples 8, 9, 10 first. The MSE is the same function, but the
   * order matters to the last bit: PyTorch 1.13's CPU sum of 11 floats (AVX2) adds elements 8..10 to a
   * scalar accumulator and then the 8 lanes of one vector (elements 0..7), while Adjoint's kernels sum
   * short rows left to right. With this order both sums round identically, so the gradients, and hence
   * every trajectory, agree bit for bit and the 1e-5 tolerance only has to absorb nothing.
   */
  static final Tensor T_C = Tensor.of(6.0f, 13.0f, 21.0f, 0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f);
  static final Tensor T_UN =
      Tensor.of(48.4f, 60.4f, 68.4f, 35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f).mul(0.1);

  static JsonObject goldens() {
    try (var in = OptimGoldenTest.class.getResourceAsStream("/goldens/optim.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Tensor thermo(Tensor p) {
    Tensor w = p.slice(0, 0, 1);
    Tensor b = p.slice(0, 1, 2);
    return w.mul(T_UN).add(b).sub(T_C).pow(2).mean();
  }

  static Tensor rosen(Tensor p) {
    Tensor x = p.slice(0, 0, 1);
    Tensor y = p.slice(0, 1, 2);
    return x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)).sum();
  }

  /** Builds the optimizer a golden names, translating PyTorch's keyword arguments to the Java options. */
  static Optimizer build(String name, JsonObject o, List<Tensor> params) {
    OptimizerOptions<?> opts = switch (name) {
      case "SGD" -> SGD.options();
      case "Adam" -> Adam.options();
      case "AdamW" -> AdamW.options();
      case "Adamax" -> Adamax.options();
      case "Adagrad" -> Adagrad.options();
      case "Adadelta" -> Adadelta.options();
      case "RMSprop" -> RMSprop.options();
      case "Rprop" -> Rprop.options();
      case "ASGD" -> ASGD.options();
      case "NAdam" -> NAdam.options();
      case "RAdam" -> RAdam.options();
      case "LBFGS" -> LBFGS.options();
      default -> throw new AssertionError("no optimizer " + name);
    };
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      JsonElement v = e.getValue();
      String key = e.getKey();
      if (v.isJsonNull()) {
        if (key.equals("line_search_fn")) {
          opts.set(key, "none");
        }
      } else if (v.isJsonArray()) {
        JsonArray a = v.getAsJsonArray();
        opts.set(key, new double[] {a.get(0).getAsDouble(), a.get(1).getAsDouble()});
      } else if (v.getAsJsonPrimitive().isBoolean()) {
        opts.set(key, v.getAsBoolean());
      } else if (v.getAsJsonPrimitive().isString()) {
        opts.set(key, v.getAsString());
      } else if (key.equals("max_iter") || key.equals("history_size") || key.equals("max_eval")) {
        opts.set(key, v.getAsInt());
      } else {
        opts.set(key, v.getAsDouble());
      }
    }
    return switch (name) {
      case "SGD" -> new SGD(params, (SGD.Options) opts);
      case "Adam" -> new Adam(params, (Adam.Options) opts);
      case "AdamW" -> new AdamW(params, (Adam.Options) opts);
      case "Adamax" -> new Adamax(params, (Adamax.Options) opts);
      case "Adagrad" -> new Adagrad(params, (Adagrad.Options) opts);
      case "Adadelta" -> new Adadelta(params, (Adadelta.Options) opts);
      case "RMSprop" -> new RMSprop(params, (RMSprop.Options) opts);
      case "Rprop" -> new Rprop(params, (Rprop.Options) opts);
      case "ASGD" -> new ASGD(params, (ASGD.Options) opts);
      case "NAdam" -> new NAdam(params, (NAdam.Options) opts);
      case "RAdam" -> new RAdam(params, (RAdam.Options) opts);
      case "LBFGS" -> new LBFGS(params, (LBFGS.Options) opts);
      default -> throw new AssertionError(name);
    };
  }

  /** Runs one golden's configuration: returns params after every step and the losses. */
  static List<float[]> run(JsonObject g, List<Double> losses) {
    String name = g.get("optimizer").getAsString();
    boolean rosen = g.get("problem").getAsString().equals("rosen");
    boolean negate = g.get("negate").getAsBoolean();
    Tensor p = (rosen ? Tensor.of(-1.5f, 2f) : Tensor.of(1f, 0f)).requiresGrad(true);
    Function<Tensor, Tensor> f = rosen ? OptimGoldenTest::rosen : OptimGoldenTest::thermo;
    Optimizer opt = build(name, g.getAsJsonObject("options"), List.of(p));
    Closure closure = () -> {
      opt.zeroGrad();
      Tensor loss = negate ? f.apply(p).neg() : f.apply(p);
      loss.backward();
      return loss;
    };
    List<float[]> out = new ArrayList<>();
    for (int s = 0; s < g.get("params").getAsJsonArray().size(); s++) {
      Tensor loss;
      if (opt instanceof LBFGS) {
        loss = opt.step(closure);
      } else {
        loss = closure.call();
        opt.step();
      }
      losses.add((double) loss.item());
      out.add(p.toFloatArray());
    }
    return out;
  }

  static String label(JsonObject g) {
    return g.get("optimizer").getAsString() + " on " + g.get("problem").getAsString() + " "
        + g.getAsJsonObject("options");
  }

  static void assertClose(double expected, double actual, String what) {
    if (!(Math.abs(actual - expected) <= RTOL * Math.abs(expected) + 1e-30)) {
      fail(what + ": expected " + expected + " but was " + actual + " (relative error "
          + Math.abs(actual - expected) / Math.abs(expected) + ")");
    }
  }

  @TestFactory
  Stream<DynamicTest> everyConfigurationMatchesPyTorch() {
    JsonArray all = goldens().getAsJsonArray("optimizers");
    assertTrue(all.size() >= 60, "goldens cover every optimizer on two problems");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : all) {
      JsonObject g = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(label(g), () -> {
        List<Double> losses = new ArrayList<>();
        List<float[]> got = run(g, losses);
        JsonArray want = g.getAsJsonArray("params");
        JsonArray wantLoss = g.getAsJsonArray("losses");
        assertEquals(30, want.size());
        for (int s = 0; s < want.size(); s++) {
          JsonArray w = want.get(s).getAsJsonArray();
          for (int i = 0; i < w.size(); i++) {
            assertClose(w.get(i).getAsDouble(), got.get(s)[i], "step " + (s + 1) + " param " + i);
          }
          assertClose(wantLoss.get(s).getAsDouble(), losses.get(s), "step " + (s + 1) + " loss");
        }
      }));
    }
    return tests.stream();
  }
}
