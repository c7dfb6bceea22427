package dev.adjoint.processor.ir;

/** A statement of the generated backward pass. */
public sealed interface AStmt {
  /** {@code // ∂ File.java:12: statement}, opening the adjoint block of one user statement. */
  record Comment(Origin origin) implements AStmt {}

  /** {@code Type name = value;}: a holder such as {@code Grads gAdd1} or a callee's gradient record. */
  record Let(Type type, String name, AExpr value) implements AStmt {}

  /**
   * Adds {@code value} into the adjoint {@code name}: declares it when {@code declare}, otherwise
   * {@code name = name.add(value)} for tensors and {@code name += value} for scalars.
   */
  record Accumulate(String name, Type type, AExpr value, boolean declare) implements AStmt {}
}
