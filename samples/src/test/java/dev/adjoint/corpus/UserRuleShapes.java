package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Derivative;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.autograd.Grads;

/**
 * User {@code @Derivative} rules whose gradient or tangent does not have its input's shape (an outside user's
 * findings A1 and D1, session 10; the swish rule is theirs, verbatim): a VJP returning the unreduced gradient of
 * a broadcast, which the generated backward sums back as PyTorch's engine does, and rules whose shapes cannot be
 * right, which throw naming the rule. Public, as are the rules: forward mode reaches a rule without a JVP by
 * reflection ({@code Jvps.viaVjp}).
 */
public final class UserRuleShapes {
  private UserRuleShapes() {}

  public static Tensor swish(Tensor x, Tensor beta) {
    return x.mul(x.mul(beta).sigmoid());
  }

  /** The outside user's rule: beta's gradient has x's shape, {@code [2, 3]} for a {@code [3]} beta. */
  @Derivative(of = UserRuleShapes.class, method = "swish")
  public static Grads swishVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
    Tensor s = x.mul(beta).sigmoid();
    Tensor ds = s.mul(s.neg().add(1));
    return Grads.of(g.mul(s.add(x.mul(beta).mul(ds))), g.mul(x.square().mul(ds)));
  }

  @Derivative(of = UserRuleShapes.class, method = "swish", kind = Derivative.Kind.JVP)
  public static Tensor swishJvp(Tensor dx, Tensor dbeta, Tensor out, Tensor x, Tensor beta) {
    Tensor s = x.mul(beta).sigmoid();
    Tensor ds = s.mul(s.neg().add(1));
    return dx.mul(s.add(x.mul(beta).mul(ds))).add(dbeta.mul(x.square().mul(ds)));
  }

  /** The outside user's method. */
  @Differentiable
  public static Tensor useSwish(Tensor x, Tensor b, int n) {
    Tensor h = x;
    for (int i = 0; i < n; i++) {
      h = swish(h, b).add(x);
    }
    return h.square().sum();
  }

  /** The same straight-line: the backward without control flow. */
  @Differentiable
  public static Tensor swishOnce(Tensor x, Tensor b) {
    return swish(x, b).square().sum();
  }

  /** Swish with only the (unreduced) VJP: forward mode goes through the adjoint ({@code Jvps.viaVjp}). */
  public static Tensor swishNoJvp(Tensor x, Tensor beta) {
    return x.mul(x.mul(beta).sigmoid());
  }

  @Derivative(of = UserRuleShapes.class, method = "swishNoJvp")
  public static Grads swishNoJvpVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
    return swishVjp(g, out, x, beta);
  }

  @Differentiable
  public static Tensor useSwishNoJvp(Tensor x, Tensor b) {
    return swishNoJvp(x, b).square().sum();
  }

  /** A per-input rule returning the tensor itself ({@code wrt = 1}), unreduced. */
  public static Tensor scaleRows(Tensor x, Tensor w) {
    return x.mul(w);
  }

  @Derivative(of = UserRuleShapes.class, method = "scaleRows", wrt = 0)
  public static Tensor scaleRowsX(Tensor g, Tensor out, Tensor x, Tensor w) {
    return g.mul(w);
  }

  @Derivative(of = UserRuleShapes.class, method = "scaleRows", wrt = 1)
  public static Tensor scaleRowsW(Tensor g, Tensor out, Tensor x, Tensor w) {
    return g.mul(x);
  }

  @Differentiable
  public static Tensor useScaleRows(Tensor x, Tensor w) {
    return scaleRows(x, w).tanh().sum();
  }

  private static final Tensor SKEW = Tensor.of(Tensor.DType.FLOAT64, new double[][] {{1, 2}, {0, 1}});

  /** {@code A·x} for a non-symmetric {@code A}: the rule's Jacobian is not symmetric. */
  static Tensor skew(Tensor x) {
    return SKEW.matmul(x);
  }

  /** Package-private, as rules often are: forward mode reaches it through the generated class's lookup. */
  @Derivative(of = UserRuleShapes.class, method = "skew")
  static Tensor skewVjp(Tensor g, Tensor out, Tensor x) {
    return SKEW.t().matmul(g);
  }

  /** Forward mode without a user JVP: {@code J·ṫ = A·ṫ}, not the adjoint on the tangent {@code Aᵀ·ṫ}. */
  @Differentiable
  public static Tensor useSkew(Tensor x) {
    return skew(x).square().sum();
  }

  static Tensor twice(Tensor x) {
    return x.mul(2);
  }

  /** A rule that leaves the tensors (its values through {@code double[]}): the engine cannot follow it. */
  @Derivative(of = UserRuleShapes.class, method = "twice")
  static Tensor twiceVjp(Tensor g, Tensor out, Tensor x) {
    double[] d = g.toDoubleArray();
    for (int i = 0; i < d.length; i++) {
      d[i] *= 2;
    }
    return Tensor.wrap(d, g.shape());
  }

  @Differentiable
  public static Tensor useTwice(Tensor x) {
    return twice(x).sin().sum();
  }

  /** A rule whose gradient for beta cannot be summed to beta's shape: {@code [3, 2]} for {@code [3]}. */
  public static Tensor swishBad(Tensor x, Tensor beta) {
    return x.mul(x.mul(beta).sigmoid());
  }

  @Derivative(of = UserRuleShapes.class, method = "swishBad")
  public static Grads swishBadVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
    Grads right = swishVjp(g, out, x, beta);
    return Grads.of(right.get(0), right.get(1).t());
  }

  @Differentiable
  public static Tensor useSwishBad(Tensor x, Tensor b) {
    return swishBad(x, b).square().sum();
  }

  /** A JVP whose tangent is not the result's shape: {@code [3]} (summed over rows) for {@code [2, 3]}. */
  public static Tensor swishBadTangent(Tensor x, Tensor beta) {
    return x.mul(x.mul(beta).sigmoid());
  }

  @Derivative(of = UserRuleShapes.class, method = "swishBadTangent")
  public static Grads swishBadTangentVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
    return swishVjp(g, out, x, beta);
  }

  @Derivative(of = UserRuleShapes.class, method = "swishBadTangent", kind = Derivative.Kind.JVP)
  public static Tensor swishBadTangentJvp(Tensor dx, Tensor dbeta, Tensor out, Tensor x, Tensor beta) {
    return swishJvp(dx, dbeta, out, x, beta).sum(0);
  }

  @Differentiable
  public static Tensor useSwishBadTangent(Tensor x, Tensor b) {
    return swishBadTangent(x, b).square().sum();
  }

  /** The outside user's {@code ZerosLike.a} (finding D1): an accumulator started from {@code zerosLike}. */
  @Differentiable
  public static Tensor zerosLikeAccumulator(Tensor x, int n) {
    Tensor acc = Tensor.zerosLike(x);
    for (int i = 0; i < n; i++) {
      acc = acc.add(x.mul(i).sin());
    }
    return acc.sum();
  }

  /** The outside user's {@code ZerosLike.b}: zeros of the input's dtype. */
  @Differentiable
  public static Tensor zerosOfDtype(Tensor x) {
    Tensor acc = Tensor.zeros(new int[] {3}, x.dtype());
    return acc.add(x).square().sum();
  }

  /** {@code onesLike} and {@code zeros(shape, dtype)} straight-line: forward mode and the generated HVP. */
  @Differentiable
  public static Tensor onesLikeScale(Tensor x, Tensor w) {
    Tensor one = Tensor.onesLike(x);
    Tensor z = Tensor.zeros(x.shape(), x.dtype());
    return one.add(x.mul(w)).add(z).tanh().mul(x).sum();
  }
}
