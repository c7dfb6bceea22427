package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.fuzz.Ast.And;
import dev.adjoint.processor.fuzz.Ast.Assign;
import dev.adjoint.processor.fuzz.Ast.Binary;
import dev.adjoint.processor.fuzz.Ast.Block;
import dev.adjoint.processor.fuzz.Ast.Cast;
import dev.adjoint.processor.fuzz.Ast.Cmp;
import dev.adjoint.processor.fuzz.Ast.Cond;
import dev.adjoint.processor.fuzz.Ast.Decl;
import dev.adjoint.processor.fuzz.Ast.Expr;
import dev.adjoint.processor.fuzz.Ast.ExprStmt;
import dev.adjoint.processor.fuzz.Ast.For;
import dev.adjoint.processor.fuzz.Ast.HelperCall;
import dev.adjoint.processor.fuzz.Ast.If;
import dev.adjoint.processor.fuzz.Ast.IntLit;
import dev.adjoint.processor.fuzz.Ast.ItemCmp;
import dev.adjoint.processor.fuzz.Ast.Lit;
import dev.adjoint.processor.fuzz.Ast.MathCall;
import dev.adjoint.processor.fuzz.Ast.Method;
import dev.adjoint.processor.fuzz.Ast.MethodCall;
import dev.adjoint.processor.fuzz.Ast.Not;
import dev.adjoint.processor.fuzz.Ast.Or;
import dev.adjoint.processor.fuzz.Ast.Program;
import dev.adjoint.processor.fuzz.Ast.Return;
import dev.adjoint.processor.fuzz.Ast.Stmt;
import dev.adjoint.processor.fuzz.Ast.Ternary;
import dev.adjoint.processor.fuzz.Ast.Type;
import dev.adjoint.processor.fuzz.Ast.Unary;
import dev.adjoint.processor.fuzz.Ast.Var;
import dev.adjoint.processor.fuzz.Ast.While;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One-step reductions of a program: delete a statement, unwrap an {@code if} or a loop to its body,
 * drop an {@code else}, reduce a loop bound, replace an expression by a subexpression of its type or a
 * constant, drop the helper or a parameter. Many are invalid Java; the caller keeps only those that
 * still fail the same way.
 */
final class Shrinker {
  private Shrinker() {}

  /** Smaller variants of p, smallest first, without duplicates. */
  static List<Program> candidates(Program p) {
    List<Program> out = new ArrayList<>();
    for (Block b : block(p.main().body())) {
      out.add(withMain(p, new Method(p.main().name(), p.main().params(), b)));
    }
    if (p.helper() != null) {
      out.add(new Program(p.className(), p.kind(), p.main(), null, p.shapes()));
      if (p.helper().wrt() != null) {
        out.add(new Program(p.className(), p.kind(), p.main(),
            new Method(p.helper().name(), p.helper().params(), p.helper().body()), p.shapes()));
      }
      for (Block b : block(p.helper().body())) {
        out.add(new Program(p.className(), p.kind(), p.main(),
            new Method(p.helper().name(), p.helper().params(), b, p.helper().wrt()), p.shapes()));
      }
    }
    for (int i = 0; i < p.main().params().size() && p.main().params().size() > 1; i++) {
      List<Ast.Param> params = new ArrayList<>(p.main().params());
      params.remove(i);
      out.add(withMain(p, new Method(p.main().name(), params, p.main().body())));
    }
    Map<String, Program> unique = new LinkedHashMap<>();
    String original = Printer.methodsOnly(p);
    for (Program c : out) {
      if (endsWithReturn(p) && !endsWithReturn(c)) {
        continue;
      }
      String text = Printer.methodsOnly(c);
      if (!text.equals(original)) {
        unique.putIfAbsent(text, c);
      }
    }
    List<Program> sorted = new ArrayList<>(unique.values());
    sorted.sort(Comparator.comparingInt(c -> Printer.methodsOnly(c).length()));
    return sorted;
  }

  private static boolean endsWithReturn(Program p) {
    return endsWithReturn(p.main()) && (p.helper() == null || endsWithReturn(p.helper()));
  }

  private static boolean endsWithReturn(Method m) {
    List<Stmt> stmts = m.body().stmts();
    return !stmts.isEmpty() && stmts.get(stmts.size() - 1) instanceof Return;
  }

  private static Program withMain(Program p, Method main) {
    return new Program(p.className(), p.kind(), main, p.helper(), p.shapes());
  }

  private static List<Block> block(Block b) {
    List<Block> out = new ArrayList<>();
    List<Stmt> stmts = b.stmts();
    for (int i = 0; i < stmts.size(); i++) {
      List<Stmt> removed = new ArrayList<>(stmts);
      removed.remove(i);
      out.add(new Block(removed));
      for (List<Stmt> inlined : unwrapped(stmts.get(i))) {
        List<Stmt> spliced = new ArrayList<>(stmts.subList(0, i));
        spliced.addAll(inlined);
        spliced.addAll(stmts.subList(i + 1, stmts.size()));
        out.add(new Block(spliced));
      }
      for (Stmt s : stmt(stmts.get(i))) {
        List<Stmt> replaced = new ArrayList<>(stmts);
        replaced.set(i, s);
        out.add(new Block(replaced));
      }
    }
    return out;
  }

