package dev.adjoint.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two-thread memory-bandwidth yardstick: two threads, each copying its own half of {@code size} floats
 * with {@code System.arraycopy}, at the same time. The time per operation is the time to copy all
 * {@code size} floats on two cores ({@link ElementwiseBench#copy} is the one-thread yardstick).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
public class CopyBench {

  @Param({"16384", "1048576"})
  public int size;

  float[] a;
  float[] out;
  final AtomicInteger halves = new AtomicInteger();

  @Setup
  public void setup() {
    a = new float[size];
    out = new float[size];
    java.util.Arrays.fill(a, 1.5f);
  }

  /** Which half a benchmark thread copies. */
  @State(Scope.Thread)
  public static class Half {
    int lo;
    int len;

    @Setup
    public void setup(CopyBench b) {
      int h = b.halves.getAndIncrement() % 2;
      len = b.size / 2;
      lo = h * len;
    }
  }

  @Benchmark
  public float[] copyHalves(Half h) {
    System.arraycopy(a, h.lo, out, h.lo, h.len);
    return out;
  }
}
