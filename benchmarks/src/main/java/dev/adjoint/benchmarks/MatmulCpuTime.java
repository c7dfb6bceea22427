package dev.adjoint.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.adjoint.kernel.vector.FmaPeak;
import dev.adjoint.kernel.vector.VectorKernels;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A companion to the JMH benchmarks for a loaded machine: one configuration per JVM, reporting GFLOP/s
 * on wall time and on the process's CPU time. When other processes hold the cores, the wall figure
 * measures the scheduler; the CPU figure (flops per CPU-second used) still measures the kernel, and the
 * ratio of the 2-thread to the 1-thread CPU figure is the parallel efficiency (splitting and duplicated
 * packing cost CPU; load imbalance does not show in it).
 *
 * <p>Usage: {@code MatmulCpuTime M×K×N threads [NN|NT|TN]} or {@code MatmulCpuTime fma}. Prints one line: the
 * configuration, the median wall GFLOP/s and the median CPU GFLOP/s over 7 samples of at least 0.5 s,
 * after 2 s of warm-up.
 */
public final class MatmulCpuTime {
  private MatmulCpuTime() {}

  public static void main(String[] args) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Runnable op;
    double flops;
    String label;
    if (args[0].equals("fma")) {
      int iters = (1 << 21) / (VectorKernels.bitSize() / 32);
      float[] sink = new float[1];
      op = () -> sink[0] += FmaPeak.run(iters, 1f);
      flops = FmaPeakBench.FLOPS;
      label = "fma-peak 1 thread";
    } else {
      String[] d = args[0].split("x");
      int m = Integer.parseInt(d[0]);
      int k = Integer.parseInt(d[1]);
      int n = Integer.parseInt(d[2]);
      int threads = Integer.parseInt(args[1]);
      SplittableRandom r = new SplittableRandom(42);
      float[] a = new float[m * k];
      float[] b = new float[k * n];
      float[] c = new float[m * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextDouble(-1, 1);
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextDouble(-1, 1);
      }
      VectorKernels kern = VectorKernels.withThreads(threads);
      String form = args.length > 2 ? args[2] : "NN";
      boolean ta = form.charAt(0) == 'T';
      boolean tb = form.charAt(1) == 'T';
      op = () -> kern.gemm(ta, tb, m, n, k, a, 0, b, 0, c, 0, false);
      flops = 2.0 * m * n * k;
      label = args[0] + " " + form + " " + threads + " thread" + (threads > 1 ? "s" : "");
    }
    long end = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < end) {
      op.run();
    }
    double[] wall = new double[7];
    double[] cpu = new double[7];
    for (int s = 0; s < wall.length; s++) {
      long w0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      int reps = 0;
      do {
        op.run();
        reps++;
      } while (System.nanoTime() - w0 < 500_000_000L);
      long w = System.nanoTime() - w0;
      long c1 = os.getProcessCpuTime() - c0;
      wall[s] = reps * flops / w;
      cpu[s] = reps * flops / c1;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    System.out.println(String.format(Locale.ROOT, "%s: wall %.1f GFLOP/s, cpu %.1f GFLOP/s per CPU-second",
        label, wall[3], cpu[3]));
  }
}
