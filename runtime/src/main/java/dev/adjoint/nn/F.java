package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.rules.ActivationRules;
import dev.adjoint.rules.LinearRules;
import dev.adjoint.rules.LossRules;
import dev.adjoint.rules.ElementwiseRules;
import dev.adjoint.rules.NnRules;

/** Functional losses and activations ({@code torch.nn.functional}); all losses average over elements. */
public final class F {
  private F() {}

  /**
   * The affine map of a fully connected layer, {@code x·Wᵀ + b} ({@code torch.nn.functional.linear}):
   * {@code x} is {@code (..., in)}, {@code weight} {@code (out, in)}, {@code bias} {@code (out)} or
   * {@code null}; the result is {@code (..., out)}. One fused primitive (see {@link LinearRules}).
   */
  @Primitive(rules = LinearRules.class, vjp = "linearVjp", node = "AddmmBackward0", reads = {0, 1})
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return LinearRules.linear(x, weight, bias);
  }

  /** The mean squared error {@code mean((input - target)²)}. */
  @Primitive(rules = NnRules.class, vjp = "mseLossVjp", node = "MseLossBackward0")
  public static Tensor mseLoss(Tensor input, Tensor target) {
    return NnRules.mseLoss(input, target);
  }

  /** Binary cross-entropy on logits, computed stably ({@code binary_cross_entropy_with_logits}). */
  @Primitive(rules = NnRules.class, vjp = "binaryCrossEntropyWithLogitsVjp",
      node = "BinaryCrossEntropyWithLogitsBackward0")
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    return NnRules.binaryCrossEntropyWithLogits(input, target);
  }

  /** Softmax along {@code dim}. */
  @Primitive(rules = NnRules.class, vjp = "softmaxVjp", node = "SoftmaxBackward0")
  public static Tensor softmax(Tensor x, int dim) {
    return NnRules.softmax(x, dim);
  }

  /** Log-softmax along {@code dim}. */
  @Primitive(rules = NnRules.class, vjp = "logSoftmaxVjp", node = "LogSoftmaxBackward0")
  public static Tensor logSoftmax(Tensor x, int dim) {
    return NnRules.logSoftmax(x, dim);
  }

  /** The negative log-likelihood of INT64 class indices under log-probabilities {@code (N, C)}. */
  @Primitive(rules = NnRules.class, vjp = "nllLossVjp", node = "NllLossBackward0")
  public static Tensor nllLoss(Tensor logp, Tensor target) {
    return NnRules.nllLoss(logp, target);
  }

  /**
   * Cross-entropy of logits {@code (N, C)} against INT64 classes {@code (N)}: {@code nllLoss(logSoftmax(x,
   * 1), target)} as one primitive (a fused rule for speed, see {@link NnRules#crossEntropy}; the loss has the
   * composite's bits, the node PyTorch's name {@code NllLossBackward0}).
   */
  @Primitive(rules = NnRules.class, vjp = "crossEntropyVjp", node = "NllLossBackward0")
  public static Tensor crossEntropy(Tensor logits, Tensor target) {
    if (logits.dim() != 2) {
      throw new IllegalArgumentException("crossEntropy: expected logits of shape (N, C) and an INT64 target of "
          + "shape (N), got shapes " + java.util.Arrays.toString(logits.shape()) + " and "
          + java.util.Arrays.toString(target.shape()));
    }
    return NnRules.crossEntropy(logits, target);
  }

  /** {@code max(x, 0)} (subgradient 0 at 0, as in PyTorch). */
  @Primitive(rules = ElementwiseRules.class, vjp = "reluVjp", node = "ReluBackward0", reads = {Primitive.OUT})
  public static Tensor relu(Tensor x) {
    return x.relu();
  }

  /** The logistic sigmoid. */
  @Primitive(rules = ElementwiseRules.class, vjp = "sigmoidVjp", node = "SigmoidBackward0",
      reads = {Primitive.OUT})
  public static Tensor sigmoid(Tensor x) {
    return x.sigmoid();
  }

  /** The hyperbolic tangent. */
  @Primitive(rules = ElementwiseRules.class, vjp = "tanhVjp", node = "TanhBackward0", scalar = "Math.tanh",
      reads = {Primitive.OUT})
  public static Tensor tanh(Tensor x) {
    return x.tanh();
  }

  // ---- activations (issue 13)

  /** {@code x > 0 ? x : negativeSlope·x} ({@code leaky_relu}); the gradient at 0 is {@code negativeSlope}. */
  @Primitive(rules = ActivationRules.class, vjp = "leakyReluVjp", node = "LeakyReluBackward0", reads = {0})
  public static Tensor leakyRelu(Tensor x, double negativeSlope) {
    return ActivationRules.leakyRelu(x, negativeSlope);
  }

  /** {@code leakyRelu(x, 0.01)}, PyTorch's default slope. */
  @Primitive(rules = ActivationRules.class, vjp = "leakyReluVjp", node = "LeakyReluBackward0", reads = {0})
  public static Tensor leakyRelu(Tensor x) {
    return ActivationRules.leakyRelu(x, 0.01);
  }

  /** The exact GELU {@code x·Φ(x)}, Φ the standard normal distribution function ({@code gelu}). */
  @Primitive(rules = ActivationRules.class, vjp = "geluVjp", node = "GeluBackward0", reads = {0})
  public static Tensor gelu(Tensor x) {
    return ActivationRules.gelu(x, "none");
  }

  /**
   * GELU with {@code approximate} {@code "none"} (exact, {@code x·Φ(x)}) or {@code "tanh"}
   * ({@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}), as {@code gelu(x, approximate=...)}.
   */
  @Primitive(rules = ActivationRules.class, vjp = "geluVjp", node = "GeluBackward0", reads = {0})
  public static Tensor gelu(Tensor x, String approximate) {
    return ActivationRules.gelu(x, approximate);
  }

  /** {@code x·σ(x)} ({@code silu}, also called swish). */
  @Primitive(rules = ActivationRules.class, vjp = "siluVjp", node = "SiluBackward0", reads = {0})
  public static Tensor silu(Tensor x) {
    return ActivationRules.silu(x);
  }

  /** {@code softplus(x, 1, 20)}, PyTorch's defaults. */
  @Primitive(rules = ActivationRules.class, vjp = "softplusVjp", node = "SoftplusBackward0", reads = {0})
  public static Tensor softplus(Tensor x) {
    return ActivationRules.softplus(x, 1, 20);
  }

  /**
   * {@code log(1 + e^(beta·x)) / beta}, reverting to {@code x} where {@code beta·x > threshold}, as PyTorch
   * (the gradient there is exactly 1, and {@code threshold} gets gradient 0).
   */
  @Primitive(rules = ActivationRules.class, vjp = "softplusVjp", node = "SoftplusBackward0", reads = {0})
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return ActivationRules.softplus(x, beta, threshold);
  }

  /** {@code elu(x, 1)}. */
  @Primitive(rules = ActivationRules.class, vjp = "eluVjp", node = "EluBackward0", reads = {0})
  public static Tensor elu(Tensor x) {
    return ActivationRules.elu(x, 1);
  }

  /** {@code x > 0 ? x : alpha·(e^x − 1)} ({@code elu}); the gradient at 0 is {@code alpha}. */
  @Primitive(rules = ActivationRules.class, vjp = "eluVjp", node = "EluBackward0", reads = {0})
  public static Tensor elu(Tensor x, double alpha) {
    return ActivationRules.elu(x, alpha);
  }

  /** {@code log σ(x)}, stable for large |x| ({@code logsigmoid}). */
  @Primitive(rules = ActivationRules.class, vjp = "logSigmoidVjp", node = "LogSigmoidBackward0", reads = {0})
  public static Tensor logSigmoid(Tensor x) {
    return ActivationRules.logSigmoid(x);
  }

  /** {@code hardtanh(x, -1, 1)}. */
  @Primitive(rules = ActivationRules.class, vjp = "hardtanhVjp", node = "HardtanhBackward0", reads = {0})
  public static Tensor hardtanh(Tensor x) {
    return ActivationRules.hardtanh(x, -1, 1);
  }

  /** {@code clamp(x, min, max)} whose gradient passes only strictly between the bounds ({@code hardtanh}). */
  @Primitive(rules = ActivationRules.class, vjp = "hardtanhVjp", node = "HardtanhBackward0", reads = {0})
  public static Tensor hardtanh(Tensor x, double min, double max) {
    return ActivationRules.hardtanh(x, min, max);
  }

  // ---- losses with a reduction (issue 13): "none", "sum" or "mean"

  /** {@code mean(|input − target|)} ({@code l1_loss}); PyTorch composes it, so the node is {@code MeanBackward0}. */
  @Primitive(rules = LossRules.class, vjp = "l1LossVjp", node = "MeanBackward0", reads = {0, 1})
  public static Tensor l1Loss(Tensor input, Tensor target) {
    return LossRules.l1Loss(input, target, "mean");
  }

  /**
   * {@code |input − target|} reduced by {@code reduction}; the node is named as PyTorch 1.13's composition
   * shows it: {@code AbsBackward0} ("none"), {@code SumBackward0}, {@code MeanBackward0}.
   */
  @Primitive(rules = LossRules.class, vjp = "l1LossVjp", node = "MeanBackward0", reads = {0, 1})
  public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
    return LossRules.l1Loss(input, target, reduction);
  }

  /** {@code smoothL1Loss(input, target, "mean", 1)}. */
  @Primitive(rules = LossRules.class, vjp = "smoothL1LossVjp", node = "SmoothL1LossBackward0", reads = {0, 1})
  public static Tensor smoothL1Loss(Tensor input, Tensor target) {
    return LossRules.smoothL1Loss(input, target, "mean", 1);
  }

  /**
   * {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| − 0.5·beta}, for d = input − target
   * ({@code smooth_l1_loss}); {@code beta = 0} is the L1 loss.
   */
  @Primitive(rules = LossRules.class, vjp = "smoothL1LossVjp", node = "SmoothL1LossBackward0", reads = {0, 1})
  public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
    return LossRules.smoothL1Loss(input, target, reduction, beta);
  }

  /** {@code huberLoss(input, target, "mean", 1)}. */
  @Primitive(rules = LossRules.class, vjp = "huberLossVjp", node = "HuberLossBackward0", reads = {0, 1})
  public static Tensor huberLoss(Tensor input, Tensor target) {
    return LossRules.huberLoss(input, target, "mean", 1);
  }

  /** {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| − 0.5·delta)} ({@code huber_loss}). */
  @Primitive(rules = LossRules.class, vjp = "huberLossVjp", node = "HuberLossBackward0", reads = {0, 1})
  public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
    return LossRules.huberLoss(input, target, reduction, delta);
  }

  /** Binary cross-entropy of probabilities {@code input} against {@code target}, averaged. */
  @Primitive(rules = LossRules.class, vjp = "binaryCrossEntropyVjp", node = "BinaryCrossEntropyBackward0",
      reads = {0, 1})
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
    return LossRules.binaryCrossEntropy(input, target, null, "mean");
  }

  /**
   * {@code −weight·(t·log x + (1 − t)·log(1 − x))} reduced ({@code binary_cross_entropy}); each log is clamped
   * at −100 as PyTorch; {@code weight} has the input's shape or is {@code null}. Unlike PyTorch, the weight
   * gets a gradient (the unweighted term).
   */
  @Primitive(rules = LossRules.class, vjp = "binaryCrossEntropyVjp", node = "BinaryCrossEntropyBackward0",
      reads = {0, 1, 2})
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
    return LossRules.binaryCrossEntropy(input, target, weight, reduction);
  }

  /**
   * The KL divergence of log-probabilities {@code input} from {@code target} ({@code kl_div}): pointwise
   * {@code t·(log t − x)}, or {@code e^t·(t − x)} when {@code logTarget}; {@code reduction} may also be
   * {@code "batchmean"}. The node is named as PyTorch 1.13's composition shows it.
   */
  @Primitive(rules = LossRules.class, vjp = "klDivVjp", node = "MeanBackward0", reads = {0, 1})
  public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
    return LossRules.klDiv(input, target, reduction, logTarget);
  }
}