  /** The statement's bodies, to splice in its place. */
  private static List<List<Stmt>> unwrapped(Stmt s) {
    return switch (s) {
      case If i -> i.otherwise() == null ? List.of(i.then().stmts())
          : List.of(i.then().stmts(), i.otherwise().stmts());
      case For f -> List.of(f.body().stmts());
      case While w -> List.of(w.body().stmts());
      case Block b -> List.of(b.stmts());
      case Ast.Switch w -> {
        List<List<Stmt>> bodies = new ArrayList<>();
        w.arms().forEach(a -> bodies.add(a.stmts()));
        if (w.otherwise() != null) {
          bodies.add(w.otherwise().stmts());
        }
        yield bodies;
      }
      default -> List.of();
    };
  }

  private static List<Stmt> stmt(Stmt s) {
    List<Stmt> out = new ArrayList<>();
    switch (s) {
      case Decl d -> {
        if (d.init() != null) {
          // a tensor local must stay a fresh value: an alias of a parameter would change it in place
          expr(d.init()).stream().filter(e -> d.type() != Type.TENSOR || !(e instanceof Var))
              .forEach(e -> out.add(new Decl(d.type(), d.name(), e)));
        }
      }
      case ExprStmt e -> expr(e.expr()).forEach(x -> out.add(new ExprStmt(x)));
      case Return r -> expr(r.value()).forEach(x -> out.add(new Return(x)));
      case If i -> {
        if (i.otherwise() != null) {
          out.add(new If(i.cond(), i.then(), null));
        }
        cond(i.cond()).forEach(c -> out.add(new If(c, i.then(), i.otherwise())));
        block(i.then()).forEach(b -> out.add(new If(i.cond(), b, i.otherwise())));
        if (i.otherwise() != null) {
          block(i.otherwise()).forEach(b -> out.add(new If(i.cond(), i.then(), b)));
        }
      }
      case For f -> {
        if (f.label() != null) {
          out.add(new For(null, f.var(), f.bound(), f.body()));
        }
        if (f.bound() instanceof IntLit k && k.value() > 1) {
          out.add(new For(f.label(), f.var(), new IntLit(k.value() - 1), f.body()));
        } else if (!(f.bound() instanceof IntLit)) {
          out.add(new For(f.label(), f.var(), new IntLit(2), f.body()));
        }
        block(f.body()).forEach(b -> out.add(new For(f.label(), f.var(), f.bound(), b)));
      }
      case While w -> {
        if (w.limit() > 1) {
          out.add(new While(w.label(), w.counter(), w.limit() - 1, w.cond(), w.body(), w.doWhile(), w.guardInBody()));
        }
        if (w.cond() != null) {
          out.add(new While(w.label(), w.counter(), w.limit(), null, w.body(), w.doWhile(), w.guardInBody()));
          cond(w.cond()).forEach(c -> out.add(new While(w.label(), w.counter(), w.limit(), c, w.body(), w.doWhile(), w.guardInBody())));
        }
        if (w.doWhile()) {
          out.add(new While(w.label(), w.counter(), w.limit(), w.cond(), w.body(), false, w.guardInBody()));
        }
        if (w.label() != null) {
          out.add(new While(null, w.counter(), w.limit(), w.cond(), w.body(), w.doWhile(), w.guardInBody()));
        }
        block(w.body()).forEach(b -> out.add(new While(w.label(), w.counter(), w.limit(), w.cond(), b, w.doWhile(), w.guardInBody())));
      }
      case Block b -> out.addAll(block(b));
      case Ast.Switch w -> {
        if (w.otherwise() != null) {
          out.add(new Ast.Switch(w.selector(), w.labels(), w.arms(), null));
        }
        for (int i = 0; i < w.arms().size(); i++) {
          int at = i;
          if (w.arms().size() > 1) {
            List<List<Integer>> labels = new ArrayList<>(w.labels());
            List<Block> arms = new ArrayList<>(w.arms());
            labels.remove(at);
            arms.remove(at);
            out.add(new Ast.Switch(w.selector(), labels, arms, w.otherwise()));
          }
          block(w.arms().get(at)).forEach(b -> {
            List<Block> arms = new ArrayList<>(w.arms());
            arms.set(at, b);
            out.add(new Ast.Switch(w.selector(), w.labels(), arms, w.otherwise()));
          });
        }
        if (w.otherwise() != null) {
          block(w.otherwise()).forEach(b -> out.add(new Ast.Switch(w.selector(), w.labels(), w.arms(), b)));
        }
      }
      default -> {}
    }
    return out;
  }

