package dev.adjoint.kernel.vector;

import jdk.incubator.vector.FloatVector;

/**
 * A measuring stick for benchmarks, not a kernel: {@code iterations} rounds of 12 independent vector FMA
 * chains (enough to cover the FMA latency on two pipes), so its speed is the machine's float32 FMA peak
 * as seen through the Vector API at {@link VectorKernels}'s width. It lives here because this is the one
 * package allowed to import {@code jdk.incubator.vector}.
 */
public final class FmaPeak {
  private FmaPeak() {}

  /** Floating-point operations done by one {@link #run} of {@code iterations}: 12 FMAs × lanes × 2. */
  public static long flops(int iterations) {
    return 24L * VectorKernels.S.length() * iterations;
  }

  /** Runs the chains; returns a value depending on all of them (so nothing is dead code). */
  public static float run(int iterations, float seed) {
    var s = VectorKernels.S;
    FloatVector x = FloatVector.broadcast(s, 0.999999f);
    FloatVector y = FloatVector.broadcast(s, 1e-7f);
    FloatVector a0 = FloatVector.broadcast(s, seed);
    FloatVector a1 = a0.add(1f);
    FloatVector a2 = a0.add(2f);
    FloatVector a3 = a0.add(3f);
    FloatVector a4 = a0.add(4f);
    FloatVector a5 = a0.add(5f);
    FloatVector a6 = a0.add(6f);
    FloatVector a7 = a0.add(7f);
    FloatVector a8 = a0.add(8f);
    FloatVector a9 = a0.add(9f);
    FloatVector a10 = a0.add(10f);
    FloatVector a11 = a0.add(11f);
    for (int i = 0; i < iterations; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
