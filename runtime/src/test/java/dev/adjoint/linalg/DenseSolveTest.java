package dev.adjoint.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.kernel.DoubleKernels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Dense#solveTriangular} at the sizes its code paths switch on: one right-hand side (the dot-product loop),
 * several (row axpys through {@link DoubleKernels#axpy}), orders below, at and above the substitution threshold
 * (recursive halving with GEMM updates), lower and upper, transposed or not: {@code op(T)·X = B} with B made from
 * a known X by a plain triple loop, X recovered to 1e-12. And the chosen axpy against the scalar loop, bit for bit,
 * at odd lengths and offsets within one array (as the solves call it).
 */
class DenseSolveTest {

  @Test
  void triangularSolvesRecoverTheSolutionOnEveryPath() {
    Random r = new Random(7);
    for (int n : new int[] {1, 2, 5, 63, 64, 65, 130, 257}) {
      for (int k : new int[] {1, 3, 17}) {
        for (boolean lower : new boolean[] {true, false}) {
          for (boolean trans : new boolean[] {false, true}) {
            double[] t = new double[n * n];
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < n; j++) {
                boolean inside = lower ? j <= i : j >= i;
                // outside the triangle: garbage that must not be read
                t[i * n + j] = i == j ? 2 + r.nextDouble() : inside ? (r.nextDouble() - 0.5) / n : 1e300;
              }
            }
            double[] x = new double[n * k];
            for (int i = 0; i < x.length; i++) {
              x[i] = r.nextGaussian();
            }
            double[] b = new double[n * k];
            for (int i = 0; i < n; i++) {
              for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                  double tij = trans ? t[j * n + i] : t[i * n + j];
                  boolean inside = trans ? (lower ? i <= j : i >= j) : (lower ? j <= i : j >= i);
                  if (inside) {
                    s += tij * x[j * k + c];
                  }
                }
                b[i * k + c] = s;
              }
            }
            Dense.solveTriangular(t, lower, trans, b, n, k);
            for (int i = 0; i < b.length; i++) {
              assertEquals(x[i], b[i], 1e-12 * Math.max(1, Math.abs(x[i])),
                  "n " + n + " k " + k + (lower ? " lower" : " upper") + (trans ? " transposed" : "") + " element " + i);
            }
          }
        }
      }
    }
  }

  @Test
  void axpyEqualsTheScalarLoopBitForBit() {
    Random r = new Random(8);
    DoubleKernels.Gemm scalar = DoubleKernels::gemmScalar;
    for (int n : new int[] {0, 1, 3, 4, 7, 8, 9, 31, 64, 257}) {
      double[] y1 = new double[2 * n + 5];
      for (int i = 0; i < y1.length; i++) {
        y1[i] = r.nextGaussian();
      }
      double[] y2 = y1.clone();
      double alpha = r.nextGaussian();
      DoubleKernels.axpy(alpha, y1, 1, y1, n + 3, n);
      scalar.axpy(alpha, y2, 1, y2, n + 3, n);
      for (int i = 0; i < y1.length; i++) {
        assertEquals(y2[i], y1[i], 0.0, "n " + n + " element " + i);
      }
    }
  }
}
