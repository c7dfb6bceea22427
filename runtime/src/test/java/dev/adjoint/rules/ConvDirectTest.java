package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.ScalarKernels;
import dev.adjoint.kernel.vector.VectorKernels;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The direct convolution (stride 1, one group: {@link Kernels#convDirect} and {@link Kernels#convWeightGrad} on a
 * zero-padded image read in place) against im2col and the GEMM, which serve every other geometry: forward, input
 * and weight gradient within float rounding of each other, the same bits on one, two and three threads, and the
 * scalar reference's forward bit for bit. The shapes cover the CNN's two layers, channel counts that leave a
 * partial tile of four, widths whose padded row is and is not a multiple of the vector, "same" padding with an
 * even kernel (more padding after), dilation, and batches of 1 and 3 (output channels split over the gang).
 */
class ConvDirectTest {

  /** {batch, C, H, W, O, kH, kW, padding (int[] or String), dilation}. */
  static Stream<Arguments> geometries() {
    return Stream.of(
        Arguments.of(5, 1, 28, 28, 16, 3, 3, new int[] {1}, new int[] {1}),
        Arguments.of(6, 16, 14, 14, 32, 3, 3, new int[] {1}, new int[] {1}),
        Arguments.of(3, 3, 9, 7, 5, 2, 3, "same", new int[] {1}),
        Arguments.of(1, 4, 11, 17, 7, 3, 3, new int[] {2, 1}, new int[] {2, 1}),
        Arguments.of(2, 2, 5, 33, 6, 1, 5, new int[] {0, 2}, new int[] {1}),
        Arguments.of(9, 3, 8, 8, 4, 3, 3, new int[] {0}, new int[] {1}));
  }

  private static ConvRules.Geom geom(Tensor x, Tensor w, Object padding, int[] dilation) {
    return ConvRules.geom("conv2d", x, w, null, new int[] {1}, padding, dilation, 1);
  }

  @ParameterizedTest
  @MethodSource("geometries")
  void directMatchesIm2colOnEveryThreadCount(int n, int c, int h, int wd, int o, int kh, int kw, Object padding,
      int[] dilation) {
    Generator gen = new Generator(1818);
    Tensor x = Tensor.randn(gen, n, c, h, wd);
    Tensor w = Tensor.randn(gen, o, c, kh, kw);
    float[] b = Tensor.randn(gen, o).storage();
    ConvRules.Geom g = geom(x, w, padding, dilation);
    assertTrue(ConvRules.direct(g), "the direct path serves this geometry");
    Tensor up = Tensor.randn(gen, n, o, g.oh(), g.ow());
    Kernels one = VectorKernels.withThreads(1);
    float[] wantY = ConvRules.forwardIm2col(g, x.storage(), w.storage(), b, one);
    float[] wantDx = ConvRules.inputGradIm2col(g, up.storage(), w.storage(), one);
    float[] wantDw = ConvRules.weightGradIm2col(g, up.storage(), x.storage(), one);
    float[][] first = null;
    for (int threads = 1; threads <= 3; threads++) {
      Kernels k = VectorKernels.withThreads(threads);
      float[][] got = {ConvRules.forward(g, x.storage(), w.storage(), b, k),
          ConvRules.inputGrad(g, up.storage(), w.storage(), k), ConvRules.weightGrad(g, up.storage(), x.storage(), k)};
      close(wantY, got[0], c * kh * kw, "forward");
      close(wantDx, got[1], o * kh * kw, "input gradient");
      close(wantDw, got[2], n * g.oh() * g.ow(), "weight gradient");
      if (first == null) {
        first = got;
      } else {
        for (int i = 0; i < got.length; i++) {
          assertArrayEquals(first[i], got[i], "result " + i + " on " + threads + " threads");
        }
      }
    }
    // the scalar reference computes the forward's sums in the same order, so to the bit
    assertArrayEquals(first[0], ConvRules.forward(g, x.storage(), w.storage(), b, ScalarKernels.instance()));
    close(first[2], ConvRules.weightGrad(g, up.storage(), x.storage(), ScalarKernels.instance()),
        n * g.oh() * g.ow(), "scalar weight gradient");
  }

  /**
   * {@code got} within float rounding of sums of {@code terms} products of standard normal numbers, summed in
   * another order: at most {@code terms} roundings of partial sums of size about {@code √terms} (a wrong or missing
   * tap is off by about 1).
   */
  private static void close(float[] want, float[] got, int terms, String what) {
    assertEquals(want.length, got.length, what);
    double tol = 4 * 6e-8 * terms * Math.sqrt(terms);
    for (int i = 0; i < want.length; i++) {
      assertTrue(Math.abs(want[i] - got[i]) <= tol, what + " element " + i + ": " + got[i] + ", im2col " + want[i]);
    }
  }

  @Test
  void geometriesOutsideTheDirectPathAreNotTaken() {
    Tensor x = Tensor.zeros(2, 4, 9, 9);
    Tensor w = Tensor.zeros(6, 4, 3, 3);
    assertFalse(ConvRules.direct(ConvRules.geom("conv2d", x, w, null, new int[] {2}, new int[] {1}, new int[] {1},
        1)), "strided");
    assertFalse(ConvRules.direct(ConvRules.geom("conv2d", x, w, null, new int[] {1}, new int[] {3}, new int[] {1},
        1)), "padded beyond the kernel's reach");
    assertFalse(ConvRules.direct(ConvRules.geom("conv2d", x, Tensor.zeros(6, 2, 3, 3), null, new int[] {1},
        new int[] {1}, new int[] {1}, 2)), "grouped");
  }

  /**
   * The direct weight gradient multiplies the dropped columns' zeros by input values, which would turn an infinite
   * input into a NaN the im2col product never forms: such an input takes the im2col path, to the bit.
   */
  @Test
  void aNonFiniteInputTakesTheIm2colWeightGradient() {
    Generator gen = new Generator(7);
    Tensor x = Tensor.randn(gen, 3, 2, 6, 6);
    Tensor w = Tensor.randn(gen, 4, 2, 3, 3);
    float[] xs = x.storage();
    xs[2 * 36 + 5] = Float.POSITIVE_INFINITY; // sample 1, channel 0, row 0, last column
    ConvRules.Geom g = geom(x, w, new int[] {1}, new int[] {1});
    Tensor up = Tensor.randn(gen, 3, 4, 6, 6);
    Kernels k = Kernels.get();
    float[] got = ConvRules.weightGrad(g, up.storage(), xs, k);
    assertArrayEquals(ConvRules.weightGradIm2col(g, up.storage(), xs, k), got);
    boolean finite = false;
    for (float v : got) {
      finite |= Float.isFinite(v);
    }
    assertTrue(finite, "only the taps that reach the infinity are infinite or NaN");
  }
}
