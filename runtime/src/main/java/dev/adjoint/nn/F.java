package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ActivationRules;
import dev.adjoint.rules.ClassLossRules;
import dev.adjoint.rules.ConvRules;
import dev.adjoint.rules.ConvTransposeRules;
import dev.adjoint.rules.LinearRules;
import dev.adjoint.rules.LossRules;
import dev.adjoint.rules.ElementwiseRules;
import dev.adjoint.rules.NnRules;
import dev.adjoint.rules.NormRules;
import dev.adjoint.rules.PoolRules;

/** Functional losses and activations ({@code torch.nn.functional}); all losses average over elements. */
public final class F {
  private F() {}

  static {
    DoubleFormulas.registerF();
    DoubleFormulas.registerActivations();
    DoubleFormulas.registerLayers();
    DoubleFormulas.registerLosses();
  }

  private static final Row LINEAR = Row.of(F.class, "linear", Tensor.class, Tensor.class, Tensor.class);

  /**
   * The affine map of a fully connected layer, {@code x·Wᵀ + b} ({@code torch.nn.functional.linear}):
   * {@code x} is {@code (..., in)}, {@code weight} {@code (out, in)}, {@code bias} {@code (out)} or
   * {@code null}; the result is {@code (..., out)}. One fused primitive (see {@link LinearRules}).
   */
  @Primitive(rules = LinearRules.class, vjp = "linearVjp", node = "AddmmBackward0", reads = {0, 1})
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return LINEAR.record(LinearRules.linear(x, weight, bias), x, weight, bias);
  }

  private static final Row MSE_LOSS = Row.of(F.class, "mseLoss", Tensor.class, Tensor.class);

  /** The mean squared error {@code mean((input - target)²)}. */
  @Primitive(rules = NnRules.class, vjp = "mseLossVjp", node = "MseLossBackward0", reads = {0, 1})
  public static Tensor mseLoss(Tensor input, Tensor target) {
    return MSE_LOSS.record(NnRules.mseLoss(input, target), input, target);
  }

  private static final Row BINARY_CROSS_ENTROPY_WITH_LOGITS = Row.of(F.class, "binaryCrossEntropyWithLogits", Tensor.class, Tensor.class);

  /** Binary cross-entropy on logits, computed stably ({@code binary_cross_entropy_with_logits}). */
  @Primitive(rules = NnRules.class, vjp = "binaryCrossEntropyWithLogitsVjp",
      node = "BinaryCrossEntropyWithLogitsBackward0", reads = {0, 1})
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    return BINARY_CROSS_ENTROPY_WITH_LOGITS.record(NnRules.binaryCrossEntropyWithLogits(input, target), input, target);
  }

  private static final Row SOFTMAX = Row.of(F.class, "softmax", Tensor.class, int.class);

  /** Softmax along {@code dim}. */
  @Primitive(rules = NnRules.class, vjp = "softmaxVjp", node = "SoftmaxBackward0", reads = {Primitive.OUT})
  public static Tensor softmax(Tensor x, int dim) {
    return SOFTMAX.record(NnRules.softmax(x, dim), x, dim);
  }

  private static final Row LOG_SOFTMAX = Row.of(F.class, "logSoftmax", Tensor.class, int.class);

  /** Log-softmax along {@code dim}. */
  @Primitive(rules = NnRules.class, vjp = "logSoftmaxVjp", node = "LogSoftmaxBackward0",
      reads = {Primitive.OUT})
  public static Tensor logSoftmax(Tensor x, int dim) {
    return LOG_SOFTMAX.record(NnRules.logSoftmax(x, dim), x, dim);
  }

  private static final Row NLL_LOSS = Row.of(F.class, "nllLoss", Tensor.class, Tensor.class);

  /** The negative log-likelihood of INT64 class indices under log-probabilities {@code (N, C)}. */
  @Primitive(rules = NnRules.class, vjp = "nllLossVjp", node = "NllLossBackward0", reads = {1})
  public static Tensor nllLoss(Tensor logp, Tensor target) {
    return NLL_LOSS.record(NnRules.nllLoss(logp, target), logp, target);
  }

  private static final Row CROSS_ENTROPY = Row.of(F.class, "crossEntropy", Tensor.class, Tensor.class);

  /**
   * Cross-entropy of logits {@code (N, C)} against INT64 classes {@code (N)}: {@code nllLoss(logSoftmax(x,
   * 1), target)} as one primitive (a fused rule for speed, see {@link NnRules#crossEntropy}; the loss has the
   * composite's bits, the node PyTorch's name {@code NllLossBackward0}).
   */
  @Primitive(rules = NnRules.class, vjp = "crossEntropyVjp", node = "NllLossBackward0", reads = {0, 1})
  public static Tensor crossEntropy(Tensor logits, Tensor target) {
    if (logits.dim() != 2) {
      throw new IllegalArgumentException("crossEntropy: expected logits of shape (N, C) and an INT64 target of "
          + "shape (N), got shapes " + java.util.Arrays.toString(logits.shape()) + " and "
          + java.util.Arrays.toString(target.shape()));
    }
    return CROSS_ENTROPY.record(NnRules.crossEntropy(logits, target), logits, target);
  }

  /**
   * Inverted dropout ({@code torch.nn.functional.dropout(x, p, training)}) with the default generator: in
   * training each element is zeroed with probability {@code p} and the survivors are scaled by {@code 1/(1-p)};
   * otherwise (or for {@code p = 0}) {@code x} itself. Recorded as {@code x.mul(mask)} ({@link #dropoutMask}).
   */
  public static Tensor dropout(Tensor x, double p, boolean training) {
    return dropout(x, p, training, Generator.defaultGenerator());
  }

  /** {@link #dropout(Tensor, double, boolean)} with the mask drawn from {@code gen}. */
  public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
    checkDropout(p);
    if (!training || p == 0) {
      return x;
    }
    return x.mul(dropoutMask(x, p, true, gen));
  }

  /** {@link #dropoutMask(Tensor, double, boolean, Generator)} from the default generator. */
  public static Tensor dropoutMask(Tensor x, double p, boolean training) {
    return dropoutMask(x, p, training, Generator.defaultGenerator());
  }

  /**
   * The factor {@link #dropout} multiplies {@code x} by, in {@code x}'s float dtype: in training, {@code x}'s
   * shape with each element {@code 0} (probability {@code p}, one {@code gen.nextDouble()} per element in
   * row-major order) or {@code 1/(1-p)}; otherwise a 0-dimensional {@code 1}, so that {@code x.mul(mask)} is
   * {@code x}'s values. Generated code computes dropout as {@code x.mul(mask)} with this mask, saved for the
   * backward (the mask carries no gradient); the eager forms draw the same values from the same generator.
   */
  public static Tensor dropoutMask(Tensor x, double p, boolean training, Generator generator) {
    checkDropout(p);
    Generator gen = generator != null ? generator : Generator.defaultGenerator(); // generator=None, as PyTorch
    boolean f64 = x.dtype() == Tensor.DType.FLOAT64;
    if (!training || p == 0) {
      return Tensor.scalar(1, f64 ? Tensor.DType.FLOAT64 : Tensor.DType.FLOAT32);
    }
    if (f64) {
      // the mask in the input's dtype: a float64 input is scaled by 1/(1 - p) in double, as PyTorch
      double[] mask = new double[x.numel()];
      if (p < 1) {
        double scale = 1.0 / (1.0 - p);
        for (int i = 0; i < mask.length; i++) {
          mask[i] = gen.nextDouble() < p ? 0 : scale;
        }
      }
      return Tensor.wrap(mask, x.shape());
    }
    float[] mask = new float[x.numel()];
    if (p < 1) {
      float scale = (float) (1.0 / (1.0 - p));
      for (int i = 0; i < mask.length; i++) {
        mask[i] = gen.nextDouble() < p ? 0f : scale;
      }
    }
    return Tensor.wrap(mask, x.shape());
  }

  static void checkDropout(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("dropout: probability has to be between 0 and 1, but got " + p);
    }
  }

  private static final Row RELU = Row.of(F.class, "relu", Tensor.class);

  /** {@code max(x, 0)} (subgradient 0 at 0, as in PyTorch). */
  @Primitive(rules = ElementwiseRules.class, vjp = "reluVjp", node = "ReluBackward0", reads = {Primitive.OUT})
  public static Tensor relu(Tensor x) {
    return RELU.record(ElementwiseRules.relu(x), x);
  }

  private static final Row SIGMOID = Row.of(F.class, "sigmoid", Tensor.class);

  /** The logistic sigmoid. */
  @Primitive(rules = ElementwiseRules.class, vjp = "sigmoidVjp", node = "SigmoidBackward0",
      reads = {Primitive.OUT})
  public static Tensor sigmoid(Tensor x) {
    return SIGMOID.record(ElementwiseRules.sigmoid(x), x);
  }

  private static final Row TANH = Row.of(F.class, "tanh", Tensor.class);

  /** The hyperbolic tangent. */
  @Primitive(rules = ElementwiseRules.class, vjp = "tanhVjp", node = "TanhBackward0", scalar = "Math.tanh",
      reads = {Primitive.OUT})
  public static Tensor tanh(Tensor x) {
    return TANH.record(ElementwiseRules.tanh(x), x);
  }

  // ---- activations (issue 13)

  private static final Row LEAKY_RELU_T_D = Row.of(F.class, "leakyRelu", Tensor.class, double.class);

  /** {@code x > 0 ? x : negativeSlope·x} ({@code leaky_relu}); the gradient at 0 is {@code negativeSlope}. */
  @Primitive(rules = ActivationRules.class, vjp = "leakyReluVjp", node = "LeakyReluBackward0", reads = {0})
  public static Tensor leakyRelu(Tensor x, double negativeSlope) {
    return LEAKY_RELU_T_D.record(ActivationRules.leakyRelu(x, negativeSlope), x, negativeSlope);
  }

  private static final Row LEAKY_RELU_T = Row.of(F.class, "leakyRelu", Tensor.class);

  /** {@code leakyRelu(x, 0.01)}, PyTorch's default slope. */
  @Primitive(rules = ActivationRules.class, vjp = "leakyReluVjp", node = "LeakyReluBackward0", reads = {0})
  public static Tensor leakyRelu(Tensor x) {
    return LEAKY_RELU_T.record(ActivationRules.leakyRelu(x, 0.01), x);
  }

  private static final Row GELU_T = Row.of(F.class, "gelu", Tensor.class);

  /** The exact GELU {@code x·Φ(x)}, Φ the standard normal distribution function ({@code gelu}). */
  @Primitive(rules = ActivationRules.class, vjp = "geluVjp", node = "GeluBackward0", reads = {0})
  public static Tensor gelu(Tensor x) {
    return GELU_T.record(ActivationRules.gelu(x, "none"), x);
  }

  private static final Row GELU_T_S = Row.of(F.class, "gelu", Tensor.class, String.class);

  /**
   * GELU with {@code approximate} {@code "none"} (exact, {@code x·Φ(x)}) or {@code "tanh"}
   * ({@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}), as {@code gelu(x, approximate=...)}.
   */
  @Primitive(rules = ActivationRules.class, vjp = "geluVjp", node = "GeluBackward0", reads = {0})
  public static Tensor gelu(Tensor x, String approximate) {
    return GELU_T_S.record(ActivationRules.gelu(x, approximate), x, approximate);
  }

  private static final Row SILU = Row.of(F.class, "silu", Tensor.class);

  /** {@code x·σ(x)} ({@code silu}, also called swish). */
  @Primitive(rules = ActivationRules.class, vjp = "siluVjp", node = "SiluBackward0", reads = {0})
  public static Tensor silu(Tensor x) {
    return SILU.record(ActivationRules.silu(x), x);
  }

  private static final Row SOFTPLUS_T = Row.of(F.class, "softplus", Tensor.class);

  /** {@code softplus(x, 1, 20)}, PyTorch's defaults. */
  @Primitive(rules = ActivationRules.class, vjp = "softplusVjp", node = "SoftplusBackward0", reads = {0})
  public static Tensor softplus(Tensor x) {
    return SOFTPLUS_T.record(ActivationRules.softplus(x, 1, 20), x);
  }

  private static final Row SOFTPLUS_T_D_D = Row.of(F.class, "softplus", Tensor.class, double.class, double.class);

  /**
   * {@code log(1 + e^(beta·x)) / beta}, reverting to {@code x} where {@code beta·x > threshold}, as PyTorch
   * (the gradient there is exactly 1, and {@code threshold} gets gradient 0).
   */
  @Primitive(rules = ActivationRules.class, vjp = "softplusVjp", node = "SoftplusBackward0", reads = {0})
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return SOFTPLUS_T_D_D.record(ActivationRules.softplus(x, beta, threshold), x, beta, threshold);
  }

  private static final Row ELU_T = Row.of(F.class, "elu", Tensor.class);

  /** {@code elu(x, 1)}. */
  @Primitive(rules = ActivationRules.class, vjp = "eluVjp", node = "EluBackward0", reads = {0})
  public static Tensor elu(Tensor x) {
    return ELU_T.record(ActivationRules.elu(x, 1), x);
  }

  private static final Row ELU_T_D = Row.of(F.class, "elu", Tensor.class, double.class);

  /** {@code x > 0 ? x : alpha·(e^x − 1)} ({@code elu}); the gradient at 0 is {@code alpha}. */
  @Primitive(rules = ActivationRules.class, vjp = "eluVjp", node = "EluBackward0", reads = {0})
  public static Tensor elu(Tensor x, double alpha) {
    return ELU_T_D.record(ActivationRules.elu(x, alpha), x, alpha);
  }

  private static final Row LOG_SIGMOID = Row.of(F.class, "logSigmoid", Tensor.class);

  /** {@code log σ(x)}, stable for large |x| ({@code logsigmoid}). */
  @Primitive(rules = ActivationRules.class, vjp = "logSigmoidVjp", node = "LogSigmoidBackward0", reads = {0})
  public static Tensor logSigmoid(Tensor x) {
    return LOG_SIGMOID.record(ActivationRules.logSigmoid(x), x);
  }

  private static final Row HARDTANH_T = Row.of(F.class, "hardtanh", Tensor.class);

  /** {@code hardtanh(x, -1, 1)}. */
  @Primitive(rules = ActivationRules.class, vjp = "hardtanhVjp", node = "HardtanhBackward0", reads = {0})
  public static Tensor hardtanh(Tensor x) {
    return HARDTANH_T.record(ActivationRules.hardtanh(x, -1, 1), x);
  }

  private static final Row HARDTANH_T_D_D = Row.of(F.class, "hardtanh", Tensor.class, double.class, double.class);

  /** {@code clamp(x, min, max)} whose gradient passes only strictly between the bounds ({@code hardtanh}). */
  @Primitive(rules = ActivationRules.class, vjp = "hardtanhVjp", node = "HardtanhBackward0", reads = {0})
  public static Tensor hardtanh(Tensor x, double min, double max) {
    return HARDTANH_T_D_D.record(ActivationRules.hardtanh(x, min, max), x, min, max);
  }

  // ---- losses with a reduction (issue 13): "none", "sum" or "mean"

  private static final Row L1_LOSS_T_T = Row.of(F.class, "l1Loss", Tensor.class, Tensor.class);

  /** {@code mean(|input − target|)} ({@code l1_loss}); PyTorch composes it, so the node is {@code MeanBackward0}. */
  @Primitive(rules = LossRules.class, vjp = "l1LossVjp", node = "MeanBackward0", reads = {0, 1})
  public static Tensor l1Loss(Tensor input, Tensor target) {
    return L1_LOSS_T_T.record(LossRules.l1Loss(input, target, "mean"), input, target);
  }

  private static final Row L1_LOSS_T_T_S = Row.of(F.class, "l1Loss", Tensor.class, Tensor.class, String.class);

  /**
   * {@code |input − target|} reduced by {@code reduction}; the node is named as PyTorch 1.13's composition
   * shows it: {@code AbsBackward0} ("none"), {@code SumBackward0}, {@code MeanBackward0}.
   */
  @Primitive(rules = LossRules.class, vjp = "l1LossVjp", node = "MeanBackward0", nodeOf = "l1LossNode",
      reads = {0, 1})
  public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
    return L1_LOSS_T_T_S.record(LossRules.l1Loss(input, target, reduction), input, target, reduction);
  }

  private static final Row SMOOTH_L1_LOSS_T_T = Row.of(F.class, "smoothL1Loss", Tensor.class, Tensor.class);

  /** {@code smoothL1Loss(input, target, "mean", 1)}. */
  @Primitive(rules = LossRules.class, vjp = "smoothL1LossVjp", node = "SmoothL1LossBackward0", reads = {0, 1})
  public static Tensor smoothL1Loss(Tensor input, Tensor target) {
    return SMOOTH_L1_LOSS_T_T.record(LossRules.smoothL1Loss(input, target, "mean", 1), input, target);
  }

  private static final Row SMOOTH_L1_LOSS_T_T_S_D = Row.of(F.class, "smoothL1Loss", Tensor.class, Tensor.class, String.class, double.class);

  /**
   * {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| − 0.5·beta}, for d = input − target
   * ({@code smooth_l1_loss}); {@code beta = 0} is the L1 loss.
   */
  @Primitive(rules = LossRules.class, vjp = "smoothL1LossVjp", node = "SmoothL1LossBackward0", reads = {0, 1})
  public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
    return SMOOTH_L1_LOSS_T_T_S_D.record(LossRules.smoothL1Loss(input, target, reduction, beta), input, target, reduction, beta);
  }

  private static final Row HUBER_LOSS_T_T = Row.of(F.class, "huberLoss", Tensor.class, Tensor.class);

  /** {@code huberLoss(input, target, "mean", 1)}. */
  @Primitive(rules = LossRules.class, vjp = "huberLossVjp", node = "HuberLossBackward0", reads = {0, 1})
  public static Tensor huberLoss(Tensor input, Tensor target) {
    return HUBER_LOSS_T_T.record(LossRules.huberLoss(input, target, "mean", 1), input, target);
  }

  private static final Row HUBER_LOSS_T_T_S_D = Row.of(F.class, "huberLoss", Tensor.class, Tensor.class, String.class, double.class);

  /** {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| − 0.5·delta)} ({@code huber_loss}). */
  @Primitive(rules = LossRules.class, vjp = "huberLossVjp", node = "HuberLossBackward0", reads = {0, 1})
  public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
    return HUBER_LOSS_T_T_S_D.record(LossRules.huberLoss(input, target, reduction, delta), input, target, reduction, delta);
  }

  private static final Row NLL_LOSS_FULL = Row.of(F.class, "nllLoss", Tensor.class, Tensor.class, Tensor.class,
      int.class, String.class);

  /**
   * The negative log-likelihood of log-probabilities {@code input} ({@code (C)}, {@code (N, C)} or {@code (N,
   * C, d1, ...)}) at INT64 class targets ({@code ()}, {@code (N)} or {@code (N, d1, ...)}), PyTorch's {@code
   * nll_loss(input, target, weight, ignore_index=..., reduction=...)}: {@code weight} (per class, or null)
   * scales each element, targets equal to {@code ignoreIndex} count for nothing, and "mean" divides by the sum
   * of the weights of the targets counted. See {@link ClassLossRules}.
   */
  @Primitive(rules = ClassLossRules.class, vjp = "nllLossVjp", node = "NllLossBackward0", nodeOf = "nllLossNode",
      reads = {0, 1, 2})
  public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, int ignoreIndex, String reduction) {
    return NLL_LOSS_FULL.record(ClassLossRules.nllLoss(input, target, weight, ignoreIndex, reduction), input, target,
        weight, ignoreIndex, reduction);
  }

  private static final Row CROSS_ENTROPY_FULL = Row.of(F.class, "crossEntropy", Tensor.class, Tensor.class,
      Tensor.class, int.class, String.class, double.class);

  /**
   * The cross-entropy of logits {@code input} ({@code (C)}, {@code (N, C)} or {@code (N, C, d1, ...)}),
   * PyTorch's {@code cross_entropy(input, target, weight, ignore_index=..., reduction=..., label_smoothing=...)}:
   * {@code target} holds INT64 classes (as {@link #nllLoss(Tensor, Tensor, Tensor, int, String)} of the
   * log-softmax, plus label smoothing) or, as a float tensor of the input's shape, class probabilities. The
   * default {@code ignoreIndex} is -100. See {@link ClassLossRules}.
   */
  @Primitive(rules = ClassLossRules.class, vjp = "crossEntropyVjp", node = "NllLossBackward0",
      nodeOf = "crossEntropyNode", reads = {0, 1, 2})
  public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, int ignoreIndex, String reduction,
      double labelSmoothing) {
    return CROSS_ENTROPY_FULL.record(ClassLossRules.crossEntropy(input, target, weight, ignoreIndex, reduction,
        labelSmoothing), input, target, weight, ignoreIndex, reduction, labelSmoothing);
  }

  private static final Row BINARY_CROSS_ENTROPY_T_T = Row.of(F.class, "binaryCrossEntropy", Tensor.class, Tensor.class);

  /** Binary cross-entropy of probabilities {@code input} against {@code target}, averaged. */
  @Primitive(rules = LossRules.class, vjp = "binaryCrossEntropyVjp", node = "BinaryCrossEntropyBackward0",
      reads = {0, 1})
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
    return BINARY_CROSS_ENTROPY_T_T.record(LossRules.binaryCrossEntropy(input, target, null, "mean"), input, target);
  }

  private static final Row BINARY_CROSS_ENTROPY_T_T_T_S = Row.of(F.class, "binaryCrossEntropy", Tensor.class, Tensor.class, Tensor.class, String.class);

  /**
   * {@code −weight·(t·log x + (1 − t)·log(1 − x))} reduced ({@code binary_cross_entropy}); each log is clamped
   * at −100 as PyTorch; {@code weight} has the input's shape or is {@code null}. Unlike PyTorch, the weight
   * gets a gradient (the unweighted term).
   */
  @Primitive(rules = LossRules.class, vjp = "binaryCrossEntropyVjp", node = "BinaryCrossEntropyBackward0",
      reads = {0, 1, 2})
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
    return BINARY_CROSS_ENTROPY_T_T_T_S.record(LossRules.binaryCrossEntropy(input, target, weight, reduction), input, target, weight, reduction);
  }

  private static final Row KL_DIV = Row.of(F.class, "klDiv", Tensor.class, Tensor.class, String.class, boolean.class);

  /**
   * The KL divergence of log-probabilities {@code input} from {@code target} ({@code kl_div}): pointwise
   * {@code t·(log t − x)}, or {@code e^t·(t − x)} when {@code logTarget}; {@code reduction} may also be
   * {@code "batchmean"}. The node is named as PyTorch 1.13's composition shows it.
   */
  @Primitive(rules = LossRules.class, vjp = "klDivVjp", node = "MeanBackward0", nodeOf = "klDivNode",
      reads = {0, 1})
  public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
    return KL_DIV.record(LossRules.klDiv(input, target, reduction, logTarget), input, target, reduction, logTarget);
  }

  // ---- convolution, pooling, normalisation, embedding (issue 18; rules in ConvRules, PoolRules, NormRules)

  private static final Row CONV2D_T_T_T = Row.of(F.class, "conv2d", Tensor.class, Tensor.class, Tensor.class);

  /**
   * {@code conv2d(x, weight, bias)}: stride 1, no padding, dilation 1, one group. {@code x} is {@code (N, C, H,
   * W)} or {@code (C, H, W)}, {@code weight} {@code (O, C, kH, kW)}, {@code bias} {@code (O)} or null.
   */
  @Primitive(rules = ConvRules.class, vjp = "conv2dVjp", node = "ConvolutionBackward0", nodeOf = "conv2dNode",
      reads = {0, 1})
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
    return CONV2D_T_T_T.record(ConvRules.conv2d(x, weight, bias), x, weight, bias);
  }

  private static final Row CONV2D = Row.of(F.class, "conv2d", Tensor.class, Tensor.class, Tensor.class,
      int[].class, int[].class, int[].class, int.class);

  /**
   * The 2-d cross-correlation {@code conv2d(x, weight, bias, stride, padding, dilation, groups)}: each of
   * {@code stride}, {@code padding} (symmetric) and {@code dilation} has one element (both dimensions) or two
   * ({@code (h, w)}); {@code weight} is {@code (O, C/groups, kH, kW)}. See {@link ConvRules}.
   */
  @Primitive(rules = ConvRules.class, vjp = "conv2dVjp", node = "ConvolutionBackward0", nodeOf = "conv2dNode",
      reads = {0, 1})
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return CONV2D.record(ConvRules.conv2d(x, weight, bias, stride, padding, dilation, groups), x, weight, bias,
        stride, padding, dilation, groups);
  }

  private static final Row CONV2D_PAD = Row.of(F.class, "conv2d", Tensor.class, Tensor.class, Tensor.class,
      int[].class, String.class, int[].class, int.class);

  /** {@code conv2d} with {@code padding="same"} (stride 1; the output has the input's size) or {@code "valid"}. */
  @Primitive(rules = ConvRules.class, vjp = "conv2dPadVjp", node = "ConvolutionBackward0", nodeOf = "conv2dNode",
      reads = {0, 1})
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
      int groups) {
    return CONV2D_PAD.record(ConvRules.conv2d(x, weight, bias, stride, padding, dilation, groups), x, weight, bias,
        stride, padding, dilation, groups);
  }

  private static final Row CONV1D = Row.of(F.class, "conv1d", Tensor.class, Tensor.class, Tensor.class,
      int[].class, int[].class, int[].class, int.class);

  /**
   * The 1-d convolution {@code conv1d(x, weight, bias, stride, padding, dilation, groups)} of {@code (N, C, L)}
   * or {@code (C, L)} with {@code (O, C/groups, k)}: {@link #conv2d} on a height of 1.
   */
  @Primitive(rules = ConvRules.class, vjp = "conv1dVjp", node = "ConvolutionBackward0", nodeOf = "conv1dNode",
      reads = {0, 1})
  public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
      int groups) {
    return CONV1D.record(ConvRules.conv1d(x, weight, bias, stride, padding, dilation, groups), x, weight, bias,
        stride, padding, dilation, groups);
  }

  private static final Row CONV1D_PAD = Row.of(F.class, "conv1d", Tensor.class, Tensor.class, Tensor.class,
      int[].class, String.class, int[].class, int.class);

  /** {@code conv1d} with {@code padding="same"} or {@code "valid"}. */
  @Primitive(rules = ConvRules.class, vjp = "conv1dPadVjp", node = "ConvolutionBackward0", nodeOf = "conv1dNode",
      reads = {0, 1})
  public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
      int groups) {
    return CONV1D_PAD.record(ConvRules.conv1d(x, weight, bias, stride, padding, dilation, groups), x, weight,
        bias, stride, padding, dilation, groups);
  }

  private static final Row CONV_TRANSPOSE2D = Row.of(F.class, "convTranspose2d", Tensor.class, Tensor.class,
      Tensor.class, int[].class, int[].class, int[].class, int.class, int[].class);

  /**
   * The 2-d transposed convolution {@code conv_transpose2d(x, weight, bias, stride, padding, output_padding,
   * groups, dilation)} of {@code (N, C, H, W)} or {@code (C, H, W)} with {@code weight} {@code (C, O/groups, kH,
   * kW)}: the adjoint of {@link #conv2d} with respect to its input, the output {@code (H - 1)·stride - 2·padding +
   * dilation·(kH - 1) + output_padding + 1} high (and as wide). Each of stride, padding, output_padding and dilation
   * has one element (both dimensions) or two. See {@link ConvTransposeRules}.
   */
  @Primitive(rules = ConvTransposeRules.class, vjp = "convTranspose2dVjp", node = "ConvolutionBackward0",
      nodeOf = "convTranspose2dNode", reads = {0, 1})
  public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    return CONV_TRANSPOSE2D.record(ConvTransposeRules.convTranspose2d(x, weight, bias, stride, padding, outputPadding,
        groups, dilation), x, weight, bias, stride, padding, outputPadding, groups, dilation);
  }

  /** {@code conv_transpose2d(x, weight, bias)}: stride 1, no padding, one group. */
  public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias) {
    return convTranspose2d(x, weight, bias, new int[] {1}, new int[] {0}, new int[] {0}, 1, new int[] {1});
  }

  private static final Row CONV_TRANSPOSE1D = Row.of(F.class, "convTranspose1d", Tensor.class, Tensor.class,
      Tensor.class, int[].class, int[].class, int[].class, int.class, int[].class);

  /**
   * The 1-d transposed convolution {@code conv_transpose1d(x, weight, bias, stride, padding, output_padding, groups,
   * dilation)} of {@code (N, C, L)} or {@code (C, L)} with {@code (C, O/groups, k)}: {@link #convTranspose2d} on a
   * height of 1.
   */
  @Primitive(rules = ConvTransposeRules.class, vjp = "convTranspose1dVjp", node = "ConvolutionBackward0",
      nodeOf = "convTranspose1dNode", reads = {0, 1})
  public static Tensor convTranspose1d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
      int[] outputPadding, int groups, int[] dilation) {
    return CONV_TRANSPOSE1D.record(ConvTransposeRules.convTranspose1d(x, weight, bias, stride, padding, outputPadding,
        groups, dilation), x, weight, bias, stride, padding, outputPadding, groups, dilation);
  }

  private static final Row MAX_POOL2D = Row.of(F.class, "maxPool2d", Tensor.class, int[].class, int[].class,
      int[].class, int[].class, boolean.class);

  /**
   * {@code max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)} over the last two dimensions of
   * {@code (N, C, H, W)} or {@code (C, H, W)}; an empty or null {@code stride} is the kernel size (PyTorch's
   * default). The node is PyTorch's {@code MaxPool2DWithIndicesBackward0}.
   */
  @Primitive(rules = PoolRules.class, vjp = "maxPool2dVjp", node = "MaxPool2DWithIndicesBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor maxPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    return MAX_POOL2D.record(PoolRules.maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode), x,
        kernelSize, stride, padding, dilation, ceilMode);
  }

  private static final Row MAX_POOL2D_K = Row.of(F.class, "maxPool2d", Tensor.class, int.class);

  /**
   * {@code max_pool2d(x, kernel_size)}: stride the kernel size, no padding. A row of its own (the same forward
   * and adjoint as the full form), so {@code @Differentiable} code can call it.
   */
  @Primitive(rules = PoolRules.class, vjp = "maxPool2dKernelVjp", node = "MaxPool2DWithIndicesBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor maxPool2d(Tensor x, int kernelSize) {
    return MAX_POOL2D_K.record(PoolRules.maxPool2d(x, kernelSize), x, kernelSize);
  }

  /**
   * {@code max_pool2d(..., return_indices=True)}: the maxima (recorded as {@link #maxPool2d}) and the flat
   * index {@code h·W + w} of each within its plane (INT64, no gradient).
   */
  public static Tensor.ValuesIndices maxPool2dWithIndices(Tensor x, int[] kernelSize, int[] stride, int[] padding,
      int[] dilation, boolean ceilMode) {
    Tensor values = maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode);
    Tensor indices = PoolRules.maxPool2dWithIndices(x, kernelSize, stride, padding, dilation, ceilMode).indices();
    return new Tensor.ValuesIndices(values, indices);
  }

  private static final Row AVG_POOL2D = Row.of(F.class, "avgPool2d", Tensor.class, int[].class, int[].class,
      int[].class, boolean.class, boolean.class);

  /**
   * {@code avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)}; an empty or null
   * {@code stride} is the kernel size.
   */
  @Primitive(rules = PoolRules.class, vjp = "avgPool2dVjp", node = "AvgPool2DBackward0", reads = {0})
  public static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
      boolean countIncludePad) {
    return AVG_POOL2D.record(PoolRules.avgPool2d(x, kernelSize, stride, padding, ceilMode, countIncludePad), x,
        kernelSize, stride, padding, ceilMode, countIncludePad);
  }

  private static final Row AVG_POOL2D_K = Row.of(F.class, "avgPool2d", Tensor.class, int.class);

  /**
   * {@code avg_pool2d(x, kernel_size)}: stride the kernel size, no padding. A row of its own (the same forward
   * and adjoint as the full form), so {@code @Differentiable} code can call it.
   */
  @Primitive(rules = PoolRules.class, vjp = "avgPool2dKernelVjp", node = "AvgPool2DBackward0", reads = {0})
  public static Tensor avgPool2d(Tensor x, int kernelSize) {
    return AVG_POOL2D_K.record(PoolRules.avgPool2d(x, kernelSize), x, kernelSize);
  }

  private static final Row ADAPTIVE_AVG_POOL2D = Row.of(F.class, "adaptiveAvgPool2d", Tensor.class, int[].class);

  /** {@code adaptive_avg_pool2d(x, output_size)} ({@code (oh, ow)}, or one element for both). */
  @Primitive(rules = PoolRules.class, vjp = "adaptiveAvgPool2dVjp", node = "AdaptiveAvgPool2DBackward0",
      nodeOf = "adaptiveAvgPool2dNode", reads = {0})
  public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
    return ADAPTIVE_AVG_POOL2D.record(PoolRules.adaptiveAvgPool2d(x, outputSize), x, outputSize);
  }

  private static final Row BATCH_NORM = Row.of(F.class, "batchNorm", Tensor.class, Tensor.class, Tensor.class,
      Tensor.class, Tensor.class, boolean.class, double.class, double.class);

  /**
   * {@code batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)} over dimension 1 of
   * {@code (N, C, ...)}; in training the running statistics (when not null) are updated in place, with the
   * unbiased variance, as PyTorch. See {@link NormRules#batchNorm}.
   */
  @Primitive(rules = NormRules.class, vjp = "batchNormVjp", node = "NativeBatchNormBackward0", reads = {0, 3})
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
      boolean training, double momentum, double eps) {
    return BATCH_NORM.record(NormRules.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps),
        x, runningMean, runningVar, weight, bias, training, momentum, eps);
  }

  private static final Row LAYER_NORM = Row.of(F.class, "layerNorm", Tensor.class, int[].class, Tensor.class,
      Tensor.class, double.class);

  /** {@code layer_norm(x, normalized_shape, weight, bias, eps)}; {@code weight}/{@code bias} may be null. */
  @Primitive(rules = NormRules.class, vjp = "layerNormVjp", node = "NativeLayerNormBackward0", reads = {0, 2})
  public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    return LAYER_NORM.record(NormRules.layerNorm(x, normalizedShape, weight, bias, eps), x, normalizedShape, weight,
        bias, eps);
  }

  private static final Row GROUP_NORM = Row.of(F.class, "groupNorm", Tensor.class, int.class, Tensor.class,
      Tensor.class, double.class);

  /** {@code group_norm(x, num_groups, weight, bias, eps)} on {@code (N, C, ...)}. */
  @Primitive(rules = NormRules.class, vjp = "groupNormVjp", node = "NativeGroupNormBackward0", reads = {0, 2})
  public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
    return GROUP_NORM.record(NormRules.groupNorm(x, numGroups, weight, bias, eps), x, numGroups, weight, bias, eps);
  }

  private static final Row EMBEDDING = Row.of(F.class, "embedding", Tensor.class, Tensor.class, int.class);

  /**
   * {@code embedding(input, weight, padding_idx)}: the rows of {@code weight} {@code (num, dim)} at the INT64
   * {@code input}, shape {@code input.shape + (dim)}; the row {@code paddingIdx} (negative counts from the
   * end) gets no gradient. {@link NormRules#NO_PADDING} is PyTorch's {@code None}.
   */
  @Primitive(rules = NormRules.class, vjp = "embeddingVjp", node = "EmbeddingBackward0", reads = {0})
  public static Tensor embedding(Tensor input, Tensor weight, int paddingIdx) {
    return EMBEDDING.record(NormRules.embedding(input, weight, paddingIdx), input, weight, paddingIdx);
  }
}
