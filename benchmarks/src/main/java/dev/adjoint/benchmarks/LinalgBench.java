package dev.adjoint.benchmarks;

import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.kernel.DoubleKernels;
import dev.adjoint.kernel.vector.DoubleVectorGemm;
import dev.adjoint.linalg.Linalg;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 15's benchmark main, two parts, each a ratio against a baseline measured in the same run:
 *
 * <ol>
 *   <li>a float64 {@code cholesky} + {@code choleskySolve} + backward step ({@code sum(cholesky_solve(B,
 *       cholesky(A))).backward()}, A n×n SPD, B n×1) at n = 256 and 1024, against the same step in PyTorch
 *       ({@code benchmarks/python/linalg_bench.py}, one thread, OpenBLAS), run afterwards as a child process;
 *   <li>float64 {@code matmul} at 512³ in GFLOP/s against the float64 FMA peak of this core through the
 *       Vector API (12 independent {@code DoubleVector} FMA chains), measured in the same JVM.
 * </ol>
 *
 * <p>{@code mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.LinalgBench
 * -Dbench.args="5"} (repetitions per size; add {@code nopython} to skip the peer).
 */
public final class LinalgBench {
  private LinalgBench() {}

  static double[] time(Runnable r, int reps) {
    double[] ms = new double[reps];
    double[] cpu = new double[reps];
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < reps; i++) {
      long c = mx.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      r.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
      cpu[i] = (mx.getCurrentThreadCpuTime() - c) / 1e6;
    }
    Arrays.sort(ms);
    Arrays.sort(cpu);
    return new double[] {ms[reps / 2], ms[0], cpu[reps / 2]};
  }

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    boolean python = !(args.length > 1 && args[1].equals("nopython"));
    int[] sizes = {256, 1024};
    System.out.println("float64 GEMM kernel: " + DoubleKernels.gemmName());
    Map<Integer, double[]> ours = new HashMap<>();
    for (int n : sizes) {
      Tensor z = Tensor.randn(new dev.adjoint.Generator(n), new int[] {n, n}, DType.FLOAT64);
      double[] av = z.matmul(z.t()).div(n).toDoubleArray();
      for (int i = 0; i < n; i++) {
        av[i * n + i] += 1;
      }
      Tensor a = Tensor.wrap(av, n, n).requiresGrad(true);
      Tensor b = Tensor.randn(new dev.adjoint.Generator(n + 1), new int[] {n, 1}, DType.FLOAT64);
      Runnable step = () -> {
        a.setGrad(null);
        Linalg.choleskySolve(b, Linalg.cholesky(a)).sum().backward();
      };
      // warm up for three seconds and at least 3 steps: 3 steps at n = 256 (about 60 ms) leave the step
      // interpreted or C1-compiled, which measured 2.8x slower than the C2 code after a few hundred
      long until = System.nanoTime() + 3_000_000_000L;
      for (int w = 0; w < 3 || System.nanoTime() < until; w++) {
        step.run();
      }
      double[] t = time(step, reps);
      ours.put(n, t);
      // the thread's CPU time too: on a loaded machine the wall time includes waiting for a core (one matrix is
      // computed on the calling thread alone)
      System.out.printf(Locale.ROOT, "adjoint n=%d median=%.3f min=%.3f ms cpu-median=%.3f ms%n", n, t[0], t[1], t[2]);
    }
    // float64 matmul at 512³ against the float64 FMA peak, same JVM
    int m = 512;
    Tensor x = Tensor.randn(new dev.adjoint.Generator(1), new int[] {m, m}, DType.FLOAT64);
    Tensor y = Tensor.randn(new dev.adjoint.Generator(2), new int[] {m, m}, DType.FLOAT64);
    time(() -> x.matmul(y), 5);
    double[] mm = time(() -> x.matmul(y), 9);
    double flops = 2.0 * m * m * m;
    int iters = 20_000_000;
    double[] sink = new double[1];
    time(() -> sink[0] += DoubleVectorGemm.fmaPeak(iters, sink[0] * 1e-300), 3);
    double[] peak = time(() -> sink[0] += DoubleVectorGemm.fmaPeak(iters, sink[0] * 1e-300), 5);
    double peakGflops = DoubleVectorGemm.fmaPeakFlops(iters) / (peak[1] * 1e6);
    double mmGflops = flops / (mm[1] * 1e6);
    System.out.printf(Locale.ROOT, "float64 matmul 512^3: best %.3f ms = %.2f GFLOP/s (median %.2f); float64 FMA "
        + "peak %.2f GFLOP/s; ratio %.2f%n", mm[1], mmGflops, flops / (mm[0] * 1e6), peakGflops, mmGflops / peakGflops);
    if (python) {
      Map<Integer, Double> torch = runPyTorch(reps, sizes);
      for (int n : sizes) {
        Double tm = torch.get(n);
        if (tm != null) {
          System.out.printf(Locale.ROOT, "n=%d: adjoint %.3f ms, PyTorch %.3f ms, ratio (adjoint / PyTorch) %.2f%n",
              n, ours.get(n)[0], tm, ours.get(n)[0] / tm);
        }
      }
    }
    if (sink[0] == 42) {
      System.out.println();
    }
  }

  static Map<Integer, Double> runPyTorch(int reps, int[] sizes) throws IOException, InterruptedException {
    Map<Integer, Double> out = new HashMap<>();
    File script = null;
    for (String p : new String[] {"python/linalg_bench.py", "benchmarks/python/linalg_bench.py"}) {
      if (new File(p).isFile()) {
        script = new File(p);
      }
    }
    if (script == null || !new File("/usr/bin/python3").canExecute()) {
      System.out.println("PyTorch peer skipped: needs /usr/bin/python3 and benchmarks/python/linalg_bench.py");
      return out;
    }
    String[] cmd = new String[3 + sizes.length];
    cmd[0] = "/usr/bin/python3";
    cmd[1] = script.getPath();
    cmd[2] = Integer.toString(reps);
    for (int i = 0; i < sizes.length; i++) {
      cmd[3 + i] = Integer.toString(sizes[i]);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        System.out.println("  [torch] " + line);
        if (line.startsWith("n=") && line.contains("median=")) {
          int n = Integer.parseInt(line.substring(2, line.indexOf(' ')));
          out.put(n, Double.parseDouble(line.substring(line.indexOf("median=") + 7).split(" ")[0]));
        }
      }
    }
    p.waitFor();
    return out;
  }
}
