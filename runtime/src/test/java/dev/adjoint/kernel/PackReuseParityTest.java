package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.kernel.vector.VectorKernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#packB(boolean, int, int, float[], int, Kernels.PackedB)}, packing into reused storage (the
 * vector kernels transpose a {@code transB} operand in register tiles), gives the products of
 * {@link Kernels#gemm} to the last bit: fresh, reused for new values of the same shape, reused across a
 * change of shape, on 1 and 3 threads, around the tile width (8 or 16), the panel width and the KC block
 * edge. Surefire runs it again at 128, 256 and 512 bits.
 */
class PackReuseParityTest {
  static float[] rand(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return v;
  }

  @Test
  void reusedPackingGivesTheBitsOfGemm() {
    SplittableRandom r = new SplittableRandom(23);
    int[][] shapes = {{64, 784, 512}, {64, 512, 10}, {5, 7, 3}, {33, 257, 65}, {70, 300, 90}, {1, 513, 31},
        {16, 16, 16}, {40, 528, 48}, {9, 8, 8}, {12, 272, 17}, {3, 1, 33}, {8, 400, 216}};
    for (int threads : new int[] {1, 3}) {
      Kernels v = VectorKernels.withThreads(threads);
      for (boolean tb : new boolean[] {false, true}) {
        Kernels.PackedB reuse = null;
        for (int[] sh : shapes) {
          int m = sh[0];
          int k = sh[1];
          int n = sh[2];
          float[] a = rand(r, m * k);
          // the same shape twice with new values: the second packing overwrites the first one's storage
          for (int round = 0; round < 2; round++) {
            float[] b = rand(r, k * n);
            float[] c0 = rand(r, m * n);
            reuse = v.packB(tb, k, n, b, 0, reuse);
            assertEquals(k, reuse.k());
            assertEquals(n, reuse.n());
            for (boolean acc : new boolean[] {false, true}) {
              float[] want = c0.clone();
              float[] got = c0.clone();
              v.gemm(false, tb, m, n, k, a, 0, b, 0, want, 0, acc);
              v.gemmPacked(false, m, a, 0, reuse, got, 0, acc);
              assertArrayEquals(want, got, m + "x" + k + "x" + n + " tb=" + tb + " acc=" + acc + " threads="
                  + threads + " round=" + round + " (" + v.name() + ")");
            }
          }
        }
      }
    }
  }

  @Test
  void scalarKernelsIgnoreTheReusedStorage() {
    ScalarKernels s = ScalarKernels.instance();
    SplittableRandom r = new SplittableRandom(5);
    float[] a = rand(r, 3 * 4);
    float[] b = rand(r, 5 * 4);
    Kernels.PackedB p = s.packB(true, 4, 5, b, 0, s.packB(true, 4, 5, rand(r, 20), 0));
    float[] want = new float[15];
    float[] got = new float[15];
    s.gemm(false, true, 3, 5, 4, a, 0, b, 0, want, 0, false);
    s.gemmPacked(false, 3, a, 0, p, got, 0, false);
    assertArrayEquals(want, got);
  }
}
