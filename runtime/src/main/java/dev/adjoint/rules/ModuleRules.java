package dev.adjoint.rules;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.ReLU;

/**
 * The adjoints of the library modules' {@code forward}, for {@code @Differentiable} modules that hold
 * them as fields ({@code @Primitive(receiverInputs = ...)}). Each is the adjoint of the operation the
 * module applies, with the module itself as a first, non-differentiable input; the eager path records
 * the operation's own node ({@code AddmmBackward0}, {@code ReluBackward0}, {@code ReshapeAliasBackward0}).
 */
public final class ModuleRules {
  private ModuleRules() {}

  /**
   * {@link Linear#forward}: the adjoint of {@code F.linear(x, weight, bias)}; {@code bias} may be null. Each
   * gradient is computed when it is first read ({@link Grads#lazy}): generated code for a
   * {@code wrt = "this"} module never reads the data input's, and so never computes that product.
   */
  public static Grads linearForwardVjp(Tensor g, Tensor out, Linear self, Tensor x, Tensor weight, Tensor bias) {
    return Grads.lazy(4, i -> switch (i) {
      case 1 -> LinearRules.linearGrads(g, x, weight, bias, true, false, false).get(0);
      case 2 -> LinearRules.linearGrads(g, x, weight, bias, false, true, false).get(1);
      case 3 -> LinearRules.linearGrads(g, x, weight, bias, false, false, true).get(2);
      default -> null;
    });
  }

  /** {@link ReLU#forward}: ∂x = g where out > 0. */
  public static Grads reluForwardVjp(Tensor g, Tensor out, ReLU self, Tensor x) {
    return Grads.of(null, ElementwiseRules.reluVjp(g, out, x).get(0));
  }

  /** {@link Flatten#forward}: ∂x = g in x's shape. */
  public static Grads flattenForwardVjp(Tensor g, Tensor out, Flatten self, Tensor x) {
    return Grads.of(null, g.reshape(x.shape()));
  }
}
