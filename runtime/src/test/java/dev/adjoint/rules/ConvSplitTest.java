package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.vector.VectorKernels;
import org.junit.jupiter.api.Test;

/**
 * The convolution gives the same bits whatever the number of threads: im2col, col2im and the layout
 * transposes split into parts that write their own memory, and the GEMM is split-invariant.
 */
class ConvSplitTest {
  @Test
  void forwardAndEveryGradientAreBitIdenticalOnOneTwoAndThreeThreads() {
    Generator gen = new Generator(18);
    Tensor x = Tensor.randn(gen, 16, 6, 14, 13);
    Tensor w = Tensor.randn(gen, 8, 3, 3, 3);
    Tensor b = Tensor.randn(gen, 8);
    ConvRules.Geom g = ConvRules.geom("conv2d", x, w, b, new int[] {1, 2}, new int[] {1}, new int[] {2}, 2);
    float[][] want = null;
    for (int threads = 1; threads <= 3; threads++) {
      Kernels k = VectorKernels.withThreads(threads);
      float[] out = ConvRules.forward(g, x.storage(), w.storage(), b.storage(), k);
      float[] gp = ConvRules.toColumns(g, out, k); // any upstream: the output itself
      float[][] got = {out, ConvRules.inputGrad(g, gp, w.storage(), k), ConvRules.weightGrad(g, gp, x.storage(), k),
          ConvRules.biasGrad(g, gp, k)};
      if (want == null) {
        want = got;
      } else {
        for (int i = 0; i < got.length; i++) {
          assertArrayEquals(want[i], got[i], "part " + i + " on " + threads + " threads");
        }
      }
    }
  }
}
