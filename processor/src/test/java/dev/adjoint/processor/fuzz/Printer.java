package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.fuzz.Ast.And;
import dev.adjoint.processor.fuzz.Ast.Assign;
import dev.adjoint.processor.fuzz.Ast.AssertSelf;
import dev.adjoint.processor.fuzz.Ast.Binary;
import dev.adjoint.processor.fuzz.Ast.Block;
import dev.adjoint.processor.fuzz.Ast.Break;
import dev.adjoint.processor.fuzz.Ast.Cast;
import dev.adjoint.processor.fuzz.Ast.Cmp;
import dev.adjoint.processor.fuzz.Ast.Cond;
import dev.adjoint.processor.fuzz.Ast.Continue;
import dev.adjoint.processor.fuzz.Ast.Decl;
import dev.adjoint.processor.fuzz.Ast.Expr;
import dev.adjoint.processor.fuzz.Ast.ExprStmt;
import dev.adjoint.processor.fuzz.Ast.For;
import dev.adjoint.processor.fuzz.Ast.HelperCall;
import dev.adjoint.processor.fuzz.Ast.If;
import dev.adjoint.processor.fuzz.Ast.IntLit;
import dev.adjoint.processor.fuzz.Ast.ItemCmp;
import dev.adjoint.processor.fuzz.Ast.Kind;
import dev.adjoint.processor.fuzz.Ast.Lit;
import dev.adjoint.processor.fuzz.Ast.MathCall;
import dev.adjoint.processor.fuzz.Ast.Method;
import dev.adjoint.processor.fuzz.Ast.MethodCall;
import dev.adjoint.processor.fuzz.Ast.Not;
import dev.adjoint.processor.fuzz.Ast.Or;
import dev.adjoint.processor.fuzz.Ast.Param;
import dev.adjoint.processor.fuzz.Ast.Program;
import dev.adjoint.processor.fuzz.Ast.Return;
import dev.adjoint.processor.fuzz.Ast.Stmt;
import dev.adjoint.processor.fuzz.Ast.Ternary;
import dev.adjoint.processor.fuzz.Ast.ThrowGuard;
import dev.adjoint.processor.fuzz.Ast.Type;
import dev.adjoint.processor.fuzz.Ast.Unary;
import dev.adjoint.processor.fuzz.Ast.Var;
import dev.adjoint.processor.fuzz.Ast.While;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Prints a {@link Program} as one Java class: the {@code @Differentiable} methods as written, and
 * for double and float programs a dual-number copy of each ({@code fDual}) computing the same value
 * with a forward-mode tangent. Expressions print with as few parentheses as Java's precedence needs.
 */
public final class Printer {
  /** The package of generated programs. */
  public static final String PACKAGE = "fuzz";

  private static final Set<String> FLOAT_PRESERVING = Set.of("abs", "max", "min");
  private static final int ASSIGN = 1;
  private static final int TERNARY = 2;
  private static final int OR = 3;
  private static final int AND = 4;
  private static final int RELATIONAL = 9;
  private static final int ADDITIVE = 11;
  private static final int MULTIPLICATIVE = 12;
  private static final int UNARY = 13;
  private static final int PRIMARY = 14;

  private final Kind kind;
  private final boolean dual;
  /** The eager twin of a tensor program: in-place operations written out of place. */
  private boolean eager;
  private final StringBuilder out = new StringBuilder();
  private int indent;

  private Printer(Kind kind, boolean dual) {
    this.kind = kind;
    this.dual = dual;
  }

  /** The program as a compilation unit. */
  public static String source(Program p) {
    StringBuilder sb = new StringBuilder();
    sb.append("package ").append(PACKAGE).append(";\n\n");
    if (p.kind() == Kind.TENSOR) {
      sb.append("import dev.adjoint.Tensor;\n");
    }
    sb.append("import dev.adjoint.annotation.Differentiable;\n");
    if (p.kind() != Kind.TENSOR) {
      sb.append("import dev.adjoint.processor.fuzz.Dual;\n");
    }
    StringBuilder body = new StringBuilder();
    for (Method m : methods(p)) {
      body.append('\n').append(new Printer(p.kind(), false).method(m));
    }
    if (p.kind() != Kind.TENSOR) {
      for (Method m : methods(p)) {
        body.append('\n').append(new Printer(p.kind(), true).method(m));
      }
    } else {
      for (Method m : methods(p)) {
        Printer twin = new Printer(p.kind(), false);
        twin.eager = true;
        body.append('\n').append(twin.method(m));
      }
    }
    if (body.indexOf("F.") >= 0) {
      sb.append("import dev.adjoint.nn.F;\n");
    }
    if (body.indexOf("List<Tensor>") >= 0 || body.indexOf("List.of(") >= 0) {
      sb.append("import java.util.List;\n");
    }
    sb.append("\n/** A generated program. */\npublic final class ").append(p.className()).append(" {\n");
    sb.append("  private ").append(p.className()).append("() {}\n");
    if (body.indexOf("new Pair(") >= 0) {
      // the records the programs build: one of the element type, and its dual-number twin
      sb.append("\n  record Pair(").append(p.kind().javaName).append(" first, ").append(p.kind().javaName)
          .append(" second) {}\n");
      if (p.kind() != Kind.TENSOR) {
        sb.append("\n  record PairDual(Dual first, Dual second) {}\n");
      }
    }
    sb.append(body);
    sb.append("}\n");
    return sb.toString();
  }

