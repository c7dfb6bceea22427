package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.SGD;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code optimizer.step()} on one parameter tensor of {@code n} floats with a fixed gradient; the
 * PyTorch peer is {@code benchmarks/python/adam_step.py} (same sizes, same options). Run both in the
 * same session:
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench.args="-f 1 -wi 5 -i 10 AdamStepBench"
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.AdamStepBench -Dbench.args=""
 * /usr/bin/python3 benchmarks/python/adam_step.py
 * </pre>
 *
 * <p>The second form runs {@link #main}, a plain harness with the Python script's method (50 warm-up
 * steps, then 7 repeats of 200 steps, median µs per step), for when JMH's lock is held by another run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AdamStepBench {

  @Param({"1000000"})
  int n;

  Adam adam;
  Adam amsgrad;
  SGD sgdMomentum;

  @Setup
  public void setup() {
    Generator gen = new Generator(0);
    adam = new Adam(List.of(param(gen)), Adam.options().lr(1e-3));
    amsgrad = new Adam(List.of(param(gen)), Adam.options().lr(1e-3).amsgrad(true).weightDecay(1e-2));
    sgdMomentum = new SGD(List.of(param(gen)), SGD.options().lr(1e-3).momentum(0.9));
  }

  private Tensor param(Generator gen) {
    Tensor p = Tensor.randn(gen, n).requiresGrad(true);
    p.setGrad(Tensor.randn(gen, n));
    return p;
  }

  /** Adam with PyTorch's defaults: the figure the issue asks for. */
  @Benchmark
  public Tensor adamStep() {
    return adam.step();
  }

  /** Adam with AMSGrad and weight decay (the general loop). */
  @Benchmark
  public Tensor adamAmsgradStep() {
    return amsgrad.step();
  }

  /** SGD with momentum, for scale. */
  @Benchmark
  public Tensor sgdMomentumStep() {
    return sgdMomentum.step();
  }

  /** The plain harness: same method as benchmarks/python/adam_step.py. */
  public static void main(String[] args) {
    AdamStepBench b = new AdamStepBench();
    b.n = 1_000_000;
    b.setup();
    System.out.println("java " + System.getProperty("java.version") + " n = " + b.n);
    report("adamStep (Adam lr=1e-3)", b.adam::step);
    report("adamAmsgradStep (amsgrad, wd=1e-2)", b.amsgrad::step);
    report("sgdMomentumStep (SGD lr=1e-3 momentum=0.9)", b.sgdMomentum::step);
  }

  private static void report(String name, Runnable step) {
    for (int i = 0; i < 2000; i++) {
      step.run(); // JIT warm-up (C2 compiles the loop) before the measured repeats
    }
    double[] us = new double[7];
    for (int r = 0; r < us.length; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        step.run();
      }
      us[r] = (System.nanoTime() - t0) / 200 / 1e3;
    }
    double[] sorted = us.clone();
    java.util.Arrays.sort(sorted);
    System.out.printf(java.util.Locale.ROOT, "threads=1  %-55s median %9.1f us/step  [%.1f .. %.1f]%n", name,
        sorted[3], sorted[0], sorted[6]);
  }
}
