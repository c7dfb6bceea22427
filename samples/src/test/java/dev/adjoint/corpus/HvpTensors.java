package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;

/**
 * Tensor functions whose generated {@code fHvp} is compared with PyTorch's {@code torch.autograd.functional.hvp}
 * ({@code hvp_tensor_goldens.py}, {@code TensorHvpGoldenTest}): an MLP loss, softmax cross-entropy, a tanh layer.
 */
final class HvpTensors {
  private HvpTensors() {}

  /** A two-layer tanh MLP's cross-entropy loss, differentiated with respect to its parameters. */
  @Differentiable(wrt = {"w1", "b1", "w2", "b2"})
  static Tensor mlpLoss(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor target) {
    Tensor h = x.matmul(w1).add(b1).tanh();
    Tensor logits = h.matmul(w2).add(b2);
    return F.crossEntropy(logits, target);
  }

  /** Soft-label cross-entropy: {@code -mean_i Σ_j y_ij log softmax(z)_ij}, through logSoftmax. */
  @Differentiable(wrt = "z")
  static Tensor softCrossEntropy(Tensor z, Tensor y) {
    return F.logSoftmax(z, 1).mul(y).sum(1, false).mean().neg();
  }

  /** A softmax attention-like score: {@code Σ softmax(q·kᵀ) ⊙ c}. */
  @Differentiable(wrt = {"q", "k"})
  static Tensor softmaxScore(Tensor q, Tensor k, Tensor c) {
    return F.softmax(q.matmul(k.t()), 1).mul(c).sum();
  }

  /** {@code Σ tanh(W·X + b)} (ForwardModeBench's layer) with an MSE term. */
  @Differentiable
  static Tensor layer(Tensor w, Tensor x, Tensor b, Tensor y) {
    return F.mseLoss(w.matmul(x).add(b).tanh(), y);
  }

  /** A recurrence through a loop, {@code h ← tanh(h·W + b)} three times, then {@code mean(h²)}: fHvp generated through the loop. */
  @Differentiable
  static Tensor recurrent(Tensor h0, Tensor w, Tensor b) {
    Tensor h = h0;
    for (int i = 0; i < 3; i++) {
      h = h.matmul(w).add(b).tanh();
    }
    return h.square().mean();
  }

  /**
   * The rounding functions, whose derivative is zero at every order (the outside user's {@code Fwd.piecewise}):
   * fHvp by forward over the generated gradient, their adjoints sharing one row ({@code zeroVjp}).
   */
  @Differentiable
  static Tensor piecewise(Tensor x) {
    Tensor q = x.mul(x.floor()).add(x.round().mul(x.square())).add(x.sign().mul(x.exp()));
    return q.add(x.trunc().mul(x)).add(x.ceil().mul(x.sin())).sum();
  }

  /** cumprod and prod at inputs with zeros: their second order by PyTorch's products of the other elements. */
  @Differentiable
  static Tensor cumprodZeros(Tensor x) {
    return x.tanh().cumprod(1).mul(x).sum().add(x.prod(1).square().sum());
  }

  /** Two calls of {@link #layer}, one squared: fHvp by the eager engine. */
  @Differentiable
  static Tensor stacked(Tensor w, Tensor x, Tensor b, Tensor y) {
    Tensor first = layer(w, x, b, y);
    return first.mul(first).add(layer(w, x.mul(0.5), b, y));
  }

  /**
   * FINDINGS11 §2: addmm, mv, outer, mm, dot and erf in straight-line code; forward over the generated gradient
   * (matmul's second-order rule for mv, mm, dot; the recorded double backward of the row for the others).
   */
  @Differentiable
  static Tensor mats(Tensor a, Tensor b, Tensor v, Tensor c) {
    Tensor m = c.addmm(a, b);
    Tensor w = a.mv(v);
    Tensor p = w.outer(w).mm(m);
    return p.sum().add(w.dot(w)).add(m.erf().sum());
  }

  /** bmm with {@code Tensor.softmax(dim)}, {@code logSoftmax(dim)} and {@code F.softmax(x, dim)}: one row each. */
  @Differentiable
  static Tensor batched(Tensor x, Tensor y) {
    Tensor s = x.bmm(y);
    return s.softmax(2).mul(s.logSoftmax(1)).sum().add(F.softmax(s, 0).mul(s).sum());
  }

  /** {@code w·w} for {@code w = a v}: the outside user's probe {@code q2}. */
  @Differentiable
  static Tensor mvDot(Tensor a, Tensor v) {
    Tensor w = a.mv(v);
    return w.dot(w);
  }
}
