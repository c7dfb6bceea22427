package dev.adjoint.processor.meta;

import java.util.List;

/**
 * The derivative metadata of one companion {@code <Class>Diff}, as written into its class file
 * ({@code @AdjointGenerated}): everything a caller in another compilation needs, and nothing it can read
 * from the source class's own class file.
 *
 * @param from the source class's canonical name
 * @param version the format ({@link #FORMAT} when written by this processor)
 * @param methods the differentiated methods, in declaration order
 * @param rules the {@code @Derivative} rules declared in the source class
 */
public record DerivativeMetadata(String from, int version, List<Method> methods, List<Rule> rules) {
  /**
   * The format this processor writes and the only one it reads. Raise it whenever a caller would read
   * the metadata differently, so that a library built by another processor version is refused with a
   * message instead of composing wrongly.
   */
  public static final int FORMAT = 1;

  /**
   * One {@code @Differentiable} method, as its callers see it.
   *
   * @param name the method's name
   * @param parameters its parameter types, erased and comma-separated ({@link MetadataReader#parameters})
   * @param isStatic whether it is static
   * @param gradients per parameter, the gradient component holding its gradient, or {@code ""}
   * @param fields the object's fields it differentiates, by path relative to the object
   * @param tracked whether its pullback has {@code saved()} (a tensor result and a differentiated tensor)
   * @param saved what its pullback saves, {@code name: type}
   * @param jvp the forward-mode form generated for it: {@link #JVP} when its companion has
   *     {@code <name>Jvp}, {@code "none"} when not: written for a method calling a library built before
   *     forward mode, and read from metadata of a processor before forward mode (which left the default)
   */
  public record Method(String name, String parameters, boolean isStatic, List<String> gradients,
      List<Field> fields, boolean tracked, List<String> saved, String jvp) {
    /** The same method with what its pullback saves. */
    public Method withSaved(List<String> s) {
      return new Method(name, parameters, isStatic, gradients, fields, tracked, List.copyOf(s), jvp);
    }

    /** The same method with forward mode {@code j} ({@link #JVP} or {@code "none"}). */
    public Method withJvp(String j) {
      return new Method(name, parameters, isStatic, gradients, fields, tracked, saved, j);
    }

    /** Whether its companion has {@code <name>Jvp}, which a caller's {@code fJvp} composes through. */
    public boolean hasJvp() {
      return JVP.equals(jvp);
    }
  }

  /**
   * {@link Method#jvp()} of a method whose companion has the forward-mode form {@code <name>Jvp} (and a
   * {@code <Name>Jvp} record). Format 1 already had the member, defaulting to {@code "none"}, so metadata
   * written before forward mode reads as "no {@code fJvp}" and the format did not change.
   */
  public static final String JVP = "fJvp";

  /**
   * A differentiated field of the object.
   *
   * @param path the path from the object: {@code scale}, {@code fc1.weight()}, {@code w()}
   * @param component the gradient record component holding its gradient
   */
  public record Field(String path, String component) {}

  /**
   * A {@code @Derivative} rule.
   *
   * @param of the qualified name of the class whose method it differentiates
   * @param method that method's name
   * @param rule the rule method's name
   * @param wrt the input it differentiates, or {@code -1} for all
   * @param kind {@code "VJP"} (an adjoint) or {@code "JVP"} ({@code @Derivative(kind = JVP)})
   */
  public record Rule(String of, String method, String rule, int wrt, String kind) {
    /** Whether the rule is a JVP. */
    public boolean isJvp() {
      return "JVP".equals(kind);
    }
  }
}
