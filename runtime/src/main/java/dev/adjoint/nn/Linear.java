package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.LinearRules;
import java.util.Locale;

/**
 * A fully connected layer, {@code y = x·Wᵀ + b} ({@code torch.nn.Linear}), computed by the fused
 * {@link F#linear} primitive. At inference the layer reads its weight through a
 * {@link LinearRules.WeightCache}: packed for the GEMM once, reused while the weight's version is
 * unchanged. Parameters: {@code weight} {@code (out, in)} and {@code bias} {@code (out)}.
 *
 * <p>Initialisation is PyTorch's: {@code kaiming_uniform_(weight, a=√5)}, which is the uniform
 * distribution on {@code [-1/√in, 1/√in)}, and the bias uniform on the same interval. The numbers come
 * from an Adjoint {@link Generator}, so they differ from PyTorch's for the same seed; to start from
 * PyTorch's exact weights, {@linkplain Module#load load} a state file.
 */
public final class Linear extends Module {
  private final int inFeatures;
  private final int outFeatures;
  private final Tensor weight;
  private final Tensor bias;
  private final LinearRules.WeightCache packedWeight = new LinearRules.WeightCache();

  /** A layer with bias, initialised from the default generator. */
  public Linear(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true, Generator.defaultGenerator());
  }

  /** A layer initialised from {@code gen}, with or without bias. */
  public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
    this(inFeatures, outFeatures, bias, gen, Tensor.DType.FLOAT32);
  }

  /**
   * A layer whose parameters have {@code dtype} ({@code nn.Linear(..., dtype=torch.float64)}): the same
   * initial values as the float32 layer from the same generator, converted (exactly, to FLOAT64).
   */
  public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen, Tensor.DType dtype) {
    if (inFeatures <= 0 || outFeatures <= 0) {
      throw new IllegalArgumentException("Linear: in_features and out_features must be positive, got "
          + inFeatures + " and " + outFeatures);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    float bound = (float) (1.0 / Math.sqrt(inFeatures));
    Tensor w = uniform(gen, bound, outFeatures, inFeatures);
    Tensor b = bias ? uniform(gen, bound, outFeatures) : null;
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("Linear: parameters must be floating point, not " + dtype);
    }
    this.weight = registerParameter("weight", dtype == Tensor.DType.FLOAT64 ? w.toDouble() : w);
    this.bias = b == null ? null : registerParameter("bias", dtype == Tensor.DType.FLOAT64 ? b.toDouble() : b);
  }

  private static Tensor uniform(Generator gen, float bound, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.storage();
    for (int i = 0; i < d.length; i++) {
      d[i] = (2f * gen.nextFloat() - 1f) * bound;
    }
    return t;
  }

  static {
    DoubleFormulas.registerLinear();
  }

  private static final Row FORWARD = Row.of(Linear.class, "forward", Tensor.class);

  /** {@code x·Wᵀ + b}: {@code F.linear}'s rule, reading the weight through its packed copy while unchanged. */
  @Override
  @Primitive(rules = Linear.class, vjp = "forwardVjp", node = "AddmmBackward0",
      receiverInputs = {"weight", "bias"}, reads = {1, 2})
  public Tensor forward(Tensor x) {
    return FORWARD.record(LinearRules.linear(x, weight, bias, packedWeight), this, x, weight, bias);
  }

  /**
   * The adjoint of {@link #forward}: {@code F.linear}'s ({@link LinearRules#linearVjp}) with the module as
   * a first, non-differentiable input; {@code bias} may be null. Each gradient is computed when it is first
   * read ({@link Grads#lazy}): the eager engine reads only those of inputs that require grad, and generated
   * code for a {@code wrt = "this"} module never reads the data input's.
   */
  public static Grads forwardVjp(Tensor g, Tensor out, Linear self, Tensor x, Tensor weight, Tensor bias) {
    Grads linear = LinearRules.linearVjp(g, out, x, weight, bias);
    return Grads.lazy(4, i -> i == 0 ? null : linear.get(i - 1));
  }

  /**
   * Forward over reverse ({@code fHvp}): the part of the tangent of {@link #forwardVjp} that moves with the inputs
   * at fixed {@code g}. The adjoint is bilinear (∂x = g·W, ∂W = gᵀ·x, ∂b = Σ g), so ∂x moves by {@code g·Ẇ}, ∂W by
   * {@code gᵀ·ẋ} and ∂b not at all; {@code null} tangents are zero, a {@code null} result is zero.
   */
  public static Grads forwardVjpJvp(Tensor g, Tensor out, Linear self, Tensor x, Tensor weight, Tensor bias,
      Tensor tOut, Tensor tX, Tensor tWeight, Tensor tBias) {
    if (tX == null && tWeight == null) {
      return null;
    }
    Tensor dx = tWeight == null ? null : LinearRules.linearVjp(g, out, x, tWeight, bias).get(0);
    Tensor dw = tX == null ? null : LinearRules.linearVjp(g, out, tX, weight, bias).get(1);
    return Grads.of(null, dx, dw, null);
  }

  /** The JVP of {@link #forward}: {@code ẋ·Wᵀ + x·Ẇᵀ + ḃ} ({@link LinearRules#linearJvp}); null tangents are zero. */
  public static Tensor forwardJvp(Tensor tX, Tensor tWeight, Tensor tBias, Tensor out, Linear self, Tensor x,
      Tensor weight, Tensor bias) {
    return LinearRules.linearJvp(tX, tWeight, tBias, out, x, weight, bias);
  }

  /**
   * {@code relu(forward(x))} in one pass, used by {@link Sequential} for a Linear followed by a ReLU when
   * nothing is recorded (no-grad); see {@link LinearRules#linearRelu}.
   */
  Tensor forwardRelu(Tensor x) {
    return LinearRules.linearRelu(x, weight, bias, packedWeight);
  }

  /** The weight, {@code (out, in)}. */
  public Tensor weight() {
    return weight;
  }

  /** The bias, {@code (out)}, or {@code null} for a layer without bias. */
  public Tensor bias() {
    return bias;
  }

  /** The size of each input sample. */
  public int inFeatures() {
    return inFeatures;
  }

  /** The size of each output sample. */
  public int outFeatures() {
    return outFeatures;
  }

  @Override
  protected String extraRepr() {
    return String.format(Locale.ROOT, "in_features=%d, out_features=%d, bias=%b", inFeatures, outFeatures,
        bias != null);
  }
}
