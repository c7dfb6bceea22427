package dev.adjoint.benchmarks;

import dev.adjoint.kernel.vector.FmaPeak;
import dev.adjoint.kernel.vector.VectorKernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's float32 FMA peak through the Vector API, measured in the same session as the matmul
 * benchmarks: 12 independent FMA chains ({@link FmaPeak}). One invocation is {@link #FLOPS} flops at
 * every vector width (the iteration count is {@code 2^21 / lanes}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FmaPeakBench {
  /** Flops per invocation: 24 × lanes × 2^21 / lanes. */
  public static final long FLOPS = 24L << 21;

  static final int ITERATIONS = (1 << 21) / (VectorKernels.bitSize() / 32);

  float seed = 1f;

  @Benchmark
  @Threads(1)
  public float peak1Thread() {
    return FmaPeak.run(ITERATIONS, seed);
  }

  @Benchmark
  @Threads(2)
  public float peak2Threads() {
    return FmaPeak.run(ITERATIONS, seed);
  }
}
