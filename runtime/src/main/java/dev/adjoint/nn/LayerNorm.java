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

  /**
   * Forward over reverse ({@code fHvp}): the part of the tangent of {@link #forwardVjp} that moves with the inputs
   * at fixed {@code g}. Over each normalised slice, with {@code x̂ = (x − μ)·r}, {@code r = 1/√(var + eps)},
   * {@code ĝ = g·w}: ∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ∂w = Σ g·x̂, ∂b = Σ g. Along ẋ: {@code ṙ = −r²·mean(x̂·ẋ)},
   * {@code x̂̇ = r·(ẋ − mean(ẋ) − x̂·mean(x̂·ẋ))}, so ∂x moves by {@code ṙ·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) −
   * r·(x̂̇·mean(ĝ·x̂) + x̂·mean(ĝ·x̂̇))} and ∂w by {@code Σ g·x̂̇}; along ẇ, ĝ moves by {@code g·ẇ}, so ∂x by
   * {@code r·(ġ − mean(ġ) − x̂·mean(ġ·x̂))} with {@code ġ = g·ẇ}; ∂b never. Plain tensor operations (not recorded);
   * {@code null} tangents are zero, a {@code null} result is zero.
   */
  public static Grads forwardVjpJvp(Tensor g, Tensor out, LayerNorm self, Tensor x, Tensor weight, Tensor bias,
      Tensor tOut, Tensor tX, Tensor tWeight, Tensor tBias) {
    if (tX == null && (tWeight == null || weight == null)) {
      return null;
    }
    int d = 1;
    for (int s : self.normalizedShape) {
      d *= s;
    }
    int n = x.numel() / d;
    Tensor x2 = x.reshape(n, d);
    Tensor g2 = g.reshape(n, d);
    Tensor xc = x2.sub(x2.mean(1, true));
    Tensor r = xc.square().mean(1, true).add(self.eps).pow(-0.5);
    Tensor xh = xc.mul(r);
    Tensor gh = weight == null ? g2 : g2.mul(weight.reshape(1, d));
    Tensor dx = null;
    Tensor dw = null;
    if (tX != null) {
      Tensor t2 = tX.reshape(n, d);
      Tensor a = xh.mul(t2).mean(1, true);
      Tensor txh = t2.sub(t2.mean(1, true)).sub(xh.mul(a)).mul(r);
      Tensor m2 = gh.mul(xh).mean(1, true);
      Tensor inner = gh.sub(gh.mean(1, true)).sub(xh.mul(m2));
      Tensor tr = r.mul(r).mul(a).neg();
      dx = inner.mul(tr).sub(txh.mul(m2).add(xh.mul(gh.mul(txh).mean(1, true))).mul(r));
      if (weight != null) {
        dw = g2.mul(txh).sum(0, false).reshape(weight.shape());
      }
    }
    if (tWeight != null && weight != null) {
      Tensor gd = g2.mul(tWeight.reshape(1, d));
      Tensor t = gd.sub(gd.mean(1, true)).sub(xh.mul(gd.mul(xh).mean(1, true))).mul(r);
      dx = dx == null ? t : dx.add(t);
    }
    return Grads.of(null, dx == null ? null : dx.reshape(x.shape()), dw, null);
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
