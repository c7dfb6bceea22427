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
    printStmts(stmts, "  ", sb);
    return sb.toString();
  }

  private static void printStmts(List<Stmt> stmts, String indent, StringBuilder sb) {
    for (Stmt s : stmts) {
      switch (s) {
        case Stmt.If i -> {
          sb.append(indent).append("if (").append(Cond.render(i.cond(), Object::toString)).append(") {\n");
          printStmts(i.then().stmts(), indent + "  ", sb);
          sb.append(indent).append("} else {\n");
          printStmts(i.otherwise().stmts(), indent + "  ", sb);
          sb.append(indent).append("}\n");
        }
        case Stmt.Loop l -> {
          printStmts(l.init().stmts(), indent, sb);
          sb.append(indent).append(l.kind().toString().toLowerCase(java.util.Locale.ROOT))
              .append(l.counted().isPresent() ? " counted" : "").append(" {\n");
          printStmts(l.head().stmts(), indent + "  ", sb);
          sb.append(indent).append("  test ").append(Cond.render(l.cond(), Object::toString)).append(";\n");
          printStmts(l.body().stmts(), indent + "  ", sb);
          printStmts(l.update().stmts(), indent + "  ", sb);
          sb.append(indent).append("}\n");
        }
        default -> sb.append(indent).append(switch (s) {
          case Stmt.Assign a -> a.target().type() + " " + a.target().name() + " = " + op(a.op());
          case Stmt.Effect e -> op(e.call());
          case Stmt.Return r -> "return " + r.value();
          default -> "";
        }).append(";\n");
      }
    }
  }

  private static String op(Op op) {
    return switch (op) {
      case Op.Arith a -> a.left() + " " + a.op() + " " + a.right();
      case Op.Neg n -> "-" + n.operand();
      case Op.Cast c -> "(" + c.to() + ") " + c.operand();
      case Op.Copy c -> c.operand().toString();
      case Op.Element e -> e.array() + "[" + e.index() + "]";
      case Op.Length l -> l.array() + ".length";
      case Op.Test t -> Cond.render(t.cond(), Object::toString);
      case Op.Call c -> c.callee().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " "
          + c.callee().owner().substring(c.callee().owner().lastIndexOf('.') + 1) + "." + c.callee().method()
          + c.inputs();
    };
  }

  /** A backward expression, fully parenthesized. */
  public static String expr(AExpr e) {
    return switch (e) {
      case AExpr.Ref r -> r.name();
      case AExpr.Lit l -> l.source();
      case AExpr.ShapeOnly s -> s.ref().name();
      case AExpr.StaticField f -> f.owner().substring(f.owner().lastIndexOf('.') + 1) + "." + f.name();
      case AExpr.Zero z -> "0";
      case AExpr.Bin b -> "(" + expr(b.left()) + " " + b.op() + " " + expr(b.right()) + ")";
      case AExpr.Neg n -> "-" + expr(n.operand());
      case AExpr.Cast c -> "(" + c.type() + ") " + expr(c.operand());
      case AExpr.StaticCall c -> c.owner().substring(c.owner().lastIndexOf('.') + 1) + "." + c.method()
          + c.args().stream().map(IrPrinter::expr).collect(Collectors.joining(", ", "(", ")"));
      case AExpr.Invoke i -> expr(i.target()) + "." + i.method()
          + i.args().stream().map(IrPrinter::expr).collect(Collectors.joining(", ", "(", ")"));
    };
  }

  /** Backward statements, one per line. */
  public static String print(List<AStmt> stmts) {
    StringBuilder sb = new StringBuilder();
    print(stmts, "  ", sb);
    return sb.toString();
  }

  private static void print(List<AStmt> stmts, String indent, StringBuilder sb) {
    for (AStmt s : stmts) {
      switch (s) {
        case AStmt.Branch b -> {
          sb.append(indent).append("if (").append(expr(b.cond())).append(") {\n");
          print(b.then(), indent + "  ", sb);
          sb.append(indent).append("} else {\n");
          print(b.otherwise(), indent + "  ", sb);
          sb.append(indent).append("}\n");
        }
        case AStmt.Reverse r -> {
          sb.append(indent).append("reverse ").append(r.counter()).append(" from ").append(expr(r.from()))
              .append(r.counted() ? " to " + expr(r.to()) : "").append(" {\n");
          print(r.body(), indent + "  ", sb);
          sb.append(indent).append("}\n");
        }
        case AStmt.Guard g -> {
          sb.append(indent).append("if (").append(g.adjoint()).append(" != null) {\n");
          print(g.body(), indent + "  ", sb);
          sb.append(indent).append("}\n");
        }
        default -> sb.append(indent).append(switch (s) {
          case AStmt.Comment c -> "// ∂ " + c.origin().position() + ": " + c.origin().statement();
          case AStmt.Let l -> l.type() + " " + l.name() + " = " + expr(l.value());
          case AStmt.Accumulate a -> a.name() + (a.declare() ? " := " : " += ") + expr(a.value());
          case AStmt.AccumulateElement a -> a.name() + "[" + expr(a.index()) + "] += " + expr(a.value());
          case AStmt.Reset r -> r.name() + " = 0";
          case AStmt.Restore r -> r.name() + " = " + r.stack() + ".pop()";
          default -> "";
        }).append('\n');
      }
    }
  }
}
