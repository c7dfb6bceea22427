package dev.adjoint.benchmarks;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A Hessian-vector product of an MLP's loss (batch 64, 784-128-10, cross-entropy) by double backward
 * ({@code createGraph}), against a plain gradient of the same loss, and beside PyTorch's same program
 * ({@code benchmarks/python/hvp_bench.py}, one torch thread, OpenBLAS 1) run afterwards in the same session.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dadjoint.threads=1 \
 *     -cp benchmarks/target/classes:runtime/target/classes dev.adjoint.benchmarks.HvpBench [rounds] [nopython]
 * </pre>
 */
public final class HvpBench {
  private static final int N = 64;
  private static final int D = 784;
  private static final int H = 128;
  private static final int C = 10;

  private HvpBench() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    boolean python = !(args.length > 1 && args[1].equals("nopython"));
    Generator g = new Generator(0);
    Tensor x = Tensor.randn(g, N, D);
    int[] labels = new int[N];
    for (int i = 0; i < N; i++) {
      labels[i] = g.nextInt(C);
    }
    Tensor y = Tensor.indices(labels);
    Tensor[] params = {Tensor.randn(g, H, D).mul(0.03).requiresGrad(true), Tensor.zeros(H).requiresGrad(true),
        Tensor.randn(g, C, H).mul(0.09).requiresGrad(true), Tensor.zeros(C).requiresGrad(true)};
    Tensor[] v = new Tensor[params.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Tensor.randn(g, params[i].shape());
    }
    Runnable grad = () -> Autograd.grad(new Tensor[] {loss(x, y, params)}, params, null, false);
    Runnable hvp = () -> hvp(x, y, params, v);
    for (int w = 0; w < 200; w++) {
      grad.run();
      hvp.run();
    }
    double[] gr = new double[rounds];
    double[] hv = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      gr[r] = timed(grad);
      hv[r] = timed(hvp);
      System.out.printf(Locale.ROOT, "round %d: grad %.3f ms, hvp %.3f ms%n", r, gr[r], hv[r]);
    }
    double hvMedian = median(hv);
    double grMedian = median(gr);
    System.out.printf(Locale.ROOT, "adjoint hvp ms median=%.3f grad ms median=%.3f (hvp/grad %.2f; %s)%n",
        hvMedian, grMedian, hvMedian / grMedian, dev.adjoint.kernel.Kernels.get().name());
    if (python) {
      double[] torch = runPython(rounds);
      if (torch != null) {
        System.out.printf(Locale.ROOT, "RESULT hvp speed-up over torch %.2fx, grad speed-up %.2fx%n",
            torch[0] / hvMedian, torch[1] / grMedian);
      }
    }
  }

  static Tensor loss(Tensor x, Tensor y, Tensor[] p) {
    Tensor h = F.relu(F.linear(x, p[0], p[1]));
    return F.crossEntropy(F.linear(h, p[2], p[3]), y);
  }

  static Tensor[] hvp(Tensor x, Tensor y, Tensor[] p, Tensor[] v) {
    Tensor[] g = Autograd.grad(new Tensor[] {loss(x, y, p)}, p, null, true);
    Tensor dot = g[0].mul(v[0]).sum();
    for (int i = 1; i < g.length; i++) {
      dot = dot.add(g[i].mul(v[i]).sum());
    }
    return Autograd.grad(new Tensor[] {dot}, p, null, false);
  }

  private static double timed(Runnable f) {
    double[] t = new double[50];
    for (int i = 0; i < t.length; i++) {
      long t0 = System.nanoTime();
      f.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    return median(t);
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** PyTorch's medians {hvp, grad} in ms, or null when the peer cannot run here. */
  private static double[] runPython(int rounds) throws IOException, InterruptedException {
    File script = null;
    for (String p : new String[] {"python/hvp_bench.py", "benchmarks/python/hvp_bench.py"}) {
      if (new File(p).isFile()) {
        script = new File(p);
      }
    }
    if (script == null || !new File("/usr/bin/python3").canExecute()) {
      System.out.println("PyTorch peer skipped: needs /usr/bin/python3 and benchmarks/python/hvp_bench.py");
      return null;
    }
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.getPath(), Integer.toString(rounds))
        .redirectErrorStream(true);
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    double[] result = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println("  " + line);
        if (line.startsWith("torch hvp ms median=")) {
          String[] f = line.split("[= ]+");
          result = new double[] {Double.parseDouble(f[4]), Double.parseDouble(f[8])};
        }
      }
    }
    p.waitFor();
    return result;
  }
}
