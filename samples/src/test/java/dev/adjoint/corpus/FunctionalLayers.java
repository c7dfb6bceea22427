package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;

/**
 * The functional forms of issue 18's layers and the views that no other corpus method reached through generated
 * code: {@code F.batchNorm}, {@code F.layerNorm}, {@code F.groupNorm}, {@code F.convTranspose2d},
 * {@code F.convTranspose1d}, {@code F.embedding}, and {@code expand}, {@code narrow}, {@code viewAs},
 * {@code asStrided}.
 */
final class FunctionalLayers {
  private FunctionalLayers() {}

  /** {@code x (2, 4, 3)}; {@code w}, {@code b (4)}; running statistics updated in place, not differentiated. */
  @Differentiable(wrt = {"x", "w", "b"})
  static Tensor norms(Tensor x, Tensor w, Tensor b, Tensor runningMean, Tensor runningVar) {
    Tensor bn = F.batchNorm(x, runningMean, runningVar, w, b, true, 0.1, 1e-5);
    Tensor ln = F.layerNorm(x.transpose(1, 2), new int[] {4}, w, b, 1e-5);
    Tensor gn = F.groupNorm(x, 2, w, b, 1e-5);
    return bn.tanh().mul(ln.transpose(1, 2)).sum().add(gn.sigmoid().mul(x).sum());
  }

  /** {@code x (1, 2, 3, 3)}, {@code w2 (2, 3, 2, 2)}, {@code b2 (3)}, {@code w1 (3, 2, 3)}, {@code b1 (2)}. */
  @Differentiable
  static Tensor transposed(Tensor x, Tensor w2, Tensor b2, Tensor w1, Tensor b1) {
    Tensor y = F.convTranspose2d(x, w2, b2, new int[] {2}, new int[] {1}, new int[] {1}, 1, new int[] {1});
    Tensor z = F.convTranspose1d(y.flatten(2, 3).tanh(), w1, b1, new int[] {2}, new int[] {1}, new int[] {0}, 1,
        new int[] {2});
    return z.mul(z).sum();
  }

  /**
   * {@code x (2, 3)}, {@code table (5, 3)}, {@code idx} INT64 {@code (2, 2)}; row 3, the padding row, is never
   * looked up, so central differences apply to every entry.
   */
  @Differentiable
  static Tensor views(Tensor x, Tensor table, Tensor idx) {
    Tensor e = F.embedding(idx, table, 3);
    Tensor ex = x.unsqueeze(1).expand(2, 2, 3);
    Tensor n = e.narrow(2, 1, 2);
    Tensor v = x.reshape(6).viewAs(x);
    Tensor s = x.asStrided(new int[] {2, 2}, new int[] {1, 2}, 1);
    return e.mul(ex).sum().add(n.mul(n).sum()).add(v.mul(e.sum(1)).sum()).add(s.exp().sum());
  }
}
