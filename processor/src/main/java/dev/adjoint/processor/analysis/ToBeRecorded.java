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
    reads(backward, read);
    Set<String> counted = new HashSet<>();
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Loop l) {
        l.counted().ifPresent(c -> counted.add(c.index().name()));
      }
    }
    read.removeAll(counted);
    List<Var> saved = new ArrayList<>();
    for (Input in : f.inputs()) {
      if (read.contains(in.var().name())) {
        saved.add(in.var());
      }
    }
    Set<String> once = new HashSet<>();
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a) {
        if (read.contains(a.target().name()) && once.add(a.target().name())) {
          saved.add(a.target());
        }
        Var p = pullbacks.get(a.target().name());
        if (p != null && read.contains(p.name()) && once.add(p.name())) {
          saved.add(p);
        }
      }
    }
    return saved;
  }

  /** Adds every name the backward statements read to {@code out}, nested blocks included. */
  public static void reads(List<AStmt> backward, Set<String> out) {
    reads(backward, out, true);
  }

  /**
   * The names whose values the backward reads: every name it reads except those passed to adjoints
   * only for their shapes ({@code @Primitive(reads)}). These are the saved tensors whose versions the
   * backward checks.
   */
  public static Set<String> valueReads(List<AStmt> backward) {
    Set<String> out = new HashSet<>();
    reads(backward, out, false);
    return out;
  }

  /**
   * The tensors a generated backward version-checks: those whose values {@code backward} or the final
   * input adjoints read (not those passed for their shapes only).
   */
  public static Set<String> versionChecked(List<AStmt> backward, java.util.Collection<AExpr> inputAdjoints) {
    Set<String> out = valueReads(backward);
    inputAdjoints.forEach(e -> refs(e, out, false));
    return out;
  }

  private static void reads(List<AStmt> backward, Set<String> out, boolean shapes) {
    for (AStmt s : backward) {
      switch (s) {
        case AStmt.Comment c -> { }
        case AStmt.Let l -> refs(l.value(), out, shapes);
        case AStmt.Accumulate a -> refs(a.value(), out, shapes);
        case AStmt.AccumulateElement a -> {
          refs(a.index(), out, shapes);
          refs(a.value(), out, shapes);
        }
        case AStmt.Reset r -> { }
        case AStmt.Restore r -> out.add(r.name());
        case AStmt.Branch b -> {
          refs(b.cond(), out, shapes);
          reads(b.then(), out, shapes);
          reads(b.otherwise(), out, shapes);
        }
        case AStmt.Reverse r -> {
          refs(r.from(), out, shapes);
          refs(r.to(), out, shapes);
          reads(r.body(), out, shapes);
        }
        case AStmt.Guard g -> reads(g.body(), out, shapes);
      }
    }
  }

  /** Adds every variable {@code e} references to {@code out}. */
  public static void refs(AExpr e, Set<String> out) {
    refs(e, out, true);
  }

  private static void refs(AExpr e, Set<String> out, boolean shapes) {
    switch (e) {
      case AExpr.Ref r -> out.add(r.name());
      case AExpr.Bin b -> {
        refs(b.left(), out, shapes);
        refs(b.right(), out, shapes);
      }
      case AExpr.Neg n -> refs(n.operand(), out, shapes);
      case AExpr.Cast c -> refs(c.operand(), out, shapes);
      case AExpr.StaticCall c -> c.args().forEach(a -> refs(a, out, shapes));
      case AExpr.Invoke i -> {
        refs(i.target(), out, shapes);
        i.args().forEach(a -> refs(a, out, shapes));
      }
      case AExpr.ShapeOnly s -> {
        if (shapes) {
          out.add(s.ref().name());
        }
      }
      case AExpr.Lit l -> { }
      case AExpr.StaticField sf -> { }
      case AExpr.Zero z -> { }
    }
  }
}