  private static List<Cond> cond(Cond c) {
    List<Cond> out = new ArrayList<>();
    switch (c) {
      case And a -> {
        out.add(a.left());
        out.add(a.right());
        cond(a.left()).forEach(x -> out.add(new And(x, a.right())));
        cond(a.right()).forEach(x -> out.add(new And(a.left(), x)));
      }
      case Or o -> {
        out.add(o.left());
        out.add(o.right());
        cond(o.left()).forEach(x -> out.add(new Or(x, o.right())));
        cond(o.right()).forEach(x -> out.add(new Or(o.left(), x)));
      }
      case Not n -> {
        out.add(n.operand());
        cond(n.operand()).forEach(x -> out.add(new Not(x)));
      }
      case Cmp x -> {
        expr(x.left()).forEach(e -> out.add(new Cmp(e, x.op(), x.right())));
        expr(x.right()).forEach(e -> out.add(new Cmp(x.left(), x.op(), e)));
      }
      case ItemCmp x -> expr(x.tensor()).forEach(e -> out.add(new ItemCmp(e, x.op(), x.value())));
    }
    return out;
  }

  /** Replacements of e: a child of the same type, a constant, or e with one child replaced. */
  static List<Expr> expr(Expr e) {
    List<Expr> out = new ArrayList<>();
    boolean reduction = e instanceof MethodCall m && (m.name().equals("sum") || m.name().equals("mean"))
        && m.args().isEmpty();
    for (Expr child : children(e)) {
      if (child.type() == e.type() && !reduction) {
        out.add(child);
      }
    }
    if (e.type() == Type.REAL && !(e instanceof Lit)) {
      out.add(new Lit(1.0));
    }
    if (e.type() == Type.INT && !(e instanceof IntLit) && !(e instanceof Var)) {
      out.add(new IntLit(1));
    }
    switch (e) {
      case Unary u -> expr(u.operand()).forEach(x -> out.add(new Unary(u.op(), x)));
      case Binary b -> {
        expr(b.left()).forEach(x -> out.add(new Binary(b.op(), x, b.right())));
        expr(b.right()).forEach(x -> out.add(new Binary(b.op(), b.left(), x)));
      }
      case Cast c -> expr(c.operand()).forEach(x -> out.add(new Cast(x)));
      case MathCall m -> args(m.args()).forEach(a -> out.add(new MathCall(m.function(), a)));
      case HelperCall h -> args(h.args()).forEach(a -> out.add(new HelperCall(h.name(), a, h.type())));
      case MethodCall m -> {
        expr(m.receiver()).forEach(x -> out.add(new MethodCall(x, m.name(), m.args())));
        args(m.args()).forEach(a -> out.add(new MethodCall(m.receiver(), m.name(), a)));
      }
      case Assign a -> {
        out.add(a.value().type() == a.type() ? a.value() : new Lit(1.0));
        if (!a.op().equals("=")) {
          out.add(new Assign(a.target(), "=", a.value(), a.type()));
        }
        expr(a.value()).forEach(x -> out.add(new Assign(a.target(), a.op(), x, a.type())));
      }
      case Ternary t -> {
        cond(t.cond()).forEach(c -> out.add(new Ternary(c, t.ifTrue(), t.ifFalse())));
        expr(t.ifTrue()).forEach(x -> out.add(new Ternary(t.cond(), x, t.ifFalse())));
        expr(t.ifFalse()).forEach(x -> out.add(new Ternary(t.cond(), t.ifTrue(), x)));
      }
      case Ast.New n -> args(n.args()).forEach(a -> out.add(new Ast.New(a, n.element())));
      case Ast.Pieces pc -> expr(pc.tensor()).forEach(x -> out.add(new Ast.Pieces(x, pc.op(), pc.args())));
      case Ast.Template t -> args(t.holes()).forEach(h -> out.add(new Ast.Template(t.pattern(), h, t.shape())));
      default -> {}
    }
    return out;
  }

  private static List<Expr> children(Expr e) {
    return switch (e) {
      case Unary u -> List.of(u.operand());
      case Binary b -> List.of(b.left(), b.right());
      case MathCall m -> m.args();
      case HelperCall h -> h.args();
      case MethodCall m -> concat(List.of(m.receiver()), m.args());
      case Ternary t -> List.of(t.ifTrue(), t.ifFalse());
      default -> List.of();
    };
  }

  private static List<Expr> concat(List<Expr> a, List<Expr> b) {
    List<Expr> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static List<List<Expr>> args(List<Expr> args) {
    List<List<Expr>> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      int at = i;
      Function<Expr, List<Expr>> with = x -> {
        List<Expr> copy = new ArrayList<>(args);
        copy.set(at, x);
        return copy;
      };
      expr(args.get(i)).forEach(x -> out.add(with.apply(x)));
    }
    return out;
  }
}
