package dev.adjoint.processor.analysis;

import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.AStmt;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Var;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * To-be-recorded analysis: the primal values (and callee pullbacks) the backward reads, in definition
 * order. The forward saves exactly these and nothing else.
 */
public final class ToBeRecorded {
  private ToBeRecorded() {}

  /**
   * The variables {@code backward} reads, and the final adjoints {@code results} (which may alias
   * primal values).
   *
   * @param pullbacks call target → its pullback variable (typed as the callee's pullback record)
   */
  public static List<Var> of(Function f, List<AStmt> backward, java.util.Collection<AExpr> results,
      Map<String, Var> pullbacks) {
    Set<String> read = new HashSet<>();
    for (AExpr e : results) {
      refs(e, read);
    }
    for (AStmt s : backward) {
      switch (s) {
        case AStmt.Comment c -> { }
        case AStmt.Let l -> refs(l.value(), read);
        case AStmt.Accumulate a -> refs(a.value(), read);
      }
    }
    List<Var> saved = new ArrayList<>();
    for (Input in : f.inputs()) {
      if (read.contains(in.var().name())) {
        saved.add(in.var());
      }
    }
    for (Stmt s : f.body().stmts()) {
      if (s instanceof Stmt.Assign a) {
        if (read.contains(a.target().name())) {
          saved.add(a.target());
        }
        Var p = pullbacks.get(a.target().name());
        if (p != null && read.contains(p.name())) {
          saved.add(p);
        }
      }
    }
    return saved;
  }

  /** Adds every variable {@code e} references to {@code out}. */
  public static void refs(AExpr e, Set<String> out) {
    switch (e) {
      case AExpr.Ref r -> out.add(r.name());
      case AExpr.Bin b -> {
        refs(b.left(), out);
        refs(b.right(), out);
      }
      case AExpr.Neg n -> refs(n.operand(), out);
      case AExpr.Cast c -> refs(c.operand(), out);
      case AExpr.StaticCall c -> c.args().forEach(a -> refs(a, out));
      case AExpr.Invoke i -> {
        refs(i.target(), out);
        i.args().forEach(a -> refs(a, out));
      }
      case AExpr.Lit l -> { }
      case AExpr.StaticField sf -> { }
      case AExpr.Zero z -> { }
    }
  }
}
