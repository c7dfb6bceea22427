package dev.adjoint.processor.ir;

import java.util.List;
import java.util.stream.Collectors;

/** Prints IR as pseudo-Java for {@code -Aadjoint.dump} (Tangent's {@code verbose}). */
public final class IrPrinter {
  private IrPrinter() {}

  /** A function: signature and ANF body. */
  public static String print(Function f) {
    String params = f.inputs().stream()
        .map(i -> (i.wrt() ? "wrt " : "") + i.var().type() + " " + i.var().name())
        .collect(Collectors.joining(", "));
    return f.returnType() + " " + f.name() + "(" + params + ") {\n" + printStmts(f.body().stmts()) + "}";
  }

  /** Statements, one per line. */
  public static String printStmts(List<Stmt> stmts) {
    StringBuilder sb = new StringBuilder();
    for (Stmt s : stmts) {
      sb.append("  ").append(switch (s) {
        case Stmt.Assign a -> a.target().type() + " " + a.target().name() + " = " + op(a.op());
        case Stmt.Effect e -> op(e.call());
        case Stmt.Return r -> "return " + r.value();
      }).append(";\n");
    }
    return sb.toString();
  }

  private static String op(Op op) {
    return switch (op) {
      case Op.Arith a -> a.left() + " " + a.op() + " " + a.right();
      case Op.Neg n -> "-" + n.operand();
      case Op.Cast c -> "(" + c.to() + ") " + c.operand();
      case Op.Copy c -> c.operand().toString();
      case Op.Call c -> c.callee().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " "
          + c.callee().owner().substring(c.callee().owner().lastIndexOf('.') + 1) + "." + c.callee().method()
          + c.inputs();
    };
  }

  /** Backward statements, one per line. */
  public static String print(List<AStmt> stmts) {
    StringBuilder sb = new StringBuilder();
    for (AStmt s : stmts) {
      sb.append("  ").append(switch (s) {
        case AStmt.Comment c -> "// ∂ " + c.origin().position() + ": " + c.origin().statement();
        case AStmt.Let l -> l.type() + " " + l.name() + " = " + l.value();
        case AStmt.Accumulate a -> a.name() + (a.declare() ? " := " : " += ") + a.value();
      }).append('\n');
    }
    return sb.toString();
  }
}
