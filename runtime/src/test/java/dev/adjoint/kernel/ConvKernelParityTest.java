package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.kernel.vector.VectorKernels;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct convolution kernels, scalar reference against Vector API, over output channel counts around the
 * micro-kernel's four, taps odd and even, rows of one to three vectors and an output that ends inside a vector:
 * {@link Kernels#convDirect} to the bit (the same fma chain, then the bias), nothing outside the output's planes
 * written; {@link Kernels#convWeightGrad}'s partial sums, added, within the rounding of its sums against double precision. Runs at every
 * forced vector width (runtime/pom.xml).
 */
class ConvKernelParityTest {
  static final ScalarKernels REF = ScalarKernels.instance();
  static final VectorKernels VEC = VectorKernels.instance();

  /** {m, channels, kh, kw, dh, dw, oh, ow}. */
  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of(16, 1, 3, 3, 1, 1, 28, 28),
        Arguments.of(32, 16, 3, 3, 1, 1, 14, 14),
        Arguments.of(5, 3, 2, 3, 1, 2, 7, 9),
        Arguments.of(3, 2, 1, 1, 1, 1, 1, 1),
        Arguments.of(9, 4, 3, 2, 2, 1, 5, 17),
        Arguments.of(4, 1, 5, 5, 1, 1, 3, 33));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void convDirectIsBitIdenticalAndWeightGradClose(int m, int ch, int kh, int kw, int dh, int dw, int oh, int ow) {
    SplittableRandom r = new SplittableRandom(m * 31L + ch * 7L + ow);
    int hp = oh + dh * (kh - 1);
    int ws = (ow + dw * (kw - 1) + 15) / 16 * 16;
    int imgOff = 5;
    int imgSize = ch * hp * ws + dw * (kw - 1) + Kernels.CONV_SLACK;
    int[] rowOff = new int[ch * kh * kw];
    for (int c = 0; c < ch; c++) {
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++) {
          rowOff[(c * kh + i) * kw + j] = c * hp * ws + i * dh * ws + j * dw;
        }
      }
    }
    int k = rowOff.length;
    int count = 3;
    float[] img = KernelParityTest.rand(r, imgOff + count * imgSize, -1, 1);
    float[] w = KernelParityTest.rand(r, 2 + m * k, -1, 1);
    float[] bias = KernelParityTest.rand(r, m, -1, 1);
    int outOff = 3;
    for (float[] b : new float[][] {null, bias}) {
      float[] want = KernelParityTest.rand(r, outOff + m * oh * ow + 4, -1, 1);
      float[] got = want.clone();
      REF.convDirect(m, k, w, 2, rowOff, img, imgOff, ws, oh, ow, b, want, outOff);
      VEC.convDirect(m, k, w, 2, rowOff, img, imgOff, ws, oh, ow, b, got, outOff);
      assertArrayEquals(want, got, "convDirect m=" + m + " k=" + k + " " + oh + "x" + ow + " bias=" + (b != null));
      // the reference's first output against the definition
      float acc = 0f;
      for (int p = 0; p < k; p++) {
        acc = Math.fma(w[2 + p], img[imgOff + rowOff[p]], acc);
      }
      assertEquals(b == null ? acc : b[0] + acc, want[outOff]);
    }
    int fLen = oh * ws;
    int gStride = m * fLen + 7;
    float[] g = KernelParityTest.rand(r, 1 + count * gStride, -1, 1);
    for (int s = 0; s < count; s++) { // the dropped columns' gradient is zero, as the callers widen it
      for (int o = 0; o < m; o++) {
        for (int y = 0; y < oh; y++) {
          for (int x = ow; x < ws; x++) {
            g[1 + s * gStride + o * fLen + y * ws + x] = 0f;
          }
        }
      }
    }
    for (Kernels kern : new Kernels[] {REF, VEC}) {
      int lanes = kern.convLanes();
      float[] acc0 = KernelParityTest.rand(r, m * k * lanes + 2, -1, 1);
      float[] acc = acc0.clone();
      kern.convWeightGrad(m, k, g, 1, gStride, rowOff, img, imgOff, imgSize, count, fLen, acc, 2);
      assertEquals(acc0[0], acc[0]);
      assertEquals(acc0[1], acc[1]);
      for (int o = 0; o < m; o++) {
        for (int p = 0; p < k; p++) {
          double exact = 0;
          float got = 0;
          for (int l = 0; l < lanes; l++) {
            exact += acc0[2 + (o * k + p) * lanes + l];
            got += acc[2 + (o * k + p) * lanes + l];
          }
          double abs = Math.abs(exact) + lanes;
          for (int s = 0; s < count; s++) {
            for (int f = 0; f < fLen; f++) {
              double t = (double) g[1 + s * gStride + o * fLen + f] * img[imgOff + s * imgSize + rowOff[p] + f];
              exact += t;
              abs += Math.abs(t);
            }
          }
          double tol = (count * fLen + 2 * lanes + 2) * 0x1p-24 * abs + 1e-30;
          assertTrue(Math.abs(got - exact) <= tol, kern.name() + " convWeightGrad (" + o + "," + p + "): want "
              + exact + ", got " + got);
        }
      }
    }
  }
}
