package dev.adjoint.processor.ir;

/**
 * A variable, assigned once (the front end renames a reassigned user variable: {@code x}, {@code x2}).
 *
 * @param name the Java name used in generated code, derived from the user's name or the operation
 * @param type the variable's type
 */
public record Var(String name, Type type) implements Operand {
  @Override
  public String toString() {
    return name;
  }
}
