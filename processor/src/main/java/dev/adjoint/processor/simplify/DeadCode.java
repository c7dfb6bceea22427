package dev.adjoint.processor.simplify;

import dev.adjoint.processor.analysis.Activity;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Stage 5a (simplify): removes forward assignments whose values nothing needs. The plain gradient
 * method does not compute the result, the pullback computes only the result and what the backward
 * reads; calls whose result is discarded (effects) always stay. The backward needs no pass of its
 * own: the reverse transform never emits a zero adjoint or an unread store (see
 * {@code reverse.ReverseTransform}).
 */
public final class DeadCode {
  private DeadCode() {}

  /**
   * The statements of {@code stmts} needed to compute {@code live} (and the result, if
   * {@code keepReturn}).
   */
  public static List<Stmt> prune(List<Stmt> stmts, Set<String> live, boolean keepReturn) {
    if (Stmt.hasControlFlow(stmts)) {
      // with control flow the forward keeps every statement: records depend on the whole sweep
      return keepReturn ? stmts : stmts.stream().filter(s -> !(s instanceof Stmt.Return)).toList();
    }
    Set<String> needed = new HashSet<>(live);
    List<Stmt> kept = new ArrayList<>();
    for (int i = stmts.size() - 1; i >= 0; i--) {
      Stmt s = stmts.get(i);
      switch (s) {
        case Stmt.Return r -> {
          if (keepReturn) {
            kept.add(r);
            mark(List.of(r.value()), needed);
          }
        }
        case Stmt.Effect e -> {
          kept.add(e);
          mark(e.call().inputs(), needed);
        }
        case Stmt.Assign a -> {
          if (needed.contains(a.target().name())) {
            kept.add(a);
            mark(Activity.dataInputs(a.op()), needed);
          }
        }
        case Stmt.If x -> kept.add(x);
        case Stmt.Loop l -> kept.add(l);
      }
    }
    Collections.reverse(kept);
    return kept;
  }

  private static void mark(List<Operand> operands, Set<String> needed) {
    for (Operand o : operands) {
      if (o instanceof Var v) {
        needed.add(v.name());
      }
    }
  }
}
