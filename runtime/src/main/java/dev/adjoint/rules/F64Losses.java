package dev.adjoint.rules;

import static dev.adjoint.rules.F64Rules.as;
import static dev.adjoint.rules.F64Rules.d;
import static dev.adjoint.rules.F64Rules.scalar;
import static dev.adjoint.rules.F64Rules.wrap;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * The float64 path of {@link NnRules}' fused losses (binary cross-entropy with logits, the 2-D nllLoss and
 * crossEntropy): the same formulas in double. {@link LossRules} and {@link ClassLossRules} read and write
 * their input's dtype themselves (they accumulate in double already).
 */
public final class F64Losses {
  private F64Losses() {}

  /** {@code mean(max(z, 0) - z·y + log(1 + exp(-|z|)))}. */
  public static Tensor bceWithLogits(Tensor input, Tensor target) {
    double[] z = d(input);
    double[] y = d(target);
    double acc = 0;
    for (int i = 0; i < z.length; i++) {
      acc += Math.max(z[i], 0) - z[i] * y[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
    }
    return scalar(acc / z.length);
  }

  /** ∂z = g·(σ(z) - y)/n, ∂y = -g·z/n. */
  public static Grads bceWithLogitsVjp(Tensor g, Tensor input, Tensor target) {
    double[] z = d(input);
    double[] y = d(target);
    double scale = g.itemDouble() / z.length;
    double[] gz = new double[z.length];
    double[] gy = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      gz[i] = scale * (F64Rules.sigmoid(z[i]) - y[i]);
      gy[i] = -scale * z[i];
    }
    return Grads.of(as(wrap(gz, input.shape()), input), as(wrap(gy, target.shape()), target));
  }

  /** {@code -mean(logp[i, target[i]])} for (N, C) log-probabilities (checked by the caller). */
  public static Tensor nllLoss(Tensor logp, Tensor target, int n, int c) {
    double[] lp = d(logp);
    double[] t = target.toDoubleArray();
    double acc = 0;
    for (int i = 0; i < n; i++) {
      acc -= lp[i * c + (int) t[i]];
    }
    return scalar(acc / n);
  }

  /** ∂logp = -g/N at each {@code (i, target[i])}. */
  public static Grads nllLossVjp(Tensor g, Tensor logp, Tensor target, int n, int c) {
    double[] gl = new double[n * c];
    double[] t = target.toDoubleArray();
    double v = -g.itemDouble() / n;
    for (int i = 0; i < n; i++) {
      gl[i * c + (int) t[i]] = v;
    }
    return Grads.of(as(wrap(gl, logp.shape()), logp), null);
  }

  /** {@code nllLoss(logSoftmax(logits, 1), target)} in double. */
  public static Tensor crossEntropy(Tensor logits, Tensor target, int n, int c) {
    return nllLoss(F64Rules.softmax(logits, 1, true), target, n, c);
  }

  /** ∂logits = (softmax(logits) - onehot(target))·g/N. */
  public static Grads crossEntropyVjp(Tensor g, Tensor logits, Tensor target, int n, int c) {
    double[] lp = d(F64Rules.softmax(logits, 1, true));
    double[] t = target.toDoubleArray();
    double scale = g.itemDouble() / n;
    double[] gx = new double[lp.length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        gx[i * c + j] = (Math.exp(lp[i * c + j]) - (j == (int) t[i] ? 1 : 0)) * scale;
      }
    }
    return Grads.of(as(wrap(gx, logits.shape()), logits), null);
  }
}