  /** Only the {@code @Differentiable} methods, for failure reports. */
  public static String methodsOnly(Program p) {
    StringBuilder sb = new StringBuilder();
    for (Method m : methods(p)) {
      sb.append(new Printer(p.kind(), false).method(m));
    }
    return sb.toString();
  }

  private static List<Method> methods(Program p) {
    return p.helper() == null ? List.of(p.main()) : List.of(p.helper(), p.main());
  }

  private String method(Method m) {
    indent = 1;
    String type = dual ? "Dual" : kind.javaName;
    if (!dual && !eager) {
      line(m.wrt() == null ? "@Differentiable" : "@Differentiable(wrt = \"" + m.wrt() + "\")");
    }
    String params = m.params().stream().map(this::param).collect(Collectors.joining(", "));
    line("public static " + type + " " + m.name() + suffix() + "(" + params + ") {");
    blockBody(m.body());
    line("}");
    return out.toString();
  }

  private String suffix() {
    return dual ? "Dual" : eager ? "Eager" : "";
  }

  private String param(Param p) {
    return typeName(p.type()) + " " + p.name();
  }

  private String typeName(Type t) {
    return switch (t) {
      case INT -> "int";
      case TENSOR -> "Tensor";
      case RECORD -> dual ? "PairDual" : "Pair";
      case LIST -> "List<Tensor>";
      case REAL -> dual ? "Dual" : kind == Kind.TENSOR ? "double" : kind.javaName;
    };
  }

  private void line(String s) {
    out.append("  ".repeat(indent)).append(s).append('\n');
  }

  private void blockBody(Block b) {
    indent++;
    for (Stmt s : b.stmts()) {
      stmt(s);
    }
    indent--;
  }

  private void stmt(Stmt s) {
    switch (s) {
      case Decl d -> line(typeName(d.type()) + " " + d.name()
          + (d.init() == null ? "" : " = " + valueOf(d.init(), d.type(), ASSIGN)) + ";");
      case ExprStmt e -> line(statementExpr(e.expr()) + ";");
      case If i -> ifStmt(i, "if");
      case For f -> {
        line(label(f.label()) + "for (int " + f.var() + " = 0; " + f.var() + " < " + expr(f.bound(), RELATIONAL + 1)
            + "; " + f.var() + "++) {");
        blockBody(f.body());
        line("}");
      }
      case While w -> whileStmt(w);
      case Break b -> line("break" + (b.label() == null ? "" : " " + b.label()) + ";");
      case Continue c -> line("continue" + (c.label() == null ? "" : " " + c.label()) + ";");
      case Return r -> line("return " + valueOf(r.value(), kind == Kind.TENSOR ? Type.TENSOR : Type.REAL, 0) + ";");
      case ThrowGuard t -> line("if (" + t.intVar() + " < 0) throw new IllegalArgumentException(\"" + t.intVar()
          + " \" + " + t.intVar() + ");");
      case AssertSelf a -> line("assert " + a.var() + (dual ? ".v == " + a.var() + ".v;" : " == " + a.var() + ";"));
      case Block b -> {
        line("{");
        blockBody(b);
        line("}");
      }
      case Ast.Switch w -> {
        line("switch (" + expr(w.selector(), 0) + ") {");
        indent++;
        for (int i = 0; i < w.arms().size(); i++) {
          line("case " + w.labels().get(i).stream().map(String::valueOf).collect(Collectors.joining(", ")) + " -> {");
          blockBody(w.arms().get(i));
          line("}");
        }
        if (w.otherwise() != null) {
          line("default -> {");
          blockBody(w.otherwise());
          line("}");
        }
        indent--;
        line("}");
      }
    }
  }

  private static String label(String label) {
    return label == null ? "" : label + ": ";
  }

  private void ifStmt(If i, String keyword) {
    line(keyword + " (" + cond(i.cond(), 0) + ") {");
    blockBody(i.then());
    Block otherwise = i.otherwise();
    while (otherwise != null && otherwise.stmts().size() == 1 && otherwise.stmts().get(0) instanceof If elseIf) {
      line("} else if (" + cond(elseIf.cond(), 0) + ") {");
      blockBody(elseIf.then());
      otherwise = elseIf.otherwise();
    }
    if (otherwise != null) {
      line("} else {");
      blockBody(otherwise);
    }
    line("}");
  }

