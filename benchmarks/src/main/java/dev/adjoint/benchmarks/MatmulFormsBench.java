package dev.adjoint.benchmarks;

import dev.adjoint.kernel.vector.VectorKernels;
import java.util.SplittableRandom;
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
 * The three forms a linear layer runs, single-threaded, at {@code shape = M×K×N}: forward {@code A·B}
 * ({@code NN}), the input gradient {@code G·Bᵀ} ({@code NT}) and the weight gradient {@code Aᵀ·G}
 * ({@code TN}), each an M×N result over K terms (operands stored transposed as the form needs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulFormsBench {

  @Param({"64x784x512", "512x512x512"})
  public String shape;

  @Param({"NN", "NT", "TN"})
  public String form;

  int m;
  int k;
  int n;
  float[] a;
  float[] b;
  float[] c;
  final VectorKernels kernels = VectorKernels.withThreads(1);

  @Setup
  public void setup() {
    String[] d = shape.split("x");
    m = Integer.parseInt(d[0]);
    k = Integer.parseInt(d[1]);
    n = Integer.parseInt(d[2]);
    SplittableRandom r = new SplittableRandom(42);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextDouble(-1, 1);
    }
  }

  @Benchmark
  public float[] gemm() {
    kernels.gemm(form.charAt(0) == 'T', form.charAt(1) == 'T', m, n, k, a, 0, b, 0, c, 0, false);
    return c;
  }
}
