package dev.adjoint.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Narrow products (at most {@link VectorKernels#IN_PLACE_A_PANELS} column panels) read A in place instead of
 * packing it: the same multiply-adds in the same order, so every element of C has the bits the packed path
 * gives it. The packed path is reached through a wider product whose first columns are the narrow one's.
 */
class InPlaceAParityTest {
  private static final VectorKernels ONE = VectorKernels.withThreads(1);

  @Test
  void narrowProductsHaveTheBitsOfTheSameColumnsOfAWideOne() {
    SplittableRandom r = new SplittableRandom(16);
    int nr = VectorKernels.NR;
    int wideN = (VectorKernels.IN_PLACE_A_PANELS + 1) * nr;
    int checked = 0;
    // m: multiples of MR and not (a last partial row panel is packed); k: one KC block and several
    for (int m : new int[] {4, 7, 64, 66, 97}) {
      for (int k : new int[] {5, 64, 300}) {
        for (int n : new int[] {1, nr - 3, nr, nr + 5, VectorKernels.IN_PLACE_A_PANELS * nr}) {
          if ((long) m * n * k < VectorKernels.TINY_WORK) {
            continue; // scalar code, not the blocked loops
          }
          for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
              for (boolean acc : new boolean[] {false, true}) {
                float[] a = random(r, m * k);
                float[] b = random(r, k * n);
                float[] c0 = random(r, m * n);
                // the wide operand: B's n columns first, then others
                float[] wideB = random(r, k * wideN);
                for (int p = 0; p < k; p++) {
                  for (int j = 0; j < n; j++) {
                    float v = tb ? b[j * k + p] : b[p * n + j];
                    if (tb) {
                      wideB[j * k + p] = v;
                    } else {
                      wideB[p * wideN + j] = v;
                    }
                  }
                }
                float[] wideC = new float[m * wideN];
                for (int i = 0; i < m; i++) {
                  System.arraycopy(c0, i * n, wideC, i * wideN, n);
                }
                float[] narrow = c0.clone();
                ONE.gemm(ta, tb, m, n, k, a, 0, b, 0, narrow, 0, acc);
                ONE.gemm(ta, tb, m, wideN, k, a, 0, wideB, 0, wideC, 0, acc);
                for (int i = 0; i < m; i++) {
                  float[] want = java.util.Arrays.copyOfRange(wideC, i * wideN, i * wideN + n);
                  float[] got = java.util.Arrays.copyOfRange(narrow, i * n, i * n + n);
                  assertArrayEquals(want, got, "row " + i + " of " + m + "x" + n + "x" + k + " transA=" + ta
                      + " transB=" + tb + " accumulate=" + acc);
                }
                checked++;
              }
            }
          }
        }
      }
    }
    assertTrue(checked >= 8 * 40, "cases checked: " + checked);
  }

  @Test
  void anOffsetAIsReadFromItsOffset() {
    SplittableRandom r = new SplittableRandom(7);
    int m = 12;
    int k = 40;
    int n = 10;
    float[] a = random(r, 3 + m * k);
    float[] a0 = java.util.Arrays.copyOfRange(a, 3, a.length);
    float[] b = random(r, k * n);
    float[] want = new float[m * n];
    float[] got = new float[m * n];
    ONE.gemm(false, false, m, n, k, a0, 0, b, 0, want, 0, false);
    ONE.gemm(false, false, m, n, k, a, 3, b, 0, got, 0, false);
    assertArrayEquals(want, got);
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