  private void whileStmt(While w) {
    line("int " + w.counter() + " = 0;");
    String test = w.counter() + " < " + w.limit() + (w.cond() == null ? "" : " && " + cond(w.cond(), AND + 1));
    if (w.doWhile()) {
      line(label(w.label()) + "do {");
    } else if (w.guardInBody() && w.cond() != null) {
      line(label(w.label()) + "while (" + cond(w.cond(), 0) + ") {");
    } else {
      line(label(w.label()) + "while (" + test + ") {");
    }
    indent++;
    line(w.counter() + "++;");
    if (w.guardInBody() && w.cond() != null && !w.doWhile()) {
      line("if (" + w.counter() + " > " + w.limit() + ") {");
      line("  break;");
      line("}");
    }
    indent--;
    blockBody(w.body());
    line(w.doWhile() ? "} while (" + test + ");" : "}");
  }

  /** An expression statement: assignments print without the parentheses of the dual form. */
  private String statementExpr(Expr e) {
    if (e instanceof Assign a) {
      return assignText(a);
    }
    if (eager && e instanceof MethodCall m && m.name().endsWith("_") && m.receiver() instanceof Var v) {
      String outOfPlace = m.name().substring(0, m.name().length() - 1);
      return v.name() + " = " + v.name() + "." + outOfPlace + "(" + args(m.args()) + ")";
    }
    return expr(e, 0);
  }

  private String assignText(Assign a) {
    if (!dual || a.type() != Type.REAL) {
      return a.target() + " " + a.op() + " " + expr(a.value(), ASSIGN);
    }
    if (a.op().equals("=")) {
      return a.target() + " = " + valueOf(a.value(), Type.REAL, ASSIGN);
    }
    String fn = switch (a.op()) {
      case "+=" -> "add";
      case "-=" -> "sub";
      case "*=" -> "mul";
      default -> "div";
    };
    return a.target() + " = Dual." + fn + "(" + a.target() + ", " + valueOf(a.value(), Type.REAL, 0) + ")";
  }

  /** e where a value of type {@code want} is expected (in the dual form an int becomes a constant). */
  private String valueOf(Expr e, Type want, int prec) {
    if (dual && want == Type.REAL && e.type() == Type.INT) {
      return constant(expr(e, 0));
    }
    return expr(e, prec);
  }

  private String constant(String javaValue) {
    return (kind == Kind.FLOAT ? "Dual.kf(" : "Dual.k(") + javaValue + ")";
  }

  private String expr(Expr e, int minPrec) {
    int prec = precedence(e);
    String text = text(e);
    return prec < minPrec ? "(" + text + ")" : text;
  }

  private int precedence(Expr e) {
    boolean dualReal = dual && e.type() == Type.REAL;
    return switch (e) {
      case Lit l -> dualReal ? PRIMARY : l.value() < 0 || isNegativeZero(l.value()) ? UNARY : PRIMARY;
      case IntLit i -> i.value() < 0 ? UNARY : PRIMARY;
      case Var v -> PRIMARY;
      case Unary u -> dualReal && u.op() == '-' ? PRIMARY : dualReal ? precedence(u.operand()) : UNARY;
      case Binary b -> dualReal ? PRIMARY : b.op() == '+' || b.op() == '-' ? ADDITIVE : MULTIPLICATIVE;
      case Cast c -> dualReal ? PRIMARY : UNARY;
      case MathCall m -> dualReal || kind != Kind.FLOAT || FLOAT_PRESERVING.contains(m.function()) ? PRIMARY : UNARY;
      case HelperCall h -> PRIMARY;
      case Assign a -> dualReal ? PRIMARY : ASSIGN;
      case Ternary t -> dualReal ? PRIMARY : TERNARY;
      case MethodCall m -> PRIMARY;
      case Ast.New n -> PRIMARY;
      case Ast.Pieces pc -> PRIMARY;
      case Ast.Template t -> PRIMARY;
    };
  }

  private static boolean isNegativeZero(double v) {
    return Double.doubleToRawLongBits(v) == Long.MIN_VALUE;
  }

