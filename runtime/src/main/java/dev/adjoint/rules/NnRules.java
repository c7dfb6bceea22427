package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Composite operations that get their own rule for numerical stability or speed: softmax and
 * log-softmax along a dimension, the mean-squared error, binary cross-entropy with logits and the
 * negative log-likelihood. All losses use reduction {@code 'mean'}, PyTorch's default.
 */
public final class NnRules {
  private NnRules() {}

  // ---- softmax family

  /** {@code exp(x) / Σ exp(x)} along {@code dim}, computed stably. */
  public static Tensor softmax(Tensor x, int dim) {
    if (F64Rules.any(x)) {
      return F64Rules.softmax(x, dim, false);
    }
    return along(x, dim, false);
  }

  /** ∂x = out·(g - Σ g·out) along {@code dim}. */
  public static Grads softmaxVjp(Tensor g, Tensor out, Tensor x, int dim) {
    if (F64Rules.any(g, x)) {
      return F64Rules.softmaxVjp(g, out, x, dim, false);
    }
    int[] s = Shapes.split(x.shape(), x.dim() == 0 ? 0 : Shapes.dim("softmax", dim, x.dim()));
    float[] gs = g.storage();
    float[] o = out.storage();
    float[] gx = new float[o.length];
    if (s[2] == 1) {
      Kernels.get().softmaxBackwardRows(gs, o, gx, s[0], s[1], false);
      return Grads.of(Tensor.wrapLike(gx, x), null);
    }
    for (int a = 0; a < s[0]; a++) {
      for (int i = 0; i < s[2]; i++) {
        double dot = 0;
        for (int j = 0; j < s[1]; j++) {
          int p = (a * s[1] + j) * s[2] + i;
          dot += (double) gs[p] * o[p];
        }
        for (int j = 0; j < s[1]; j++) {
          int p = (a * s[1] + j) * s[2] + i;
          gx[p] = (float) (o[p] * (gs[p] - dot));
        }
      }
    }
    return Grads.of(Tensor.wrapLike(gx, x), null);
  }

  /** {@code x - log Σ exp(x)} along {@code dim}, computed stably. */
  public static Tensor logSoftmax(Tensor x, int dim) {
    if (F64Rules.any(x)) {
      return F64Rules.softmax(x, dim, true);
    }
    return along(x, dim, true);
  }

  /** ∂x = g - exp(out)·Σ g along {@code dim}. */
  public static Grads logSoftmaxVjp(Tensor g, Tensor out, Tensor x, int dim) {
    if (F64Rules.any(g, x)) {
      return F64Rules.softmaxVjp(g, out, x, dim, true);
    }
    int[] s = Shapes.split(x.shape(), x.dim() == 0 ? 0 : Shapes.dim("logSoftmax", dim, x.dim()));
    float[] gs = g.storage();
    float[] o = out.storage();
    float[] gx = new float[o.length];
    if (s[2] == 1) {
      Kernels.get().softmaxBackwardRows(gs, o, gx, s[0], s[1], true);
      return Grads.of(Tensor.wrapLike(gx, x), null);
    }
    for (int a = 0; a < s[0]; a++) {
      for (int i = 0; i < s[2]; i++) {
        double sum = 0;
        for (int j = 0; j < s[1]; j++) {
          sum += gs[(a * s[1] + j) * s[2] + i];
        }
        for (int j = 0; j < s[1]; j++) {
          int p = (a * s[1] + j) * s[2] + i;
          gx[p] = (float) (gs[p] - Math.exp(o[p]) * sum);
        }
      }
    }
    return Grads.of(Tensor.wrapLike(gx, x), null);
  }

