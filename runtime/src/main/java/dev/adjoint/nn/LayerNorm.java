package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.NormRules;
import java.util.Arrays;

/**
 * Layer normalisation over the last dimensions ({@code torch.nn.LayerNorm}): {@link F#layerNorm} with an
 * elementwise {@code weight} (ones) and {@code bias} (zeros) of {@code normalizedShape} when
 * {@code elementwiseAffine}.
 */
public final class LayerNorm extends Module {
  final int[] normalizedShape;
  final double eps;
  private final Tensor weight;
  private final Tensor bias;

  /** {@code eps = 1e-5}, affine. */
  public LayerNorm(int... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  /** Every option. */
  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
    this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
  }

  private static final Row FORWARD = Row.of(LayerNorm.class, "forward", Tensor.class);

  @Override
  @Primitive(rules = LayerNorm.class, vjp = "forwardVjp", node = "NativeLayerNormBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(NormRules.layerNorm(x, normalizedShape, weight, bias, eps), this, x, weight, bias);
  }

  /** The adjoint of {@link #forward}: {@code layerNorm}'s; the module gets none. */
  public static Grads forwardVjp(Tensor g, Tensor out, LayerNorm self, Tensor x, Tensor weight, Tensor bias) {
    Grads l = NormRules.layerNormVjp(g, out, x, self.normalizedShape, weight, bias, self.eps);
    return Grads.of(null, l.get(0), l.get(2), l.get(3));
  }

  /** The JVP of {@link #forward} ({@link NormRules#layerNormTangent}); null tangents are zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, LayerNorm self, Tensor x,
      Tensor weight, Tensor bias) {
    return NormRules.layerNormTangent(tX, tWeight, tBias, out, x, self.normalizedShape, weight, bias, self.eps);
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
    return Arrays.toString(normalizedShape).replace('[', '(').replace("]", normalizedShape.length == 1 ? ",)" : ")")
        + ", eps=" + eps + ", elementwise_affine=" + (weight != null ? "True" : "False");
  }
}
