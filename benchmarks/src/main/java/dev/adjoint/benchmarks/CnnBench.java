package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.rules.ConvRules;
import dev.adjoint.samples.fashion.CompiledFashionCnn;
import dev.adjoint.samples.fashion.FashionCnn;
import java.util.ArrayList;
import java.util.List;

/**
 * Training and inference throughput of the FashionMNIST CNN (issue 18: two blocks of 3×3 convolution, batch
 * norm, ReLU and 2×2 max pooling, 1→16→32 channels, then 1568→10; batch 64) in samples per second, the peer
 * of {@code benchmarks/python/cnn_bench.py}; run both alternately in the same session and compare the ratio. Data are synthetic (pixels uniform in [0, 1), random labels): speed does not depend on them.
 *
 * <p>Steps, timing and report are {@link MlpBench}'s (SGD at lr 1e-2 here).
 *
 * <p>With {@code --roofline} the training step is also timed against its products alone ({@link #products}).
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.CnnBench -Dbench.args=""
 * </pre>
 */
public final class CnnBench {
  private CnnBench() {}

  public static void main(String[] args) {
    // eager: one autograd node per operation; compiled: the same network as a @Differentiable module, one
    // node per forward whose backward the processor wrote
    MlpBench.run("CnnBench", "conv16-bn-relu-pool conv32-bn-relu-pool fc10", 1e-2, kind -> switch (kind) {
      case "eager" -> new FashionCnn();
      case "compiled" -> new CompiledFashionCnn();
      default -> throw new IllegalArgumentException("--model must be eager or compiled, got " + kind);
    }, args, CnnBench::products);
  }

  /**
   * The products of one training step of the CNN, each called as the step calls it: per convolution the forward
   * ({@code ConvRules.conv2d}: the padded copies and the direct kernel, or im2col and the GEMM), the weight
   * gradient and, for the second one only (the first one's input is the data), the input gradient (each read
   * from {@code ConvRules.grads2d}); the linear head's three products as {@link MlpBench#products} times them.
   * Operands are random; outputs are allocated as the step allocates them.
   */
  static List<Roofline.Product> products(int batch) {
    List<Roofline.Product> list = new ArrayList<>();
    Generator gen = new Generator(7);
    int[][] convs = {{1, 16, 28}, {16, 32, 14}}; // {in channels, out channels, image side}
    int[] one = {1};
    for (int l = 0; l < convs.length; l++) {
      int c = convs[l][0];
      int o = convs[l][1];
      int side = convs[l][2];
      Tensor x = Tensor.randn(gen, batch, c, side, side);
      Tensor w = Tensor.randn(gen, o, c, 3, 3);
      Tensor b = Tensor.randn(gen, o);
      Tensor g = Tensor.randn(gen, batch, o, side, side);
      long flops = 2L * batch * o * c * 9 * side * side;
      String shape = "conv" + (l + 1) + " " + batch + "x" + c + "x" + side + "x" + side + "->" + o;
      list.add(new Roofline.Product("fwd  " + shape, flops, () -> ConvRules.conv2d(x, w, b, one, one, one, 1)));
      list.add(new Roofline.Product("bwd  " + shape + " dW", flops,
          () -> ConvRules.grads2d(g, x, w, b, one, one, one, 1).get(1)));
      if (l > 0) {
        list.add(new Roofline.Product("bwd  " + shape + " dx", flops,
            () -> ConvRules.grads2d(g, x, w, b, one, one, one, 1).get(0)));
      }
    }
    list.addAll(MlpBench.linearProducts(batch, new int[][] {{32 * 7 * 7, 10}}, false));
    return list;
  }
}
