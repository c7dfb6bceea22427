package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * {@code reshape}, {@code slice} and {@code t} of a tensor of 1M floats (1024 x 1024), which are views
 * (O(1)) since issue 13, against copying the 1M floats once ({@code toFloatArray()}: what each of them cost
 * when they copied) in the same run; also with a tensor that requires grad (one node recorded), and a read
 * of the transposed view's elements ({@code t().sum()}: the kernels materialise a strided view once).
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.ViewBench -Dbench.args=""
 * </pre>
 *
 * <p>Plain harness: 1 s warm-up per case, then 7 samples of at least 0.2 s; median ns per call.
 */
public final class ViewBench {
  private ViewBench() {}

  static volatile Object sink;

  public static void main(String[] args) {
    Tensor x = Tensor.randn(new Generator(0), 1024, 1024);
    Tensor xg = Tensor.randn(new Generator(1), 1024, 1024).requiresGrad(true);
    double copy = time("copy 1M floats (toFloatArray)", x::toFloatArray);
    report("reshape(1048576)", time("reshape", () -> x.reshape(1048576)), copy);
    report("slice(0, 256, 768)", time("slice", () -> x.slice(0, 256, 768)), copy);
    report("t()", time("t", x::t), copy);
    report("reshape, requires grad", time("reshape rg", () -> xg.reshape(1048576)), copy);
    report("slice, requires grad", time("slice rg", () -> xg.slice(0, 256, 768)), copy);
    report("t(), requires grad", time("t rg", xg::t), copy);
    report("sum() (dense)", time("sum", x::sum), copy);
    report("t().sum() (materialised once)", time("t sum", () -> x.t().sum()), copy);
  }

  static void report(String what, double ns, double copyNs) {
    System.out.printf("%-32s %12.1f ns   copy / this = %10.1fx%n", what, ns, copyNs / ns);
  }

  static double time(String name, Supplier<Object> f) {
    long end = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < end) {
      sink = f.get();
    }
    double[] samples = new double[7];
    for (int s = 0; s < samples.length; s++) {
      long n = 0;
      long t0 = System.nanoTime();
      long t1;
      do {
        for (int i = 0; i < 16; i++) {
          sink = f.get();
        }
        n += 16;
        t1 = System.nanoTime();
      } while (t1 - t0 < 200_000_000L);
      samples[s] = (double) (t1 - t0) / n;
    }
    Arrays.sort(samples);
    if (name.startsWith("copy")) {
      System.out.printf("%-32s %12.1f ns (baseline)%n", name, samples[3]);
    }
    return samples[3];
  }
}
