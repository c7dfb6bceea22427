package dev.adjoint.benchmarks;

import dev.adjoint.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Tensor.add} at 32×512 = 16K floats, with the kernels {@code KernelProvider} chooses: the same
 * shape (the {@code add} kernel), a row of 512 (the {@code addRow} kernel, a linear layer's bias) and a
 * column of 32 (no kernel: the strided loop of {@code Rules.broadcastBinary}). Includes allocating the
 * result, as the tensor op does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BroadcastBench {
  Tensor x;
  Tensor same;
  Tensor row;
  Tensor column;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(3);
    x = Tensor.wrap(random(r, 32 * 512), 32, 512);
    same = Tensor.wrap(random(r, 32 * 512), 32, 512);
    row = Tensor.wrap(random(r, 512), 512);
    column = Tensor.wrap(random(r, 32), 32, 1);
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return v;
  }

  @Benchmark
  public Tensor sameShape() {
    return x.add(same);
  }

  @Benchmark
  public Tensor rowBroadcast() {
    return x.add(row);
  }

  @Benchmark
  public Tensor columnBroadcast() {
    return x.add(column);
  }
}
