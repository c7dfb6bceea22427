package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.vector.VectorKernels;
import org.junit.jupiter.api.Test;

/**
 * The convolution gives the same bits whatever the number of threads: the samples split into parts that write
 * their own memory, the weight gradient sums fixed ranges of samples in a fixed order, and the GEMM is
 * split-invariant.
 */
class ConvSplitTest {
  @Test
  void forwardAndEveryGradientAreBitIdenticalOnOneTwoAndThreeThreads() {
    // 16 samples: two per part of the weight gradient; 11: uneven parts; 1: the products split over the gang
    for (int batch : new int[] {16, 11, 1}) {
      bitIdenticalOnOneTwoAndThreeThreads(batch);
    }
  }

  private static void bitIdenticalOnOneTwoAndThreeThreads(int batch) {
    Generator gen = new Generator(18);
    Tensor x = Tensor.randn(gen, batch, 6, 14, 13);
    Tensor w = Tensor.randn(gen, 8, 3, 3, 3);
    Tensor b = Tensor.randn(gen, 8);
    ConvRules.Geom g = ConvRules.geom("conv2d", x, w, b, new int[] {1, 2}, new int[] {1}, new int[] {2}, 2);
    float[][] want = null;
    for (int threads = 1; threads <= 3; threads++) {
      Kernels k = VectorKernels.withThreads(threads);
      float[] out = ConvRules.forward(g, x.storage(), w.storage(), b.storage(), k);
      float[] gp = out; // any upstream: the output itself
      float[][] got = {out, ConvRules.inputGrad(g, gp, w.storage(), k), ConvRules.weightGrad(g, gp, x.storage(), k),
          ConvRules.biasGrad(g, gp, k)};
      if (want == null) {
        want = got;
      } else {
        for (int i = 0; i < got.length; i++) {
          assertArrayEquals(want[i], got[i], "batch " + batch + ", part " + i + " on " + threads + " threads");
        }
      }
    }
  }

  /**
   * The transposed convolution runs the same three kernels in other roles (its forward is the convolution's input
   * gradient, its input gradient the convolution's forward, its weight gradient the convolution's weight gradient
   * with input and upstream swapped): the same bits on one, two and three threads, and the kernels' results are
   * what {@link ConvTransposeRules} returns.
   */
  @Test
  void transposedConvolutionIsBitIdenticalOnOneTwoAndThreeThreads() {
    Generator gen = new Generator(118);
    Tensor x = Tensor.randn(gen, 4, 6, 7, 6);
    Tensor w = Tensor.randn(gen, 6, 4, 3, 3);
    int[] stride = {2, 1};
    int[] padding = {1};
    int[] outputPadding = {1, 0};
    int[] dilation = {1};
    Tensor y = ConvTransposeRules.convTranspose2d(x, w, null, stride, padding, outputPadding, 2, dilation);
    Tensor gy = Tensor.randn(gen, y.shape());
    Grads grads = ConvTransposeRules.grads2d(gy, x, w, null, stride, padding, 2, dilation);
    ConvRules.Geom g = ConvRules.geom("conv2d", Tensor.zeros(y.shape()), w, null, stride, padding, dilation, 2);
    float[][] want = {y.storage(), grads.get(0).storage(), grads.get(1).storage()};
    for (int threads = 1; threads <= 3; threads++) {
      Kernels k = VectorKernels.withThreads(threads);
      float[] xp = x.storage();
      float[][] got = {ConvRules.inputGrad(g, xp, w.storage(), k), ConvRules.forward(g, gy.storage(), w.storage(),
          null, k), ConvRules.weightGrad(g, xp, gy.storage(), k)};
      for (int i = 0; i < got.length; i++) {
        assertArrayEquals(want[i], got[i], "part " + i + " on " + threads + " threads");
      }
    }
  }
}