  private static Tensor along(Tensor x, int dim, boolean log) {
    int[] s = Shapes.split(x.shape(), x.dim() == 0 ? 0 : Shapes.dim(log ? "logSoftmax" : "softmax", dim, x.dim()));
    float[] v = x.storage();
    float[] out = new float[v.length];
    if (s[2] == 1) {
      // the common case (softmax over the last dimension): contiguous rows, vectorised
      Kernels.get().softmaxRows(v, out, s[0], s[1], log);
      return Tensor.wrapLike(out, x);
    }
    for (int a = 0; a < s[0]; a++) {
      for (int i = 0; i < s[2]; i++) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < s[1]; j++) {
          max = Math.max(max, v[(a * s[1] + j) * s[2] + i]);
        }
        double sum = 0;
        for (int j = 0; j < s[1]; j++) {
          sum += Math.exp(v[(a * s[1] + j) * s[2] + i] - max);
        }
        double lse = Math.log(sum);
        for (int j = 0; j < s[1]; j++) {
          int p = (a * s[1] + j) * s[2] + i;
          double z = v[p] - max;
          out[p] = (float) (log ? z - lse : Math.exp(z) / sum);
        }
      }
    }
    return Tensor.wrapLike(out, x);
  }

  // ---- losses

  private static void sameShape(String op, Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(op + ": target size " + Shapes.str(target.shape())
          + " must be the same as input size " + Shapes.str(input.shape()));
    }
  }

  /** {@code mean((input - target)²)}. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    if (F64Rules.any(input, target)) {
      sameShape("mseLoss", input, target);
      return F64Rules.mseLoss(input, target);
    }
    sameShape("mseLoss", input, target);
    float[] x = input.storage();
    float[] y = target.storage();
    double acc = 0;
    for (int i = 0; i < x.length; i++) {
      float d = x[i] - y[i];
      acc += d * d;
    }
    return Tensor.scalar(acc / x.length);
  }

  /** ∂input = 2·g·(input - target)/n, ∂target = -∂input. */
  public static Grads mseLossVjp(Tensor g, Tensor out, Tensor input, Tensor target) {
    if (F64Rules.any(g, input, target)) {
      return F64Rules.mseLossVjp(g, input, target);
    }
    float[] x = input.storage();
    float[] y = target.storage();
    float scale = 2f * g.item() / x.length;
    float[] gi = new float[x.length];
    float[] gt = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      gi[i] = scale * (x[i] - y[i]);
      gt[i] = -gi[i];
    }
    return Grads.of(Tensor.wrapLike(gi, input), Tensor.wrapLike(gt, target));
  }

  /** {@code mean(max(z, 0) - z·y + log(1 + exp(-|z|)))}: the logistic loss on logits {@code z}. */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    sameShape("binaryCrossEntropyWithLogits", input, target);
    if (F64Rules.any(input, target)) {
      return F64Losses.bceWithLogits(input, target);
    }
    float[] z = input.storage();
    float[] y = target.storage();
    double acc = 0;
    for (int i = 0; i < z.length; i++) {
      double zi = z[i];
      acc += Math.max(zi, 0) - zi * y[i] + Math.log1p(Math.exp(-Math.abs(zi)));
    }
    return Tensor.scalar(acc / z.length);
  }

  /** ∂z = g·(σ(z) - y)/n, ∂y = -g·z/n. */
  public static Grads binaryCrossEntropyWithLogitsVjp(Tensor g, Tensor out, Tensor input, Tensor target) {
    if (F64Rules.any(g, input, target)) {
      return F64Losses.bceWithLogitsVjp(g, input, target);
    }
    float[] z = input.storage();
    float[] y = target.storage();
    float scale = g.item() / z.length;
    float[] gz = new float[z.length];
    float[] gy = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      gz[i] = scale * (ElementwiseRules.sigmoid(z[i]) - y[i]);
      gy[i] = -scale * z[i];
    }
    return Grads.of(Tensor.wrapLike(gz, input), Tensor.wrapLike(gy, target));
  }

  /** {@code -mean(logp[i, target[i]])} for log-probabilities {@code (N, C)} and INT64 classes {@code (N)}. */
  public static Tensor nllLoss(Tensor logp, Tensor target) {
    int[] s = checkNll(logp, target);
    if (F64Rules.any(logp)) {
      return F64Losses.nllLoss(logp, target, s[0], s[1]);
    }
    float[] lp = logp.storage();
    float[] t = target.storage();
    double acc = 0;
    for (int i = 0; i < s[0]; i++) {
      acc -= lp[i * s[1] + (int) t[i]];
    }
    return Tensor.scalar(acc / s[0]);
  }

  /** ∂logp = -g/N at each {@code (i, target[i])}, 0 elsewhere. */
  public static Grads nllLossVjp(Tensor g, Tensor out, Tensor logp, Tensor target) {
    int[] s = checkNll(logp, target);
    if (F64Rules.any(g, logp)) {
      return F64Losses.nllLossVjp(g, logp, target, s[0], s[1]);
    }
    float[] gl = new float[logp.numel()];
    float[] t = target.storage();
    float v = -g.item() / s[0];
    for (int i = 0; i < s[0]; i++) {
      gl[i * s[1] + (int) t[i]] = v;
    }
    return Grads.of(Tensor.wrapLike(gl, logp), null);
  }

  /**
   * Cross-entropy of logits {@code (N, C)} against INT64 classes {@code (N)}, {@code -mean(logSoftmax(x)[i,
   * target[i]])}: the composite {@code nllLoss(logSoftmax(x, 1), target)} as one primitive, for speed (one
   * node and one pass each way instead of two). The forward is the composite's, operation for operation
   * (the same log-softmax rows, the same sum), so the loss has the same bits; the node keeps PyTorch's name,
   * {@code NllLossBackward0} (PyTorch's {@code cross_entropy} records its two nodes; its {@code grad_fn} is
   * the last one). The backward recomputes the log-probabilities from the logits (the same rows, so the same
   * bits; 64×10 logits cost a few microseconds), so the row reads the logits and the target.
   */
  public static Tensor crossEntropy(Tensor logits, Tensor target) {
    int[] s = checkNll("crossEntropy", logits, target);
    if (F64Rules.any(logits)) {
      return F64Losses.crossEntropy(logits, target, s[0], s[1]);
    }
    float[] lp = new float[s[0] * s[1]];
    Kernels.get().softmaxRows(logits.storage(), lp, s[0], s[1], true);
    float[] t = target.storage();
    double acc = 0;
    for (int i = 0; i < s[0]; i++) {
      acc -= lp[i * s[1] + (int) t[i]];
    }
    return Tensor.scalar(acc / s[0]);
  }

  /**
   * ∂logits = (softmax(logits) - onehot(target))·g/N, in one pass over the rows; the same as the composite's
   * two adjoints up to the last bits of the target column ({@code (p - 1)·(g/N)} instead of {@code -g/N -
   * p·(-g/N)}).
   */
  public static Grads crossEntropyVjp(Tensor g, Tensor out, Tensor logits, Tensor target) {
    int[] s = checkNll("crossEntropy", logits, target);
    if (F64Rules.any(g, logits)) {
      return F64Losses.crossEntropyVjp(g, logits, target, s[0], s[1]);
    }
    float[] lp = new float[s[0] * s[1]];
    Kernels.get().softmaxRows(logits.storage(), lp, s[0], s[1], true);
    return crossEntropyGrad(g, Tensor.wrapLike(lp, logits), target);
  }

  private static Grads crossEntropyGrad(Tensor g, Tensor logp, Tensor target) {
    int n = logp.shape()[0];
    int c = logp.shape()[1];
    float[] lp = logp.storage();
    float[] t = target.storage();
    float scale = g.item() / n;
    float[] gx = new float[lp.length];
    // p = exp(log p): the log-probabilities are what the forward kept, and exp of them is the softmax
    Kernels.get().exp(lp, gx, gx.length);
    for (int i = 0; i < n; i++) {
      int row = i * c;
      gx[row + (int) t[i]] -= 1f;
      for (int j = row; j < row + c; j++) {
        gx[j] *= scale;
      }
    }
    return Grads.of(Tensor.wrapLike(gx, logp), null);
  }

  private static int[] checkNll(Tensor logp, Tensor target) {
    return checkNll("nllLoss", logp, target);
  }

  private static int[] checkNll(String op, Tensor logp, Tensor target) {
    if (logp.dim() != 2 || target.dim() != 1 || target.shape()[0] != logp.shape()[0]) {
      throw new IllegalArgumentException(op + ": expected input of shape (N, C) and target of shape (N), got "
          + Shapes.str(logp.shape()) + " and " + Shapes.str(target.shape()));
    }
    if (target.dtype() != Tensor.DType.INT64) {
      throw new IllegalArgumentException(op + ": expected an INT64 class-index target, got " + target.dtype());
    }
    int n = logp.shape()[0];
    int c = logp.shape()[1];
    float[] t = target.storage();
    for (int i = 0; i < n; i++) {
      if (t[i] < 0 || t[i] >= c) {
        throw new IndexOutOfBoundsException(op + ": target " + (int) t[i] + " at position " + i
            + " is out of bounds for " + c + " classes");
      }
    }
    return new int[] {n, c};
  }

  // ---- forward mode (issue 16): own JVPs of the hot rows (no replay of the adjoint per element)

  /** {@code ṫ = out ⊙ (ẋ - Σ_dim out ⊙ ẋ)}: softmax's Jacobian is symmetric, so its adjoint on the tangent. */
  public static Tensor softmaxJvp(Tensor tx, Tensor out, Tensor x, int dim) {
    return tx == null ? null : softmaxVjp(tx, out, x, dim).get(0);
  }

  /** {@code ṫ = ẋ - Σ_dim exp(out) ⊙ ẋ}. */
  public static Tensor logSoftmaxJvp(Tensor tx, Tensor out, Tensor x, int dim) {
    if (tx == null) {
      return null;
    }
    int d = x.dim() == 0 ? 0 : Shapes.dim("logSoftmax", dim, x.dim());
    return ElementwiseRules.sub(tx,
        ReductionRules.sum(ElementwiseRules.mul(ElementwiseRules.exp(out), tx), d, true));
  }

  /** {@code ṫ = 2·mean((input - target) ⊙ (ḋinput - ḋtarget))}. */
  public static Tensor mseLossJvp(Tensor tInput, Tensor tTarget, Tensor out, Tensor input, Tensor target) {
    Tensor t = tInput == null ? (tTarget == null ? null : ElementwiseRules.neg(tTarget))
        : tTarget == null ? tInput : ElementwiseRules.sub(tInput, tTarget);
    if (t == null) {
      return null;
    }
    return ElementwiseRules.mul(ReductionRules.mean(ElementwiseRules.mul(ElementwiseRules.sub(input, target), t)), 2);
  }

  /** {@code ṫ = ⟨(softmax(x) - onehot(target))/N, ẋ⟩}: the adjoint of a seed of one, dotted with the tangent. */
  public static Tensor crossEntropyJvp(Tensor tLogits, Tensor tTarget, Tensor out, Tensor logits, Tensor target) {
    if (tLogits == null) {
      return null;
    }
    Tensor g = crossEntropyVjp(Tensor.scalar(1), out, logits, target).get(0);
    return ReductionRules.sum(ElementwiseRules.mul(g, tLogits));
  }

  /** {@code ṫ = -mean_i ḃlogp[i, target[i]]}: linear, the adjoint of a seed of one dotted with the tangent. */
  public static Tensor nllLossJvp(Tensor tLogp, Tensor tTarget, Tensor out, Tensor logp, Tensor target) {
    if (tLogp == null) {
      return null;
    }
    return ReductionRules.sum(ElementwiseRules.mul(nllLossVjp(Tensor.scalar(1), out, logp, target).get(0), tLogp));
  }

  /**
   * Forward over reverse: the tangent of the adjoint at fixed g, ∂z = g·(σ(z)(1 - σ(z))·ż - ẏ)/n and
   * ∂y = -g·ż/n.
   */
  public static Grads binaryCrossEntropyWithLogitsVjpJvp(Tensor g, Tensor out, Tensor input, Tensor target,
      Tensor tOut, Tensor tInput, Tensor tTarget) {
    if (tInput == null && tTarget == null) {
      return null;
    }
    double scale = g.item() / input.numel();
    Tensor s = ElementwiseRules.sigmoid(input);
    Tensor byZ = tInput == null ? null
        : ElementwiseRules.mul(ElementwiseRules.mul(s, ElementwiseRules.add(ElementwiseRules.neg(s), 1)), tInput);
    Tensor dz = byZ == null ? ElementwiseRules.neg(tTarget) : tTarget == null ? byZ : ElementwiseRules.sub(byZ, tTarget);
    return Grads.of(ElementwiseRules.mul(dz, scale), tInput == null ? null : ElementwiseRules.mul(tInput, -scale));
  }

  /**
   * Forward over reverse: the tangent of softmax's adjoint at fixed g, {@code ȯ ⊙ (g - Σ g⊙out) - out ⊙ Σ g⊙ȯ}
   * along {@code dim}.
   */
  public static Grads softmaxVjpJvp(Tensor g, Tensor out, Tensor x, int dim, Tensor tOut, Tensor tx) {
    if (tOut == null) {
      return null;
    }
    int d = x.dim() == 0 ? 0 : Shapes.dim("softmax", dim, x.dim());
    Tensor gOut = ReductionRules.sum(ElementwiseRules.mul(g, out), d, true);
    Tensor gTOut = ReductionRules.sum(ElementwiseRules.mul(g, tOut), d, true);
    return Grads.of(ElementwiseRules.sub(ElementwiseRules.mul(tOut, ElementwiseRules.sub(g, gOut)),
        ElementwiseRules.mul(out, gTOut)), null);
  }

  /** Forward over reverse: the tangent of logSoftmax's adjoint at fixed g, {@code -exp(out) ⊙ ȯ ⊙ Σ g}. */
  public static Grads logSoftmaxVjpJvp(Tensor g, Tensor out, Tensor x, int dim, Tensor tOut, Tensor tx) {
    if (tOut == null) {
      return null;
    }
    int d = x.dim() == 0 ? 0 : Shapes.dim("logSoftmax", dim, x.dim());
    Tensor sum = ReductionRules.sum(g, d, true);
    return Grads.of(ElementwiseRules.neg(ElementwiseRules.mul(ElementwiseRules.mul(ElementwiseRules.exp(out), tOut),
        sum)), null);
  }
}
