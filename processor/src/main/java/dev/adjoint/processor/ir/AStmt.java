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
  record Accumulate(String name, Type type, AExpr value, boolean declare, boolean nullSafe) implements AStmt {
    /** An accumulation whose operands are never null at run time. */
    public Accumulate(String name, Type type, AExpr value, boolean declare) {
      this(name, type, value, declare, false);
    }
  }

  /** {@code name[index] = Adjoints.add(name[index], value)}: the adjoint of an element of a {@code Tensor[]}. */
  record AccumulateElement(String name, AExpr index, AExpr value) implements AStmt {}

  /** {@code name = 0} ({@code null} for tensors): the adjoint of a variable about to be overwritten backwards. */
  record Reset(String name, Type type) implements AStmt {}

  /** {@code name = stack.pop()}: restores the value a forward assignment overwrote. */
  record Restore(String name, Type type, String stack) implements AStmt {}

  /** {@code if (cond) { then } else { otherwise }}, {@code cond} a recorded decision. */
  record Branch(AExpr cond, java.util.List<AStmt> then, java.util.List<AStmt> otherwise, Origin origin)
      implements AStmt {}

  /**
   * A backward loop: {@code for (int counter = from; counter > 0; counter--)} over recorded trips, or, for
   * a counted loop, {@code for (int counter = to - 1; counter >= from; counter--)} ({@code to} when the
   * bound is inclusive).
   */
  record Reverse(String counter, AExpr from, AExpr to, boolean counted, boolean inclusive,
      java.util.List<AStmt> body, Origin origin) implements AStmt {}

  /** {@code if (adjoint != null) { body }}: a tensor adjoint nothing flowed into on this path. */
  record Guard(String adjoint, java.util.List<AStmt> body) implements AStmt {}
}
