package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.linalg.Linalg;

/**
 * The outside tester's findings 11 §3–4 ({@code CastsCorpusTest}): casts between float32 and float64, a float64
 * zero state of the batch's size ({@code new int[] {b, 3}} of a passive {@code int}), and the linear-algebra
 * composites ({@code lstsq}, {@code pinv}, {@code matrixNorm}, {@code vectorNorm}) inside {@code @Differentiable}
 * code, each checked against PyTorch 1.13 ({@code casts_goldens.py}) and central differences.
 */
final class CastsCorpus {
  private CastsCorpus() {}

  /** float32 {@code x} [b, 4] through a float64 {@code w} [4, 3] and back: {@code .double()}, {@code .float()}, {@code .to()}. */
  @Differentiable
  static Tensor mixed(Tensor x, Tensor w) {
    int b = x.size(0);
    Tensor h = Tensor.zeros(new int[] {b, 3}, Tensor.DType.FLOAT64);
    Tensor z = x.toDouble().matmul(w).tanh().add(h);
    Tensor back = z.toFloat().mul(x.slice(1, 0, 3));
    return back.sum().to(Tensor.DType.FLOAT64).add(z.square().sum().mul(0.5)).add(w.to(x.dtype()).pow(3).sum());
  }

  /** A tall {@code a} [4, 3], {@code y} [4, 2]: lstsq, pinv, the matrix norms and a vector norm. */
  @Differentiable
  static Tensor rect(Tensor a, Tensor y) {
    Tensor x = Linalg.lstsq(a, y);
    Tensor p = Linalg.pinv(a);
    return Linalg.svdvals(a).sum().add(x.square().sum()).add(p.mul(p).sum().mul(0.5))
        .add(Linalg.matrixNorm(a, "fro")).add(Linalg.matrixNorm(a, "nuc").mul(0.5))
        .add(Linalg.matrixNorm(a, "2").mul(0.25)).add(Linalg.vectorNorm(y, 3.0));
  }

  /** A wide {@code a} [3, 4]: pinv of a full-row-rank matrix, the smallest singular value, lstsq of its transpose. */
  @Differentiable
  static Tensor wide(Tensor a, Tensor y) {
    Tensor p = Linalg.pinv(a);
    return p.matmul(y.slice(0, 0, 3)).tanh().sum().add(Linalg.matrixNorm(a, "-2"))
        .add(Linalg.lstsq(a.t(), y).pow(2).sum().mul(0.1));
  }
}
