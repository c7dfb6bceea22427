package dev.adjoint.benchmarks;

import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.ScalarKernels;
import dev.adjoint.kernel.vector.VectorKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A companion to the JMH benchmarks for a shared machine: runs several configurations in one JVM,
 * interleaved (each gets ~100 ms per round, {@code rounds} rounds, after a warm-up), timing every call.
 * Load from other processes then falls on every configuration alike, and the distribution of per-call
 * times shows it: the minimum and the 10th percentile are what the code does when it has the cores,
 * the median what it did on the machine as it was.
 *
 * <p>Usage: {@code InterleavedProbe matmul [rounds]} (the four shapes on 1 and 2 threads), or
 * {@code InterleavedProbe elementwise [rounds]} (exp, sigmoid, softmax rows, add, addRow, sum at 16K and
 * 1M floats: scalar reference, vector on 1 thread, vector on 2 threads, and {@code System.arraycopy}).
 * Start it with {@code -XX:-UseSuperWord} for the scalar loops as written (the vector figures are then
 * unchanged: the Vector API does not depend on C2's auto-vectoriser). Prints one line per configuration:
 * min, p10 and median per call (µs), and for matmul the GFLOP/s of each.
 */
public final class InterleavedProbe {
  private InterleavedProbe() {}

  public static void main(String[] args) {
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Map<String, Runnable> configs = new LinkedHashMap<>();
    Map<String, Double> flops = new LinkedHashMap<>();
    if (args[0].equals("matmul")) {
      for (String shape : new String[] {"64x784x512", "64x512x512", "512x512x512", "1024x1024x1024"}) {
        String[] d = shape.split("x");
        int m = Integer.parseInt(d[0]);
        int k = Integer.parseInt(d[1]);
        int n = Integer.parseInt(d[2]);
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c = new float[m * n];
        for (int t = 1; t <= 2; t++) {
          VectorKernels kern = VectorKernels.withThreads(t);
          String name = shape + " " + t + "t";
          configs.put(name, () -> kern.gemm(false, false, m, n, k, a, 0, b, 0, c, 0, false));
          flops.put(name, 2.0 * m * n * k);
        }
      }
    } else {
      Kernels[] impls = {ScalarKernels.instance(), VectorKernels.withThreads(1), VectorKernels.withThreads(2)};
      String[] implNames = {"scalar", "vector-1t", "vector-2t"};
      for (int size : new int[] {16384, 1 << 20}) {
        float[] x = random(size, 3);
        float[] y = random(size, 4);
        float[] row = random(512, 5);
        float[] out = new float[size];
        float[] sink = new float[1];
        configs.put("copy " + size, () -> System.arraycopy(x, 0, out, 0, size));
        for (int i = 0; i < impls.length; i++) {
          Kernels kk = impls[i];
          String s = " " + size + " " + implNames[i];
          configs.put("add" + s, () -> kk.add(x, y, out, size));
          configs.put("addRow" + s, () -> kk.addRow(x, row, out, size / 512, 512));
          configs.put("sum" + s, () -> sink[0] += kk.sum(x, 0, size));
          configs.put("exp" + s, () -> kk.exp(x, out, size));
          configs.put("sigmoid" + s, () -> kk.sigmoid(x, out, size));
          configs.put("softmaxRows" + s, () -> kk.softmaxRows(x, out, size / 1024, 1024, false));
        }
      }
    }
    List<String> names = new ArrayList<>(configs.keySet());
    Map<String, long[]> times = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String name : names) {
      times.put(name, new long[1 << 16]);
      counts.put(name, 0);
    }
    for (int round = -3; round < rounds; round++) {
      for (String name : names) {
        Runnable op = configs.get(name);
        long[] t = times.get(name);
        int cnt = counts.get(name);
        long end = System.nanoTime() + 100_000_000L;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          op.run();
          long dt = System.nanoTime() - t0;
          if (round >= 0 && cnt < t.length) {
            t[cnt++] = dt;
          }
        }
        counts.put(name, cnt);
      }
    }
    for (String name : names) {
      long[] t = Arrays.copyOf(times.get(name), counts.get(name));
      Arrays.sort(t);
      double min = t[0] / 1e3;
      double p10 = t[t.length / 10] / 1e3;
      double med = t[t.length / 2] / 1e3;
      Double f = flops.get(name);
      System.out.println(String.format(Locale.ROOT, "%-28s min %10.2f  p10 %10.2f  median %10.2f us", name, min, p10,
          med) + (f == null ? "" : String.format(Locale.ROOT, "   GFLOP/s: best %.1f  p10 %.1f  median %.1f",
          f / min / 1e3, f / p10 / 1e3, f / med / 1e3)));
    }
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextDouble(-4, 4);
    }
    return v;
  }
}
