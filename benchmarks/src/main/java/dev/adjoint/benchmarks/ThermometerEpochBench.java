package dev.adjoint.benchmarks;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.samples.thermometer.ThermometerDiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Seed 000's 5000-epoch thermometer training loop, in µs per epoch, three ways in one process:
 * eager Adjoint (every op records a node), generated code ({@code ThermometerDiff}: one node per
 * {@code @Differentiable} call, generated backward), the generated functional form (pullbacks, no
 * graph) and the fused generated step ({@code ThermometerFused}: model and loss in one
 * {@code @Differentiable} method, which the processor turns into one loop). Each variant runs the whole loop, checks the final parameters against the
 * book, and reports the median of {@code rounds} timed loops after warm-up.
 *
 * <p>Usage: {@code ThermometerEpochBench [rounds]}; the PyTorch peer is
 * {@code benchmarks/python/thermometer_epoch.py}.
 */
public final class ThermometerEpochBench {
  private ThermometerEpochBench() {}

  static final float[] T_C = {0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f};
  static final float[] T_U = {35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f};
  static final int EPOCHS = 5000;

  /** Eager Adjoint: the seed's loop line by line. */
  static String eager() {
    Tensor tC = Tensor.of(T_C);
    Tensor tUn = Tensor.of(T_U).mul(0.1);
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      if (params.grad() != null) {
        params.grad().zero_();
      }
      Tensor tP = params.slice(0, 0, 1).mul(tUn).add(params.slice(0, 1, 2));
      Tensor loss = tP.sub(tC).pow(2).mean();
      loss.backward();
      try (var g = Autograd.noGrad()) {
        params.sub_(params.grad().mul(1e-2));
      }
    }
    return params.toString();
  }

  /** Generated code: the same loop calling ThermometerDiff's tracked forwards. */
  static String generated() {
    Tensor tC = Tensor.of(T_C);
    Tensor tUn = Tensor.of(T_U).mul(0.1);
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      if (params.grad() != null) {
        params.grad().zero_();
      }
      Tensor tP = ThermometerDiff.model(tUn, params.slice(0, 0, 1), params.slice(0, 1, 2));
      Tensor loss = ThermometerDiff.lossFn(tP, tC);
      loss.backward();
      try (var g = Autograd.noGrad()) {
        params.sub_(params.grad().mul(1e-2));
      }
    }
    return params.toString();
  }

  /** Generated functional form: value and gradients in one call, no graph. */
  static String functional() {
    Tensor tC = Tensor.of(T_C);
    Tensor tUn = Tensor.of(T_U).mul(0.1);
    Tensor w = Tensor.of(1.0f);
    Tensor b = Tensor.of(0.0f);
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      var model = ThermometerDiff.modelPullback(tUn, w, b);
      var loss = ThermometerDiff.lossFnValueAndGrad(model.value(), tC);
      var grads = model.backward(loss.gradient().tP());
      w.sub_(grads.w().mul(1e-2));
      b.sub_(grads.b().mul(1e-2));
    }
    return "[" + w.item() + ", " + b.item() + "]";
  }

  /** The fused generated step: one loop forward and backward, then the seed's manual update. */
  static String fused() {
    Tensor tC = Tensor.of(T_C);
    Tensor tUn = Tensor.of(T_U).mul(0.1);
    Tensor w = Tensor.of(1.0f);
    Tensor b = Tensor.of(0.0f);
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      var g = ThermometerFusedDiff.lossValueAndGrad(tUn, tC, w, b).gradient();
      w.sub_(g.w().mul(1e-2));
      b.sub_(g.b().mul(1e-2));
    }
    return "[" + w.item() + ", " + b.item() + "]";
  }

  /** The fastest round of the last measurement (the machine is shared: the median is noisy). */
  static double lastMin;

  static double medianMicrosPerEpoch(Supplier<String> loop, int rounds) {
    for (int i = 0; i < 20; i++) {
      loop.get();
    }
    List<Double> samples = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      loop.get();
      samples.add((System.nanoTime() - t0) / 1e3 / EPOCHS);
    }
    double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    lastMin = s[0];
    return s[s.length / 2];
  }

  /**
   * Runs the variants and prints µs/epoch. Arguments: {@code [rounds] [variant]}, variant one of
   * {@code eager generated functional fused} (default: all, in one JVM; JIT profiles of different
   * variants can interfere, so the figures in the README come from one JVM per variant).
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    String only = args.length > 1 ? args[1] : "all";
    Map<String, Supplier<String>> variants = new LinkedHashMap<>();
    variants.put("eager", ThermometerEpochBench::eager);
    variants.put("generated", ThermometerEpochBench::generated);
    variants.put("functional", ThermometerEpochBench::functional);
    variants.put("fused", ThermometerEpochBench::fused);
    for (var v : variants.entrySet()) {
      if (only.equals("all") || only.equals(v.getKey())) {
        String result = v.getValue().get();
        double us = medianMicrosPerEpoch(v.getValue(), rounds);
        System.out.printf(Locale.ROOT, "%-10s %8.3f us/epoch median, %8.3f best  final %s%n", v.getKey(), us,
            lastMin, result);
      }
    }
  }
}
