package dev.adjoint.benchmarks;

import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.ScalarKernels;
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
 * Elementwise and reduction kernels at {@code size} floats: the Vector API kernels on one thread
 * ({@code vector-1t}) and with the default number of threads ({@code vector}: the compute-bound ones split
 * from {@code VectorKernels.PARALLEL_ELEMENTS} on) beside the scalar reference loops ({@code scalar},
 * which C2 auto-vectorises where it can; {@link ElementwiseNoSuperWordBench} runs them with C2's
 * auto-vectoriser off). {@code copy} is {@code System.arraycopy} of the same size: the memory-bandwidth
 * yardstick (8 bytes moved per float; {@code add} moves 12, {@code addRow} (its row stays in cache),
 * {@code relu}, {@code exp} and {@code sigmoid} 8, {@code sum} 4).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench {

  @Param({"16384", "1048576"})
  public int size;

  @Param({"scalar", "vector-1t", "vector"})
  public String impl;

  float[] a;
  float[] b;
  float[] out;
  Kernels kernels;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(1);
    a = new float[size];
    b = new float[size];
    out = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) r.nextDouble(-4, 4);
      b[i] = (float) r.nextDouble(-4, 4);
    }
    kernels = switch (impl) {
      case "vector" -> VectorKernels.instance();
      case "vector-1t" -> VectorKernels.withThreads(1);
      default -> ScalarKernels.instance();
    };
  }

  @Benchmark
  public float[] add() {
    kernels.add(a, b, out, size);
    return out;
  }

  /** A bias row of 512 added to every row (a linear layer's bias; {@code size / 512} rows). */
  @Benchmark
  public float[] addRow() {
    kernels.addRow(a, b, out, size / 512, 512);
    return out;
  }

  @Benchmark
  public float[] relu() {
    kernels.relu(a, out, size);
    return out;
  }

  @Benchmark
  public float[] exp() {
    kernels.exp(a, out, size);
    return out;
  }

  @Benchmark
  public float[] sigmoid() {
    kernels.sigmoid(a, out, size);
    return out;
  }

  @Benchmark
  public float sum() {
    return kernels.sum(a, 0, size);
  }

  /** Softmax over rows of 1024 (a classifier's logits, batched). */
  @Benchmark
  public float[] softmaxRows() {
    kernels.softmaxRows(a, out, size / 1024, 1024, false);
    return out;
  }

  @Benchmark
  public float[] copy() {
    System.arraycopy(a, 0, out, 0, size);
    return out;
  }
}
