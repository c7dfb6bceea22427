package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.NormRules;

/**
 * Group normalisation ({@code torch.nn.GroupNorm}): the channels of each sample in {@code numGroups} groups,
 * each normalised alone, then a per-channel {@code weight} (ones) and {@code bias} (zeros) when {@code affine}.
 */
public final class GroupNorm extends Module {
  final int numGroups;
  private final int numChannels;
  final double eps;
  private final Tensor weight;
  private final Tensor bias;

  /** {@code eps = 1e-5}, affine. */
  public GroupNorm(int numGroups, int numChannels) {
    this(numGroups, numChannels, 1e-5, true);
  }

  /** Every option. */
  public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
    if (numGroups <= 0 || numChannels % numGroups != 0) {
      throw new IllegalArgumentException("GroupNorm: num_channels must be divisible by num_groups, got "
          + numChannels + " and " + numGroups);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.weight = affine ? registerParameter("weight", Tensor.ones(numChannels)) : null;
    this.bias = affine ? registerParameter("bias", Tensor.zeros(numChannels)) : null;
  }

  private static final Row FORWARD = Row.of(GroupNorm.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = GroupNorm.class, vjp = "forwardVjp", node = "NativeGroupNormBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(NormRules.groupNorm(x, numGroups, weight, bias, eps), this, x, weight, bias);
  }

  /** The adjoint of {@link #forward}: {@code groupNorm}'s; the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, GroupNorm self, Tensor x, Tensor weight, Tensor bias) {
    Grads l = NormRules.groupNormVjp(g, out, x, self.numGroups, weight, bias, self.eps);
    return Grads.of(null, l.get(0), l.get(2), l.get(3));
  }

  /** The scale, or null. */
  public Tensor weight() {
    return weight;
  }

  /** The shift, or null. */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected String extraRepr() {
    return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight != null ? "True" : "False");
  }
}
