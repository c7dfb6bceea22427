package dev.adjoint.nn;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.NormRules;

/**
 * Batch normalisation over the channels of {@code (N, C, H, W)} ({@code torch.nn.BatchNorm2d}): in training
 * mode the batch's mean and biased variance normalise, and the running statistics move towards the batch's
 * (mean, unbiased variance) by {@code momentum}; in evaluation mode the running statistics normalise.
 * With {@code affine}, the learnable {@code weight} (ones) and {@code bias} (zeros) follow. The running
 * statistics are the buffers {@code running_mean} and {@code running_var} ({@link #runningMean()},
 * {@link #runningVar()}): saved and loaded with the state dict, not parameters, as is PyTorch's
 * {@code num_batches_tracked} ({@link #numBatchesTracked()}, a 0-d INT64 count of the training batches), so that
 * a PyTorch state dict loads strictly; a state dict without it loads too, resetting it to 0, as in PyTorch. A
 * {@code null} momentum is PyTorch's {@code momentum=None}: the running statistics are then the cumulative
 * average of the batches' ({@code 1 / num_batches_tracked} of the way each time).
 */
public final class BatchNorm2d extends Module {
  private final int numFeatures;
  final double eps;
  /** The running statistics' factor, or null for the cumulative average. */
  private final Double momentum;
  private final Tensor weight;
  private final Tensor bias;
  final Tensor runningMean;
  final Tensor runningVar;
  final Tensor numBatchesTracked;

  /** {@code eps = 1e-5}, {@code momentum = 0.1}, affine. */
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true);
  }

  /** Every option. */
  public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine) {
    this(numFeatures, eps, Double.valueOf(momentum), affine);
  }

  /**
   * Every option, with PyTorch's {@code momentum=None} ({@code null}): the running statistics are the cumulative
   * average of every training batch's statistics.
   */
  public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine) {
    if (numFeatures <= 0) {
      throw new IllegalArgumentException("BatchNorm2d: num_features must be positive, got " + numFeatures);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
    this.bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
    this.runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
    this.runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
    this.numBatchesTracked = registerBuffer(BatchNorms.NUM_BATCHES_TRACKED, BatchNorms.zeroCount());
  }

  final BatchNormForwards forwards = new BatchNormForwards();

  private static final Row FORWARD = Row.of(BatchNorm2d.class, "forward", Tensor.class);

  /** {@code batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)}. */
  @Override
  @Primitive(rules = BatchNorm2d.class, vjp = "forwardVjp", node = "NativeBatchNormBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    if (x.dim() != DIMS) {
      throw new IllegalArgumentException("BatchNorm2d: expected " + DIMS + "D input (got " + x.dim()
          + "D input of shape " + Shapes.str(x.shape()) + ")");
    }
    boolean training = isTraining();
    double factor = training ? BatchNorms.track(numBatchesTracked, momentum) : 0; // eval reads no factor
    Tensor out = forwards.remember(
        NormRules.batchNorm(x, runningMean, runningVar, weight, bias, training, factor, eps), training,
        runningMean, runningVar);
    return FORWARD.record(out, this, x, weight, bias);
  }

  private static final int DIMS = 4;

  /**
   * The adjoint of {@link #forward}: {@code batchNorm}'s, in the mode (and, in eval mode, with the running
   * statistics) that the forward which made {@code out} used ({@link BatchNormForwards}).
   */
  public static Grads forwardVjp(Tensor g, Tensor out, BatchNorm2d self, Tensor x, Tensor weight, Tensor bias) {
    BatchNormForwards.Used used = self.forwards.of(out, self.isTraining(), self.runningMean, self.runningVar);
    Grads b = NormRules.batchNormVjp(g, out, x, used.runningMean(), used.runningVar(), weight, bias, used.training(),
        0, self.eps); // the gradient does not depend on the running statistics' factor
    return Grads.of(null, b.get(0), b.get(3), b.get(4));
  }

  /**
   * The JVP of {@link #forward} in the mode (and with the running statistics) of the forward that made
   * {@code out}, as the adjoint ({@link NormRules#batchNormTangent}); null tangents are zero.
   */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, BatchNorm2d self, Tensor x,
      Tensor weight, Tensor bias) {
    BatchNormForwards.Used used = self.forwards.of(out, self.isTraining(), self.runningMean, self.runningVar);
    return NormRules.batchNormTangent(tX, tWeight, tBias, out, x, used.runningMean(), used.runningVar(), weight, bias,
        used.training(), self.eps);
  }

  /** The scale, {@code (C)}, or null without affine. */
  public Tensor weight() {
    return weight;
  }

  /** The shift, {@code (C)}, or null without affine. */
  public Tensor bias() {
    return bias;
  }

  /** The running mean, {@code (C)}, updated in place in training mode. */
  public Tensor runningMean() {
    return runningMean;
  }

  /** The running (unbiased) variance, {@code (C)}, updated in place in training mode. */
  public Tensor runningVar() {
    return runningVar;
  }

  /** PyTorch's {@code num_batches_tracked}: the training forwards so far, a 0-d INT64 tensor. */
  public Tensor numBatchesTracked() {
    return numBatchesTracked;
  }

  /** A state dict without {@code num_batches_tracked} loads, resetting it to 0 (as PyTorch's batch norm does). */
  @Override
  java.util.Map<String, Tensor> optionalBuffers() {
    return java.util.Map.of(BatchNorms.NUM_BATCHES_TRACKED, BatchNorms.zeroCount());
  }

  @Override
  protected String extraRepr() {
    return numFeatures + ", eps=" + eps + ", momentum=" + BatchNorms.repr(momentum) + ", affine=" + (weight != null ? "True" : "False")
        + ", track_running_stats=True";
  }
}
