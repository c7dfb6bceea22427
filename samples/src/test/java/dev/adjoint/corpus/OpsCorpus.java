package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;

/**
 * Issue 13's operations inside {@code @Differentiable} methods: the processor reads their {@code @Primitive}
 * metadata (double, {@code int[]} and {@code boolean} parameters, a static primitive with a leading
 * {@code double}, a {@code String} such as {@code gelu}'s approximation or a loss's reduction) with no
 * list of its own.
 */
final class OpsCorpus {
  private OpsCorpus() {}

  static final int[] LAST_TWO = {1, 2};

  @Differentiable
  static Tensor elementwise(Tensor x, Tensor y, double s) {
    Tensor a = x.expm1().add(y.log1p(), s);
    Tensor b = y.rsqrt().sub(y.reciprocal(), 0.5).square();
    Tensor c = y.pow(x).add(Tensor.pow(1.5, x)).clampMin(-3.0).clampMax(40.0);
    return a.maximum(b).add(a.minimum(c)).add(x.clamp(-5.0, 5.0)).sum();
  }

  @Differentiable
  static Tensor activations(Tensor x, Tensor w, double slope) {
    Tensor h = x.matmul(w);
    Tensor a = F.gelu(h).add(F.silu(h)).mul(F.softplus(h, 2.0, 5.0));
    Tensor b = F.leakyRelu(h, slope).add(F.elu(h, 0.5)).add(F.logSigmoid(h)).add(F.hardtanh(h, -4.0, 4.0));
    return a.add(b).add(F.softplus(h)).add(F.leakyRelu(h)).mean();
  }

  @Differentiable
  static Tensor reductions(Tensor x) {
    Tensor a = x.sum(LAST_TWO, true).mul(x.mean(LAST_TWO, false).sum());
    Tensor b = x.amax(LAST_TWO, false).add(x.amin(LAST_TWO, false)).sum().add(x.logsumexp(1).sum());
    Tensor c = x.var(LAST_TWO, 1, false).add(x.std(LAST_TWO, 0, false)).sum().add(x.norm()).add(x.norm(3.0));
    Tensor d = x.cumsum(2).cumprod(1).sum().add(x.prod(2).sum()).add(x.min(0).sum()).add(x.min());
    return a.sum().add(b).add(c).add(d).add(x.var()).add(x.std()).add(x.prod());
  }

  @Differentiable
  static Tensor losses(Tensor x, Tensor y, Tensor p, Tensor t, double beta) {
    Tensor a = F.l1Loss(x, y).add(F.smoothL1Loss(x, y.mul(beta)));
    Tensor b = F.huberLoss(x, y).mul(beta);
    Tensor c = F.binaryCrossEntropy(p, t);
    Tensor d = F.l1Loss(x, y, "sum").add(F.smoothL1Loss(x, y, "mean", beta)).add(F.huberLoss(x, y, "sum", 0.5));
    Tensor e = F.gelu(x, "tanh").sum().add(F.klDiv(p.log(), t, "batchmean", false));
    return a.add(b).add(c).add(d.mul(0.1)).add(e);
  }

  /** An elementwise chain and a sum: fused into one loop through the scalar forms Math.log1p and Math.expm1. */
  @Differentiable
  static Tensor fusedChain(Tensor x) {
    Tensor a = x.log1p();
    Tensor b = a.expm1();
    Tensor c = b.mul(a);
    return c.sum();
  }

  /** The first-week functions (gaps): trigonometric and hyperbolic, through their rows in generated code. */
  @Differentiable
  static Tensor trigonometry(Tensor x) {
    Tensor h = x.mul(0.5);
    Tensor a = h.tan().add(h.asin()).add(h.acos().mul(0.5)).add(x.atan());
    Tensor b = h.sinh().mul(h.cosh());
    return a.mul(b).sum();
  }

  /** The rounding family: zero gradients of their own, so only the outer product's terms reach x. */
  @Differentiable
  static Tensor rounding(Tensor x) {
    Tensor k = x.floor().add(x.ceil()).add(x.mul(2).round()).add(x.mul(-1.5).trunc()).add(x.sign());
    return k.mul(x).mul(x).sum();
  }

  /** tril and triu of a square matrix, and the identity from Tensor.eye as a constant. */
  @Differentiable
  static Tensor triangles(Tensor x) {
    Tensor l = x.tril(0).add(Tensor.eye(3));
    Tensor u = x.triu(1).sub(x.tril(-1).mul(0.5));
    return l.matmul(u).mul(l).sum();
  }

  /** atan2, hypot and logaddexp, broadcasting a row against a matrix. */
  @Differentiable
  static Tensor binaryFunctions(Tensor x, Tensor y) {
    return x.atan2(y).add(x.hypot(y)).mul(x.logaddexp(y)).sum();
  }

  /** The products PyTorch names (mm, mv, bmm, dot), outer and addmm, composed. */
  @Differentiable
  static Tensor products(Tensor a, Tensor b, Tensor v) {
    Tensor m = a.mm(b);
    Tensor s = a.mv(v);
    Tensor o = s.outer(m.sum(0));
    Tensor c = o.addmm(a, b);
    Tensor d = v.dot(v.tanh());
    Tensor batched = a.unsqueeze(0).bmm(b.unsqueeze(0)).squeeze(0);
    return c.mul(m.tanh()).add(batched).sum().mul(d);
  }

  /** erf, lerp (a number and a tensor weight), fmod, remainder and the softmax methods. */
  @Differentiable
  static Tensor pointwise(Tensor x, Tensor y, double w) {
    Tensor e = x.erf().lerp(y, w).add(x.lerp(y, y.sigmoid()));
    Tensor r = x.fmod(1.5).add(y.remainder(0.8)).mul(0.5);
    return e.mul(r).softmax(1).mul(x.logSoftmax(0)).sum();
  }

  /** cross along the rows' 3-vectors and diag both ways (a matrix's diagonal, a vector's diagonal matrix). */
  @Differentiable
  static Tensor crossAndDiag(Tensor a, Tensor b) {
    Tensor c = a.cross(b, 1);
    Tensor d = c.mm(b.t()).diag(0);
    return d.diag(1).mul(a.diag(-1).sum()).sum().add(c.square().sum());
  }
}
