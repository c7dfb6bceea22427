package dev.adjoint.optim.lr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Tensor;
import dev.adjoint.optim.ParamGroup;
import dev.adjoint.optim.SGD;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scheduler's learning-rate sequence (and OneCycleLR's and CyclicLR's momentum) against PyTorch
 * 1.13: SGD with two groups (lr 0.1 and 0.01, momentum 0.9), 30 x (optimizer.step(); scheduler.step()),
 * uninterrupted and resumed from state dicts.
 */
class SchedulerGoldenTest {

  static JsonObject goldens() {
    try (var in = SchedulerGoldenTest.class.getResourceAsStream("/goldens/optim.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int[] ints(JsonArray a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  static double[] doubles(JsonArray a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsDouble();
    }
    return out;
  }

  /** The scheduler a golden names; the Java calls mirror the script's Python calls. */
  static Object build(String name, JsonObject a, SGD opt) {
    return switch (name) {
      case "StepLR" -> new StepLR(opt, 7, 0.5);
      case "MultiStepLR" -> new MultiStepLR(opt, ints(a.getAsJsonArray("milestones")), 0.3);
      case "ExponentialLR" -> new ExponentialLR(opt, 0.9);
      case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, 10, 0.001);
      case "LinearLR" -> new LinearLR(opt, 0.25, 1.0, 8);
      case "LambdaLR" -> new LambdaLR(opt, epoch -> Math.pow(0.95, epoch) / (1 + Math.floorDiv(epoch, 10)));
      case "OneCycleLR" -> new OneCycleLR(opt, OneCycleLR.options(1.0, 0.1).totalSteps(31).pctStart(0.3)
          .annealStrategy("cos").baseMomentum(0.85).maxMomentum(0.95).divFactor(25.0).finalDivFactor(1e4)
          .threePhase(false));
      case "OneCycleLR-linear-3phase" -> new OneCycleLR(opt, OneCycleLR.options(1.0, 0.1).totalSteps(31)
          .pctStart(0.25).annealStrategy("linear").baseMomentum(0.8).maxMomentum(0.9).divFactor(10.0)
          .finalDivFactor(100.0).threePhase(true));
      case "SequentialLR" -> new SequentialLR(opt,
          List.of(new LinearLR(opt, 0.1, 1.0, 5), new ExponentialLR(opt, 0.9)), new int[] {5});
      case "SequentialLR-cosine" -> new SequentialLR(opt, List.of(new LinearLR(opt, 0.5, 0.5, 3),
          new CosineAnnealingLR(opt, 8, 0.0), new StepLR(opt, 5, 0.5)), new int[] {4, 12});
      case "ChainedScheduler" -> new ChainedScheduler(List.of(new StepLR(opt, 5, 0.5), new ExponentialLR(opt, 0.95)));
      case "ReduceLROnPlateau" -> new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().mode("min").factor(0.5)
          .patience(2).threshold(1e-4).thresholdMode("rel").cooldown(1).minLr(0.02, 0.0).eps(1e-8));
      case "ReduceLROnPlateau-max-abs" -> new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().mode("max")
          .factor(0.1).patience(0).threshold(0.05).thresholdMode("abs").cooldown(0).minLr(0.0).eps(1e-8));
      case "MultiplicativeLR" -> new MultiplicativeLR(opt, epoch -> Math.pow(0.9, epoch % 3));
      case "ConstantLR" -> new ConstantLR(opt, 0.4, 6);
      case "PolynomialLR" -> new PolynomialLR(opt, 12, 2.0);
      case "PolynomialLR-sqrt" -> new PolynomialLR(opt, 7, 0.5);
      case "CyclicLR" -> new CyclicLR(opt, CyclicLR.options(new double[] {0.01, 0.001}, new double[] {0.1, 0.01})
          .stepSizeUp(4).mode("triangular").baseMomentum(0.8).maxMomentum(0.9));
      case "CyclicLR-triangular2" -> new CyclicLR(opt, CyclicLR.options(0.01, 0.1).stepSizeUp(3).stepSizeDown(5)
          .mode("triangular2").baseMomentum(0.85, 0.7).maxMomentum(0.95, 0.9));
      case "CyclicLR-exp_range" -> new CyclicLR(opt, CyclicLR.options(0.02, 0.2).stepSizeUp(5).mode("exp_range")
          .gamma(0.9).cycleMomentum(false));
      case "CyclicLR-scale_fn" -> new CyclicLR(opt, CyclicLR.options(0.01, 0.1).stepSizeUp(2).stepSizeDown(3)
          .scaleFn(x -> 1 / (1 + 0.1 * x)).scaleMode("iterations"));
      case "CosineAnnealingWarmRestarts" -> new CosineAnnealingWarmRestarts(opt, 5, 1, 0.001);
      case "CosineAnnealingWarmRestarts-mult2" -> new CosineAnnealingWarmRestarts(opt, 3, 2, 0.0);
      case "CosineAnnealingWarmRestarts-epochs" -> new CosineAnnealingWarmRestarts(opt, 4, 2, 0.0005);
      case "CosineAnnealingWarmRestarts-epochs-mult1" -> new CosineAnnealingWarmRestarts(opt, 4, 1, 0.0);
      default -> throw new AssertionError("no scheduler " + name);
    };
  }

  static void assertClose(double expected, double actual, String what) {
    if (!(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected))) {
      fail(what + ": expected " + expected + " but was " + actual);
    }
  }

  /** One scheduler step as the script makes it: with the metric, the (fractional) epoch, or none. */
  static void step(Object sched, JsonObject args, int s) {
    if (sched instanceof ReduceLROnPlateau p) {
      p.step(doubles(args.getAsJsonArray("metrics"))[s - 1]);
    } else if (args.has("epochs")) {
      ((CosineAnnealingWarmRestarts) sched).step(doubles(args.getAsJsonArray("epochs"))[s - 1]);
    } else {
      ((LRScheduler) sched).step();
    }
  }

  static double[] lastLr(Object sched) {
    return sched instanceof ReduceLROnPlateau p ? p.getLastLr() : ((LRScheduler) sched).getLastLr();
  }

  static Map<String, Object> stateOf(Object sched) {
    return sched instanceof ReduceLROnPlateau p ? p.stateDict() : ((LRScheduler) sched).stateDict();
  }

  static void load(Object sched, Map<String, Object> state) {
    if (sched instanceof ReduceLROnPlateau p) {
      p.loadStateDict(state);
    } else {
      ((LRScheduler) sched).loadStateDict(state);
    }
  }

  static SGD newOptimizer(Tensor a, Tensor b) {
    return new SGD(List.of(ParamGroup.of(a), ParamGroup.of(b).lr(0.01)), SGD.options().lr(0.1).momentum(0.9));
  }

  /**
   * Runs a golden's schedule for 30 steps and checks the rates (and the momentum where recorded) after
   * each; with {@code resumeAt} > 0 the run stops there, saves the optimizer's and the scheduler's
   * state dicts, and continues in a fresh optimizer and scheduler that load them (PyTorch's resume).
   */
  static void runAndCheck(JsonObject g, int resumeAt) {
    String name = g.get("name").getAsString();
    JsonObject args = g.getAsJsonObject("args");
    Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor b = Tensor.of(3f).requiresGrad(true);
    SGD opt = newOptimizer(a, b);
    Object sched = build(name, args, opt);
    JsonArray want = g.getAsJsonArray("lrs");
    JsonArray wantMom = g.has("momentums") ? g.getAsJsonArray("momentums") : null;
    for (int s = 0; s < want.size(); s++) {
      if (s == resumeAt) {
        var optState = opt.stateDict();
        Map<String, Object> schedState = stateOf(sched);
        opt = newOptimizer(a, b);
        sched = build(name, args, opt);
        opt.loadStateDict(optState);
        load(sched, schedState);
      }
      double[] w = doubles(want.get(s).getAsJsonArray());
      if (s > 0) {
        opt.zeroGrad();
        a.sum().add(b.sum()).backward();
        opt.step();
        step(sched, args, s);
        double[] last = lastLr(sched);
        for (int i = 0; i < w.length; i++) {
          assertClose(w[i], last[i], "getLastLr() after step " + s + " group " + i);
        }
      }
      for (int i = 0; i < w.length; i++) {
        assertClose(w[i], opt.paramGroups().get(i).lr(), "lr after step " + s + " group " + i);
      }
      if (wantMom != null) {
        double[] m = doubles(wantMom.get(s).getAsJsonArray());
        for (int i = 0; i < m.length; i++) {
          assertClose(m[i], opt.paramGroups().get(i).getDouble("momentum"), "momentum after step " + s);
        }
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyScheduleMatchesPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    JsonArray all = goldens().getAsJsonArray("schedulers");
    assertEquals(25, all.size());
    for (JsonElement e : all) {
      JsonObject g = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(g.get("name").getAsString(), () -> runAndCheck(g, -1)));
    }
    return tests.stream();
  }

  /** Every schedule resumed at step 11 from state dicts continues exactly as PyTorch's uninterrupted run. */
  @TestFactory
  Stream<DynamicTest> everyScheduleResumesFromItsStateDict() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : goldens().getAsJsonArray("schedulers")) {
      JsonObject g = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(g.get("name").getAsString(), () -> runAndCheck(g, 11)));
    }
    return tests.stream();
  }
}
