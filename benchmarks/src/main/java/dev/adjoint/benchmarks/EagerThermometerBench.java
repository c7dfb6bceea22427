package dev.adjoint.benchmarks;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The eager thermometer loop of seed 000 (5000 epochs of model, loss, backward and a manual update
 * under noGrad, exactly as runtime's ThermometerEagerTest runs it) in µs per epoch, beside PyTorch's
 * eager loop ({@code benchmarks/python/thermometer_eager.py}) run in the same session.
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec \
 *     -Dbench=dev.adjoint.benchmarks.EagerThermometerBench -Dbench.args="10"
 * </pre>
 *
 * Argument: the number of timed runs (default 10), after warm-up runs until the JIT settles. The
 * PyTorch peer runs afterwards as a child process ({@code /usr/bin/python3}, single thread) when the
 * script and python are found; pass {@code -Dbench.args="10 nopython"} to skip it.
 */
public final class EagerThermometerBench {
  static final int EPOCHS = 5000;
  static final Tensor T_C = Tensor.of(0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f);
  static final Tensor T_U = Tensor.of(35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f);

  private EagerThermometerBench() {}

  static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  static Tensor lossFn(Tensor tP, Tensor tC) {
    return tP.sub(tC).pow(2).mean();
  }

  /** One training run; returns the final loss so that nothing is dead code. */
  static float trainingLoop(int epochs, double learningRate, Tensor params, Tensor tU, Tensor tC) {
    float last = 0;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      if (params.grad() != null) {
        params.grad().zero_();
      }
      Tensor tP = model(tU, params.slice(0, 0, 1), params.slice(0, 1, 2));
      Tensor loss = lossFn(tP, tC);
      loss.backward();
      try (var g = Autograd.noGrad()) {
        params.sub_(params.grad().mul(learningRate));
      }
      last = loss.item();
    }
    return last;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    boolean python = !(args.length > 1 && args[1].equals("nopython"));
    Tensor tUn = T_U.mul(0.1);
    for (int i = 0; i < 20; i++) {
      trainingLoop(EPOCHS, 1e-2, Tensor.of(1.0f, 0.0f).requiresGrad(true), tUn, T_C);
    }
    double[] us = new double[runs];
    for (int r = 0; r < runs; r++) {
      Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
      long t0 = System.nanoTime();
      float loss = trainingLoop(EPOCHS, 1e-2, params, tUn, T_C);
      us[r] = (System.nanoTime() - t0) / 1e3 / EPOCHS;
      System.out.printf(Locale.ROOT, "run %d: %.3f us/epoch (loss %f, params %s)%n", r, us[r], loss, params);
    }
    double[] sorted = us.clone();
    Arrays.sort(sorted);
    double median = sorted[runs / 2];
    System.out.printf(Locale.ROOT, "adjoint-eager us/epoch median=%.3f min=%.3f (%s, %s)%n", median, sorted[0],
        dev.adjoint.kernel.Kernels.get().name(), Runtime.version());
    if (python) {
      Double torch = runPyTorch(Math.max(3, runs / 2));
      if (torch != null) {
        System.out.printf(Locale.ROOT, "torch-eager / adjoint-eager = %.1fx%n", torch / median);
      }
    }
  }

  /** Runs the PyTorch peer and returns its median µs/epoch, or null when it cannot run here. */
  static Double runPyTorch(int runs) throws IOException, InterruptedException {
    File script = null;
    for (String p : new String[] {"python/thermometer_eager.py", "benchmarks/python/thermometer_eager.py"}) {
      if (new File(p).isFile()) {
        script = new File(p);
      }
    }
    if (script == null || !new File("/usr/bin/python3").canExecute()) {
      System.out.println("PyTorch peer skipped: needs /usr/bin/python3 and benchmarks/python/thermometer_eager.py");
      return null;
    }
    Process p = new ProcessBuilder("/usr/bin/python3", script.getPath(), Integer.toString(runs))
        .redirectErrorStream(true).start();
    Double median = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        System.out.println("  [torch] " + line);
        int i = line.indexOf("median=");
        if (i >= 0) {
          median = Double.parseDouble(line.substring(i + 7).split(" ")[0]);
        }
      }
    }
    p.waitFor();
    return median;
  }
}
