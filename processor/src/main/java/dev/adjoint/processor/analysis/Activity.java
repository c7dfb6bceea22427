package dev.adjoint.processor.analysis;

import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.Site;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.diag.ValidationReport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Activity analysis: a value is <em>varied</em> if it depends on a differentiable input, <em>useful</em>
 * if the result depends on it, and <em>active</em> if both; only active values get adjoint code. Also
 * reports a call without a derivative rule whose result is active ({@code [Adjoint/NoDerivative]},
 * never a silent zero) and a differentiable input that cannot reach the result
 * ({@code [Adjoint/ZeroGradient]}, a suppressible warning).
 *
 * @param varied the varied variables
 * @param useful the useful variables
 */
public record Activity(Set<String> varied, Set<String> useful) {

  /** Whether {@code v} needs an adjoint. */
  public boolean active(Operand v) {
    return v instanceof Var var && varied.contains(var.name()) && useful.contains(var.name());
  }

  /**
   * The values an operation reads that gradients flow to: its operands, plus the module fields a
   * {@code @Differentiable} method called on {@code this} reads.
   */
  public static List<Operand> dataInputs(Op op) {
    if (op instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d && !d.fieldGradients().isEmpty()) {
      var all = new java.util.ArrayList<Operand>(op.inputs());
      for (Callee.FieldGradient fg : d.fieldGradients()) {
        all.add(new Var(fg.field(), dev.adjoint.processor.ir.Type.TENSOR));
      }
      return all;
    }
    return op.inputs();
  }

  /** Analyses {@code f}; problems go to {@code report}. */
  public static Activity of(Function f, ValidationReport report, boolean zeroGradientSuppressed) {
    Set<String> varied = new HashSet<>();
    Map<String, String> root = new HashMap<>();
    for (Input in : f.inputs()) {
      if (in.wrt()) {
        varied.add(in.var().name());
        root.put(in.var().name(), (in.kind() == Input.Kind.FIELD ? "field '" : "parameter '") + in.name() + "'");
      }
    }
    // control flow: statements of nested blocks in source order; loops iterate to a fixed point
    List<Stmt> stmts = Stmt.flatten(f.body().stmts());
    boolean loops = Stmt.hasControlFlow(f.body().stmts());
    int before;
    do {
      before = varied.size();
      for (Stmt s : stmts) {
        if (s instanceof Stmt.Assign a && a.target().type().differentiable()) {
          if (a.op() instanceof Op.Call c && c.callee() instanceof Callee.Passive p && p.stopsGradient()) {
            continue;
          }
          for (Operand in : dataInputs(a.op())) {
            if (in instanceof Var v && varied.contains(v.name())) {
              varied.add(a.target().name());
              root.putIfAbsent(a.target().name(), root.get(v.name()));
              break;
            }
          }
        }
      }
    } while (loops && varied.size() != before);
    Set<String> useful = new HashSet<>();
    Set<Stmt> reported = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    do {
    before = useful.size();
    for (int i = stmts.size() - 1; i >= 0; i--) {
      Stmt s = stmts.get(i);
      if (s instanceof Stmt.Return r && r.value() instanceof Var v) {
        useful.add(v.name());
      } else if (s instanceof Stmt.Assign a && useful.contains(a.target().name())) {
        if (a.op() instanceof Op.Call c && c.callee() instanceof Callee.Passive p) {
          if (p.stopsGradient() || !varied.contains(a.target().name())) {
            continue;
          }
          String trace = null;
          for (Operand in : dataInputs(a.op())) {
            if (in instanceof Var v && varied.contains(v.name())) {
              trace = String.format("%n    '%s' depends on %s", v.name(), root.get(v.name()));
              break;
            }
          }
          if (trace == null || !reported.add(a)) {
            // no operand depends on an input: a constant (Tensor.zeros(3) starting an accumulator)
            continue;
          }
          report.addWithTrace(Message.NO_DERIVATIVE, (Site) a.origin().site(), trace, p.display(),
              p.owner().substring(p.owner().lastIndexOf('.') + 1), p.method());
          continue;
        }
        for (Operand in : dataInputs(a.op())) {
          if (in instanceof Var v) {
            useful.add(v.name());
          }
        }
      }
    }
    } while (loops && useful.size() != before);
    if (!zeroGradientSuppressed) {
      for (Input in : f.inputs()) {
        if (in.wrt() && !useful.contains(in.var().name())) {
          report.add(Message.ZERO_GRADIENT, (Site) in.site(),
              in.kind() == Input.Kind.FIELD ? "field" : "parameter", in.name());
        }
      }
    }
    return new Activity(Set.copyOf(varied), Set.copyOf(useful));
  }
}
