package dev.adjoint.processor.ir;

import java.util.List;

/**
 * What a call in a differentiable body resolves to. The front end decides; the reverse transform
 * reads the derivative from here and never looks at javac elements.
 */
public sealed interface Callee {
  /** The qualified name of the class declaring the called method. */
  String owner();

  /** The method's name. */
  String method();

  /** Whether the method is static (otherwise the receiver is the first input). */
  boolean isStatic();

  /**
   * A runtime operation with {@code @Primitive} rule metadata: the adjoint is
   * {@code rules.vjp(g, out, inputs...)} returning {@code Grads}.
   *
   * @param node PyTorch's node name for the operation
   * @param scalar the operation on one element ({@code @Primitive(scalar)}), empty if not elementwise
   * @param receiverInputs for a module's {@code forward} ({@code @Primitive(receiverInputs)}): the
   *     receiver's accessors whose tensors are inputs after the arguments; the call's last
   *     {@code receiverInputs.size()} arguments are their values, which the Java call does not pass
   * @param reads {@code @Primitive(reads)}: the input positions and {@code -1} (result) whose values
   *     the adjoint reads, or {@code -2} for all
   * @param listArity for an operation whose first parameter is a {@code List<Tensor>}
   *     ({@code Tensor.cat(List.of(a, b), dim)}): how many tensors the call's {@code List.of(...)} holds;
   *     they are the call's first arguments, and the adjoint's {@code Grads} has one entry per tensor
   * @param jvp the row's Jacobian-vector product in {@code rules} ({@code @Primitive(jvp)} or the method named
   *     after the adjoint), or empty when it has none (see {@code dev.adjoint.rules.Jvps})
   * @param tangentSlots per input (receiver first), whether its declared type takes a tangent in the JVP
   *     ({@code Tensor}, {@code double}, {@code float})
   */
  record Primitive(String owner, String method, boolean isStatic, String rules, String vjp, String node,
      String scalar, List<String> receiverInputs, int listArity, List<Integer> reads, String jvp,
      List<Boolean> tangentSlots) implements Callee {
    /** The same operation called with a list of {@code n} tensors. */
    public Primitive withListArity(int n) {
      return new Primitive(owner, method, isStatic, rules, vjp, node, scalar, receiverInputs, n, reads, jvp,
          tangentSlots);
    }

    /**
     * Whether the adjoint reads the value of input {@code i} (receiver first), or of the result for
     * {@code -1}; an input it does not read it needs for its shape at most ({@code @Primitive(reads)}).
     */
    public boolean readsValue(int i) {
      return reads.contains(-2) || reads.contains(i);
    }
  }

  /**
   * A method with {@code @Derivative} rules (user rules and {@code Math.*}).
   *
   * @param rules one rule for all inputs ({@code wrt = -1}) or one per input
   * @param jvp the user's JVP ({@code @Derivative(kind = JVP)}), called by {@code fJvp} with the tangents of the
   *     inputs that take one, the result and the inputs; empty when forward mode derives the JVP from the rules
   */
  record WithRule(String owner, String method, boolean isStatic, List<Rule> rules, java.util.Optional<JvpRule> jvp)
      implements Callee {
    /** A method with adjoint rules only. */
    public WithRule(String owner, String method, boolean isStatic, List<Rule> rules) {
      this(owner, method, isStatic, rules, java.util.Optional.empty());
    }
  }

  /**
   * Another {@code @Differentiable} method, composed through its generated pullback.
   *
   * @param companion the qualified name of the callee's generated {@code <Class>Diff}
   * @param capitalized the callee's name with a capital first letter (names the nested records)
   * @param gradientOf for each input (receiver excluded), the gradient record component holding its
   *     gradient, or the empty string when the callee does not differentiate it
   * @param fieldGradients for an instance callee on {@code this}: field name → gradient component
   * @param savesTensors whether the callee's pullback record has {@code saved()} (it has a tracked
   *     forward), whose tensors the caller's version checks include
   * @param noJvp why the callee's companion has no {@code fJvp} (a library built before forward mode), or
   *     empty when it has one
   */
  record Differentiable(
      String owner,
      String method,
      boolean isStatic,
      String companion,
      String capitalized,
      List<String> gradientOf,
      List<FieldGradient> fieldGradients,
      boolean savesTensors,
      java.util.Optional<NoJvp> noJvp)
      implements Callee {}

