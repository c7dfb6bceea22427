package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Derivative;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;
import dev.adjoint.samples.thermometer.Thermometer;
import java.util.List;

/** Differentiable methods over tensors: broadcasting, matmul, reductions, shapes, losses, rules. */
final class TensorCorpus {
  private TensorCorpus() {}

  /** Calls the thermometer model compiled in another compilation (through {@code ThermometerDiff}). */
  @Differentiable
  static Tensor thermometerLoss(Tensor tU, Tensor tC, Tensor w, Tensor b) {
    Tensor tP = Thermometer.model(tU, w, b);
    return Thermometer.lossFn(tP, tC);
  }

  @Differentiable
  static Tensor broadcasting(Tensor x, Tensor row, Tensor col) {
    Tensor y = x.add(row).mul(col);
    return y.sub(row).div(col.add(3)).sum();
  }

  /** The activations of {@code nn.functional}, each through its {@code @Primitive} on {@link F}. */
  @Differentiable
  static Tensor functionalActivations(Tensor x, Tensor w) {
    Tensor h = x.matmul(w);
    return F.relu(h).add(F.sigmoid(h)).mul(F.tanh(h)).sum();
  }

  @Differentiable
  static Tensor affine(Tensor x, Tensor w, Tensor b) {
    return x.matmul(w).add(b).pow(2).mean();
  }

  @Differentiable
  static Tensor mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor y) {
    Tensor h = x.matmul(w1).add(b1).relu();
    Tensor out = h.matmul(w2).add(b2);
    return F.mseLoss(out, y);
  }

  @Differentiable
  static Tensor reductions(Tensor x) {
    Tensor rows = x.sum(1, true);
    Tensor cols = x.mean(0, false);
    return rows.mul(rows).sum().add(cols.max()).add(x.max(1, false).sum());
  }

  @Differentiable
  static Tensor classifier(Tensor logits, Tensor target) {
    Tensor logp = F.logSoftmax(logits, 1);
    return F.nllLoss(logp, target).add(F.softmax(logits, 1).pow(2).sum());
  }

  @Differentiable(wrt = {"w", "b"})
  static Tensor bce(Tensor x, Tensor w, Tensor b, Tensor y) {
    Tensor z = x.matmul(w).add(b);
    return F.binaryCrossEntropyWithLogits(z, y);
  }

  @Differentiable
  static Tensor mixed(Tensor x, double s) {
    double s2 = s * s + 1;
    return x.mul(s).add(s2).div(s2).sum();
  }

  @Differentiable
  static Tensor unaryChain(Tensor x) {
    Tensor a = x.exp().log().sqrt();
    return a.sigmoid().add(a.tanh()).mul(a.abs()).sum();
  }

  @Differentiable
  static Tensor arithmetic(Tensor x, Tensor y) {
    Tensor a = x.sub(y).div(y);
    Tensor b = a.rsub(2).neg().pow(3);
    return b.mul(2.5).sub(1).add(x.div(4)).mean();
  }

  @Differentiable
  static Tensor shapes(Tensor x) {
    Tensor r = x.reshape(3, 4).t();
    Tensor s = r.transpose(0, 1).slice(1, 1, 3);
    return s.mul(s).sum().add(r.slice(0, 0, 2).sum());
  }

  @Differentiable
  static Tensor gather(Tensor x, Tensor idx) {
    return x.index(idx).pow(2).sum();
  }

  @Differentiable
  static Tensor trigonometry(Tensor x) {
    return x.sin().mul(x.cos()).add(x.abs()).sum();
  }

  @Differentiable
  static Tensor detached(Tensor x) {
    return x.mul(x.detach()).sum();
  }

  @Differentiable
  static Tensor reassignedTensor(Tensor x, Tensor w, Tensor b) {
    var h = x;
    h = h.mul(w);
    h = h.add(b);
    h = h.mul(h);
    return h.sum();
  }

  static Tensor cube(Tensor x) {
    return x.mul(x).mul(x);
  }

  @Derivative(of = TensorCorpus.class, method = "cube")
  static Tensor cubeVjp(Tensor g, Tensor out, Tensor x) {
    return g.mul(x.mul(x)).mul(3);
  }

  @Differentiable
  static Tensor userRule(Tensor x) {
    return cube(x).add(x).sum();
  }

  /** cat and stack over List.of(...) of tensors, a tensor listed twice. */
  @Differentiable
  static Tensor catAndStack(Tensor a, Tensor b) {
    Tensor c = Tensor.cat(List.of(a, b.mul(2)), 1);
    Tensor s = Tensor.stack(List.of(a, b, a), 0);
    return c.pow(2).sum().add(s.exp().sum());
  }

  /** The one-argument reductions over a dim: sum(1), mean(0), max(1) (keepDim false). */
  @Differentiable
  static Tensor oneArgReductions(Tensor x) {
    Tensor rows = x.sum(1);
    Tensor cols = x.mean(0);
    return rows.mul(rows).sum().add(cols.exp().sum()).add(x.max(1).sum());
  }

  @Differentiable
  static Tensor composedTensor(Tensor x, Tensor w, Tensor b) {
    Tensor first = affine(x, w, b);
    return first.mul(first).add(affine(x.mul(2), w, b));
  }
}