  private String text(Expr e) {
    if (dual && e.type() == Type.REAL) {
      return dualText(e);
    }
    return switch (e) {
      case Lit l -> literal(l.value());
      case IntLit i -> Integer.toString(i.value());
      case Var v -> v.name();
      case Unary u -> unaryText(u);
      case Binary b -> {
        int p = precedence(b);
        yield expr(b.left(), p) + " " + b.op() + " " + expr(b.right(), p + 1);
      }
      case Cast c -> "(" + (kind == Kind.FLOAT ? "float" : "double") + ") " + expr(c.operand(), UNARY);
      case MathCall m -> {
        String call = "Math." + m.function() + "(" + args(m.args()) + ")";
        yield precedence(m) == UNARY ? "(float) " + call : call;
      }
      case HelperCall h -> h.name() + suffix() + "(" + args(h.args()) + ")";
      case Assign a -> assignText(a);
      case Ternary t -> cond(t.cond(), OR) + " ? " + expr(t.ifTrue(), OR) + " : " + expr(t.ifFalse(), TERNARY);
      case MethodCall m -> expr(m.receiver(), PRIMARY) + "." + m.name() + "(" + args(m.args()) + ")";
      case Ast.New n -> "new " + (dual ? "PairDual" : "Pair") + "(" + n.args().stream()
          .map(a -> valueOf(a, n.element(), 0)).collect(Collectors.joining(", ")) + ")";
      case Ast.Pieces pc -> expr(pc.tensor(), PRIMARY) + "." + pc.op() + "(" + args(pc.args()) + ")";
      case Ast.Template t -> {
        String text = t.pattern();
        for (int i = t.holes().size() - 1; i >= 0; i--) {
          text = text.replace("$" + i, expr(t.holes().get(i), PRIMARY));
        }
        yield text;
      }
    };
  }

  private String unaryText(Unary u) {
    String operand = expr(u.operand(), UNARY);
    if (u.operand() instanceof Lit l && (l.value() < 0 || isNegativeZero(l.value()))) {
      operand = "(" + operand + ")";
    } else if (operand.startsWith("-") || operand.startsWith("+")) {
      operand = " " + operand;
    }
    return u.op() + operand;
  }

  private String literal(double v) {
    if (kind == Kind.FLOAT) {
      return (float) v + "f";
    }
    return Double.toString(v);
  }

  private String args(List<Expr> args) {
    return args.stream().map(a -> expr(a, 0)).collect(Collectors.joining(", "));
  }

  /** A real expression in the dual form: a {@link Dual}-valued call. */
  private String dualText(Expr e) {
    return switch (e) {
      case Lit l -> constant(literal(l.value()));
      case Var v -> v.name();
      case Unary u -> u.op() == '-' ? "Dual.neg(" + valueOf(u.operand(), Type.REAL, 0) + ")"
          : expr(u.operand(), 0);
      case Binary b -> "Dual." + switch (b.op()) {
        case '+' -> "add";
        case '-' -> "sub";
        case '*' -> "mul";
        default -> "div";
      } + "(" + valueOf(b.left(), Type.REAL, 0) + ", " + valueOf(b.right(), Type.REAL, 0) + ")";
      case Cast c -> constant(expr(c.operand(), 0));
      case MathCall m -> m.function().equals("pow")
          ? "Dual.pow(" + valueOf(m.args().get(0), Type.REAL, 0) + ", " + expr(m.args().get(1), 0) + ")"
          : "Dual." + m.function() + "(" + m.args().stream().map(a -> valueOf(a, Type.REAL, 0))
              .collect(Collectors.joining(", ")) + ")";
      case HelperCall h -> h.name() + "Dual(" + h.args().stream().map(a -> valueOf(a, a.type(), 0))
          .collect(Collectors.joining(", ")) + ")";
      case Assign a -> "(" + assignText(a) + ")";
      case Ternary t -> "(" + cond(t.cond(), OR) + " ? " + valueOf(t.ifTrue(), Type.REAL, OR) + " : "
          + valueOf(t.ifFalse(), Type.REAL, TERNARY) + ")";
      default -> throw new IllegalArgumentException("not a real expression: " + e);
    };
  }

  private String cond(Cond c, int minPrec) {
    int prec = switch (c) {
      case Cmp x -> RELATIONAL;
      case ItemCmp x -> RELATIONAL;
      case And x -> AND;
      case Or x -> OR;
      case Not x -> UNARY;
    };
    String text = switch (c) {
      case Cmp x -> operand(x.left()) + " " + x.op() + " " + operand(x.right());
      case ItemCmp x -> expr(x.tensor(), PRIMARY) + ".sum().item() " + x.op() + " " + x.value();
      case And x -> cond(x.left(), AND) + " && " + cond(x.right(), AND + 1);
      case Or x -> cond(x.left(), OR) + " || " + cond(x.right(), OR + 1);
      case Not x -> "!" + cond(x.operand(), UNARY);
    };
    return prec < minPrec ? "(" + text + ")" : text;
  }

  /** An operand of a comparison: the value of a dual. */
  private String operand(Expr e) {
    if (dual && e.type() == Type.REAL) {
      return expr(e, PRIMARY) + ".v";
    }
    return expr(e, RELATIONAL + 1);
  }
}
