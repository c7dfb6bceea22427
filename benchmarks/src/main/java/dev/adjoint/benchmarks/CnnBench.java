package dev.adjoint.benchmarks;

import dev.adjoint.samples.fashion.CompiledFashionCnn;
import dev.adjoint.samples.fashion.FashionCnn;

/**
 * Training and inference throughput of the FashionMNIST CNN (issue 18: two blocks of 3×3 convolution, batch
 * norm, ReLU and 2×2 max pooling, 1→16→32 channels, then 1568→10; batch 64) in samples per second, the peer
 * of {@code benchmarks/python/cnn_bench.py}; run both alternately in the same session and compare the ratio. Data are synthetic (pixels uniform in [0, 1), random labels): speed does not depend on them.
 *
 * <p>Steps, timing and report are {@link MlpBench}'s (SGD at lr 1e-2 here).
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
    }, args);
  }
}
