package dev.adjoint.processor.ir;

/**
 * A constant: a literal as the user wrote it ({@code 100}, {@code 1e-2}) or a static final field
 * spelled with its class ({@code Thermometer.T_C}). Constants are never differentiated.
 *
 * @param source the Java source text
 * @param type the constant's type
 * @param owner the qualified class of a static field, or empty for a literal
 */
public record Const(String source, Type type, String owner) implements Operand {
  /** A literal. */
  public static Const literal(String source, Type type) {
    return new Const(source, type, "");
  }

  @Override
  public String toString() {
    return source;
  }
}
