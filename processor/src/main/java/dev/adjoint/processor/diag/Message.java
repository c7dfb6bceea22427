package dev.adjoint.processor.diag;

import javax.tools.Diagnostic;

/**
 * Every message the processor prints: {@code [Adjoint/<Tag>] <the rule>. <what to do>.} Tests import
 * this catalogue, so a message is written once.
 */
public enum Message {
  /** A statement outside the supported subset ({@code if}, loops, {@code try} ...). */
  UNSUPPORTED_STATEMENT("UnsupportedStatement", Diagnostic.Kind.ERROR,
      "@Differentiable methods cannot contain %s statements yet. Move the code into a helper that is not"
          + " differentiated, or write it as straight-line code"),
  /** An expression outside the supported subset. */
  UNSUPPORTED_EXPRESSION("UnsupportedExpression", Diagnostic.Kind.ERROR,
      "@Differentiable methods cannot use %s. Compute the value outside the method and pass it in as a"
          + " parameter"),
  /** An operator that has no derivative on these operands. */
  UNSUPPORTED_OPERATOR("UnsupportedOperator", Diagnostic.Kind.ERROR,
      "the operator '%s' is not supported on %s in @Differentiable methods. Use + - * / on double or float,"
          + " or Tensor's add, sub, mul and div"),
  /** A call whose result depends on a differentiable input but which has no derivative rule. */
  NO_DERIVATIVE("NoDerivative", Diagnostic.Kind.ERROR,
      "%s has no derivative rule. Declare one with @Derivative(of = %s.class, method = \"%s\"), or call"
          + " detach() on the argument if no gradient should flow through it"),
  /** An in-place tensor operation that cannot be rewritten to its out-of-place form. */
  UNSUPPORTED_IN_PLACE("UnsupportedInPlace", Diagnostic.Kind.ERROR,
      "the in-place '%s' cannot be differentiated here: %s. Write the out-of-place form, '%s'"),
  /** A call whose Jacobian-vector product (forward mode, {@code fJvp}) cannot be written. */
  NO_JVP("NoJvp", Diagnostic.Kind.ERROR, "%s has no Jacobian-vector product for forward mode: %s. %s"),
  /** A call the subset cannot express at all. */
  UNSUPPORTED_CALL("UnsupportedCall", Diagnostic.Kind.ERROR, "%s cannot be called here: %s. %s"),
  /** A {@code @Differentiable} method of a class compiled elsewhere whose companion is not on the class path. */
  MISSING_DERIVATIVE("MissingDerivative", Diagnostic.Kind.ERROR,
      "%s is @Differentiable, but its class (from %s) was compiled without the Adjoint processor, so its"
          + " derivative %s is not on the class path. Add adjoint-processor to the annotationProcessorPaths of"
          + " the build that compiles %s, or declare a @Derivative rule for %s"),
  /** A companion compiled elsewhere whose derivative metadata does not fit this processor or its class. */
  STALE_METADATA("StaleMetadata", Diagnostic.Kind.ERROR,
      "%s cannot be composed: its derivative %s (from %s) %s. Build %s again with this version of"
          + " adjoint-processor on its annotationProcessorPaths"),
  /** A parameter, local or return type outside the subset. */
  UNSUPPORTED_TYPE("UnsupportedType", Diagnostic.Kind.ERROR,
      "%s has type %s, which @Differentiable methods do not support. Use Tensor, double or float for"
          + " differentiable values and int, long or boolean for the rest"),
  /** A call returning values and indices together ({@code sort}, {@code topk}, {@code maxWithIndices}). */
  VALUES_AND_INDICES("ValuesAndIndices", Diagnostic.Kind.ERROR,
      "%s returns values and indices together (Tensor.ValuesIndices), which @Differentiable methods do not"
          + " support. Write the values as %s"),
  /** A method signature the processor cannot differentiate. */
  UNSUPPORTED_SIGNATURE("UnsupportedSignature", Diagnostic.Kind.ERROR, "@Differentiable method %s %s. %s"),
  /** {@code @Differentiable(wrt = ...)} names no differentiable parameter. */
  UNKNOWN_WRT("UnknownWrt", Diagnostic.Kind.ERROR,
      "wrt names '%s', which is not a differentiable parameter of %s. Use one of: %s"),
  /** Two {@code @Differentiable} methods share a name. */
  OVERLOADED("Overloaded", Diagnostic.Kind.ERROR,
      "@Differentiable method %s is overloaded, so its generated names would clash. Give the overloads"
          + " distinct names"),
  /** The generated companion cannot reach a private member. */
  PRIVATE_MEMBER("PrivateMember", Diagnostic.Kind.ERROR,
      "%s is private, so the generated %s cannot use it. Make it package-private"),
  /** A name the front end cannot resolve. */
  UNRESOLVED("Unresolved", Diagnostic.Kind.ERROR,
      "cannot resolve '%s' in a @Differentiable method. Declare it as a local, parameter or field, or import"
          + " its class"),
  /** A {@code @Differentiable} method that calls itself. */
  RECURSION("Recursion", Diagnostic.Kind.ERROR,
      "@Differentiable method %s calls itself, directly or through other @Differentiable methods."
          + " Recursion needs control flow; compute it iteratively"),
  /** A {@code @Derivative} rule whose signature does not match its target. */
  BAD_DERIVATIVE("BadDerivative", Diagnostic.Kind.ERROR, "@Derivative %s %s. %s"),
  /** A differentiable input that cannot reach the result. */
  ZERO_GRADIENT("ZeroGradient", Diagnostic.Kind.WARNING,
      "%s '%s' does not affect the result, so its gradient is always zero. Leave it out of wrt, or suppress"
          + " this with @SuppressWarnings(\"adjoint:zero-gradient\")"),
  /** A module class that does not hand its generated member list to {@code Module}. */
  MODULE_MEMBERS("ModuleMembers", Diagnostic.Kind.ERROR,
      "%s extends Module and has @Differentiable methods, so its parameters are its fields, listed in the"
          + " generated %s.MEMBERS; this constructor does not pass that list to Module, so parameters() would"
          + " miss them. Start it with super(%s.MEMBERS)"),
  /** The processor failed. */
  INTERNAL_ERROR("InternalError", Diagnostic.Kind.ERROR,
      "the processor failed on %s; please report this with the stack trace below.%n%s"),
  /** Not running inside javac. */
  UNSUPPORTED_COMPILER("UnsupportedCompiler", Diagnostic.Kind.ERROR,
      "Adjoint reads method bodies through javac's Trees API, which this compiler (%s) does not provide."
          + " Compile with javac");

  /** The suppression token for {@link #ZERO_GRADIENT}. */
  public static final String SUPPRESS_ZERO_GRADIENT = "adjoint:zero-gradient";

  private final String tag;
  private final Diagnostic.Kind kind;
  private final String template;

  Message(String tag, Diagnostic.Kind kind, String template) {
    this.tag = tag;
    this.kind = kind;
    this.template = template;
  }

  /** The stable tag, e.g. {@code NoDerivative}. */
  public String tag() {
    return tag;
  }

  /** Error or warning. */
  public Diagnostic.Kind kind() {
    return kind;
  }

  /** The full text with its arguments: {@code [Adjoint/Tag] rule. fix.}. */
  public String format(Object... args) {
    return "[Adjoint/" + tag + "] " + String.format(java.util.Locale.ROOT, template, args) + ".";
  }

  /** The text before the first argument, for tests that match a prefix. */
  public String prefix() {
    int i = template.indexOf('%');
    return "[Adjoint/" + tag + "] " + (i < 0 ? template : template.substring(0, i));
  }
}
