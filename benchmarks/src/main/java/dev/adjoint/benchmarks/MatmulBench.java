package dev.adjoint.benchmarks;

import dev.adjoint.kernel.vector.VectorKernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
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
 * {@code C = A·B} for {@code shape = M×K×N} (A is M×K, B is K×N): Adjoint's Vector API gemm with 1 and 2
 * threads beside EJML's {@code CommonOps_FDRM.mult} and {@code CommonOps_MT_FDRM.mult}, each
 * combination in its own JVM (JMH forks per parameter set; shared JVMs mix JIT profiles). GFLOP/s =
 * 2·M·N·K × ops/s, computed by {@code jmh_table.py}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBench {

  @Param({"64x784x512", "64x512x512", "512x512x512", "1024x1024x1024"})
  public String shape;

  @Param({"adjoint-1t", "adjoint-2t", "ejml", "ejml-mt"})
  public String impl;

  int m;
  int k;
  int n;
  float[] a;
  float[] b;
  float[] c;
  VectorKernels kernels;
  FMatrixRMaj ma;
  FMatrixRMaj mb;
  FMatrixRMaj mc;

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
    kernels = switch (impl) {
      case "adjoint-1t" -> VectorKernels.withThreads(1);
      case "adjoint-2t" -> VectorKernels.withThreads(2);
      default -> null;
    };
    ma = FMatrixRMaj.wrap(m, k, a);
    mb = FMatrixRMaj.wrap(k, n, b);
    mc = FMatrixRMaj.wrap(m, n, c);
  }

  @Benchmark
  public float[] mult() {
    switch (impl) {
      case "ejml" -> CommonOps_FDRM.mult(ma, mb, mc);
      case "ejml-mt" -> CommonOps_MT_FDRM.mult(ma, mb, mc);
      default -> kernels.gemm(false, false, m, n, k, a, 0, b, 0, c, 0, false);
    }
    return c;
  }
}
