package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.kernel.vector.VectorKernels;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch norm's double sums ({@link Kernels#shiftedSums}, {@link Kernels#gradSums}): the Vector API kernels against
 * the scalar reference and against sums in the obvious order, over row lengths around every vector width, three rows with gaps and
 * an offset, added to what {@code into} holds. Both are double sums of float data, so they agree to double rounding.
 */
class NormSumsParityTest {
  @ParameterizedTest
  @MethodSource("dev.adjoint.kernel.KernelParityTest#sizes")
  void vectorSumsMatchTheReference(int n) {
    SplittableRandom r = new SplittableRandom(n);
    int rows = 3;
    int stride = n + 2; // rows with a gap between them, as a channel's rows in (N, C, H·W)
    float[] x = KernelParityTest.rand(r, 3 + rows * stride, 2, 5);
    float[] g = KernelParityTest.rand(r, 3 + rows * stride, -1, 1);
    double shift = x[3];
    double mean = 3.5;
    double s = 0;
    double q = 0;
    double gs = 0;
    double gd = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 3 + i * stride; j < 3 + i * stride + n; j++) {
        double d = x[j] - shift;
        s += d;
        q += d * d;
        gs += g[j];
        gd += g[j] * (x[j] - mean);
      }
    }
    for (Kernels k : new Kernels[] {ScalarKernels.instance(), VectorKernels.instance()}) {
      double[] into = {1, 2};
      k.shiftedSums(x, 3, rows, stride, n, shift, into);
      assertEquals(1 + s, into[0], 1e-12 * (1 + rows * n), k.name() + " Σ(x-K)");
      assertEquals(2 + q, into[1], 1e-12 * (2 + q), k.name() + " Σ(x-K)²");
      double[] grads = {-1, 0.5};
      k.gradSums(g, x, 3, rows, stride, n, mean, grads);
      assertEquals(-1 + gs, grads[0], 1e-12 * (1 + rows * n), k.name() + " Σg");
      assertEquals(0.5 + gd, grads[1], 1e-12 * (1 + 2 * rows * n), k.name() + " Σg(x-mean)");
    }
  }
}
