package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float64 product: the chosen (vector) kernel against the scalar reference over awkward sizes and transposes. */
class DoubleGemmParityTest {
  @Test
  void chosenKernelEqualsTheScalarReference() {
    if (!(Kernels.get() instanceof ScalarKernels)) {
      assertEquals("DoubleVectorGemm", DoubleKernels.gemmName(), "the vector kernels are on: so is the float64 one");
    }
    Random r = new Random(64);
    int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {4, 8, 3}, {5, 9, 17}, {8, 16, 8}, {13, 33, 29}, {67, 41, 53}};
    for (int[] s : sizes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      for (int t = 0; t < 8; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        boolean acc = (t & 4) != 0;
        double[] a = r.doubles(m * k + 3, -1, 1).toArray();
        double[] b = r.doubles(k * n + 2, -1, 1).toArray();
        double[] c0 = r.doubles(m * n + 1, -1, 1).toArray();
        double[] c1 = c0.clone();
        DoubleKernels.gemm(ta, tb, m, n, k, a, 3, b, 2, c0, 1, acc);
        DoubleKernels.gemmScalar(ta, tb, m, n, k, a, 3, b, 2, c1, 1, acc);
        for (int i = 0; i < c0.length; i++) {
          assertEquals(c1[i], c0[i], 1e-13 * k, m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb
              + " accumulate=" + acc + " at " + i);
        }
      }
    }
  }
}