  /**
   * Why a {@code @Differentiable} callee has no {@code fJvp}: somewhere down its calls is a method whose
   * companion, read from a class file, was generated without forward mode.
   *
   * @param chain the calls from the callee down to that method, each {@code Class.method}
   * @param companion that method's companion's simple name
   * @param location where the companion came from (its jar or class file)
   */
  record NoJvp(List<String> chain, String companion, String location) {
    /** The same cause, reached through one more call, {@code via}. */
    public NoJvp through(String via) {
      List<String> c = new java.util.ArrayList<>(chain.size() + 1);
      c.add(via);
      c.addAll(chain);
      return new NoJvp(List.copyOf(c), companion, location);
    }

    /** The first call in {@code stmts} (nested blocks included) to a callee without {@code fJvp}. */
    public static java.util.Optional<NoJvp> in(List<Stmt> stmts) {
      for (Stmt s : Stmt.flatten(stmts)) {
        if (s instanceof Stmt.Assign a && a.op() instanceof Op.Call c && c.callee() instanceof Differentiable d
            && d.noJvp().isPresent()) {
          return d.noJvp();
        }
      }
      return java.util.Optional.empty();
    }
  }

  /**
   * Any other method: its result must not depend on a differentiable input, unless it is
   * {@code Tensor.detach()}, which stops the gradient by definition.
   *
   * @param stopsGradient whether the result is constant by definition ({@code detach})
   * @param display the method as messages show it, e.g. {@code Math.ulp(double)}
   * @param generic whether it is a generic method returning its type variable ({@code <T> T pick(T a, T b)}): a
   *     pass-through helper, for which no rule can be declared
   */
  record Passive(String owner, String method, boolean isStatic, boolean stopsGradient, String display,
      boolean generic) implements Callee {
    /** A method that is not a generic pass-through. */
    public Passive(String owner, String method, boolean isStatic, boolean stopsGradient, String display) {
      this(owner, method, isStatic, stopsGradient, display, false);
    }
  }

  /**
   * A {@code @Derivative} rule.
   *
   * @param owner the qualified class holding the rule
   * @param method the rule's name
   * @param wrt the input it differentiates, or {@code -1} for all
   * @param returnsGrads whether it returns {@code Grads} (else the gradient itself)
   * @param returns the type of the gradient it returns (when not {@code Grads}): a {@code double} rule
   *     of a {@code float} method gives a {@code double} that the caller narrows
   * @param params the rule's parameters for the inputs (after {@code g} and {@code out}), as declared
   *     ({@code arg0} ... for a rule read from a class file compiled without {@code -parameters}): messages name them
   */
  record Rule(String owner, String method, int wrt, boolean returnsGrads, Type returns, List<String> params) {
    /** {@code Rules.swishVjp}: the rule as messages name it. */
    public String display() {
      return owner.substring(owner.lastIndexOf('.') + 1) + "." + method;
    }

    /** The rule's parameter for input {@code i}, or {@code "input i"} when it has none. */
    public String param(int i) {
      return i < params.size() ? params.get(i) : "input " + i;
    }
  }

  /**
   * A {@code @Derivative(kind = JVP)} rule: {@code method(tangents..., out, inputs...)}.
   *
   * @param owner the qualified class holding the rule
   * @param method the rule's name
   * @param returns the type of the tangent it returns ({@code double} for a {@code float} method is narrowed)
   * @param tangentSlots per input (receiver first), whether its declared type takes a tangent ({@code Tensor},
   *     {@code double}, {@code float})
   * @param tensorSlots per input, whether it is a {@code Tensor} (a zero tangent is passed as zeros of its shape)
   */
  record JvpRule(String owner, String method, Type returns, List<Boolean> tangentSlots, List<Boolean> tensorSlots) {}

  /**
   * A field of the callee's module and its gradient component.
   *
   * @param field the caller's variable bound to the field
   * @param component the gradient record component
   */
  record FieldGradient(String field, String component) {}
}
