package dev.adjoint.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The step roofline of issue 18: a training step's time against the sum of its matrix products, each
 * timed alone at the same shapes with the same kernel calls, in the same process. The ratio
 * {@code products / step} is the share of the step the products would take if nothing else cost time; the
 * issue asks for at least 60%.
 *
 * <p>Step and products are timed in interleaved rounds (the step {@code n} times, then each product
 * {@code n} times, and again), so that a change in the machine's load falls on both; each call is timed
 * alone and a round keeps the median call. Printed: the median over rounds and the best round, in wall time
 * and in CPU time of the calling thread (the whole cost only with {@code -Dadjoint.threads=1}; with more
 * threads the workers' share is not in it).
 *
 * <p>Also the process-wide figures {@link MlpBench} prints beside its rates: bytes allocated by the calling
 * thread and by all other threads, CPU time of the process, collections.
 */
final class Roofline {
  private Roofline() {}

  /** One product of the step: a label, its floating-point operations, and the call that computes it. */
  record Product(String name, long flops, Runnable run) {}

  /** {@code n} floats uniform in [-1, 1). */
  static float[] random(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rnd.nextFloat() * 2 - 1;
    }
    return a;
  }

  /** Rounds of the interleaved timing. */
  private static final int MIN_ROUNDS = 5;

  /** Calls per item and round. */
  private static final int CALLS = 60;

  /**
   * Prints the roofline of {@code step} (one training step of {@code batch} samples, already warm) against
   * {@code products}, over {@code max(rounds, 5)} interleaved rounds.
   */
  static void print(Runnable step, List<Product> products, int batch, int rounds) {
    rounds = Math.max(rounds, MIN_ROUNDS);
    int items = products.size() + 1;
    for (Product p : products) { // warm the products alone (JIT, packing buffers)
      for (int i = 0; i < 3 * CALLS; i++) {
        p.run().run();
      }
    }
    double[][] wall = new double[items][rounds];
    double[][] cpu = new double[items][rounds];
    long[] w = new long[CALLS];
    long[] c = new long[CALLS];
    java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      for (int it = 0; it < items; it++) {
        Runnable call = it == 0 ? step : products.get(it - 1).run();
        for (int i = 0; i < CALLS; i++) {
          long c0 = tmx.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          call.run();
          w[i] = System.nanoTime() - t0;
          c[i] = tmx.getCurrentThreadCpuTime() - c0;
        }
        wall[it][r] = median(w) / 1e3;
        cpu[it][r] = median(c) / 1e3;
      }
    }
    System.out.printf(Locale.ROOT, "roofline: %d interleaved rounds of %d calls each; per call, µs: median of the "
        + "rounds' medians [best round], wall | calling-thread CPU%n", rounds, CALLS);
    double sumWall = 0;
    double sumCpu = 0;
    double bestWall = 0;
    double bestCpu = 0;
    for (int it = 1; it < items; it++) {
      Product p = products.get(it - 1);
      double mw = med(wall[it]);
      double mc = med(cpu[it]);
      sumWall += mw;
      sumCpu += mc;
      bestWall += min(wall[it]);
      bestCpu += min(cpu[it]);
      System.out.printf(Locale.ROOT, "  %-46s %8.1f [%8.1f] | %8.1f [%8.1f]  %6.1f GFLOP/s wall%n", p.name(), mw,
          min(wall[it]), mc, min(cpu[it]), p.flops() / (mw * 1e3));
    }
    double stepWall = med(wall[0]);
    double stepCpu = med(cpu[0]);
    System.out.printf(Locale.ROOT, "  %-46s %8.1f [%8.1f] | %8.1f [%8.1f]%n", "sum of the products", sumWall, bestWall,
        sumCpu, bestCpu);
    System.out.printf(Locale.ROOT, "  %-46s %8.1f [%8.1f] | %8.1f [%8.1f]  (%.0f samples/s wall)%n",
        "training step", stepWall, min(wall[0]), stepCpu, min(cpu[0]), batch / (stepWall / 1e6));
    System.out.printf(Locale.ROOT, "ROOFLINE products/step = %.0f%% wall (best rounds %.0f%%), "
        + "%.0f%% calling-thread CPU (best rounds %.0f%%)%n", 100 * sumWall / stepWall, 100 * bestWall / min(wall[0]), 100 * sumCpu / stepCpu,
        100 * bestCpu / min(cpu[0]));
  }

  private static double median(long[] a) {
    long[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }

  private static double med(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double min(double[] a) {
    return Arrays.stream(a).min().orElse(Double.NaN);
  }

  /** Bytes allocated so far: {by the calling thread, by every other live thread}. */
  static long[] allocatedBytes() {
    com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().threadId();
    long mine = 0;
    long others = 0;
    long[] ids = tmx.getAllThreadIds();
    long[] bytes = tmx.getThreadAllocatedBytes(ids);
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] < 0) {
        continue;
      }
      if (ids[i] == self) {
        mine = bytes[i];
      } else {
        others += bytes[i];
      }
    }
    return new long[] {mine, others};
  }

  /** CPU time of the whole process so far, in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Collections so far, all collectors. */
  static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, b.getCollectionCount());
    }
    return n;
  }
}
