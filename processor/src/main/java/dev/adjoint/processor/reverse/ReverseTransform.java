package dev.adjoint.processor.reverse;

import static dev.adjoint.processor.ir.AExpr.ZERO;

import dev.adjoint.processor.analysis.Activity;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.Site;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.AStmt;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Names;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.validate.ValidationReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stage 4b (differentiate): the reverse-mode transform of straight-line ANF. Walks the statements
 * backwards; for each active assignment it applies the derivative of its one operation — Java
 * arithmetic inline, runtime operations through their {@code @Primitive} adjoint, rules through
 * {@code @Derivative}, other {@code @Differentiable} methods through their generated pullback — and
 * adds the contributions into the operands' adjoints.
 *
 * <p>Adjoints are symbolic until something flows into them: an adjoint nothing reached is
 * {@link AExpr#ZERO} and produces no code; the first contribution that is a plain name is an alias
 * (no statement); later ones declare or add. So the output has no {@code 0 * x} and no dead stores by
 * construction. Control flow (the next step) will extend this walk with recorded branch decisions
 * and trip counts; the adjoint bookkeeping stays the same.
 */
public final class ReverseTransform {
  /**
   * The backward pass.
   *
   * @param stmts the backward statements, {@code // ∂} comments included
   * @param inputAdjoints input variable → its adjoint ({@link AExpr#ZERO} if none)
   * @param pullbacks call target → pullback variable, for the calls composed through pullbacks
   */
  public record Result(List<AStmt> stmts, Map<String, AExpr> inputAdjoints, Map<String, Var> pullbacks) {}

  private final Function f;
  private final Activity activity;
  private final Names names;
  private final ValidationReport report;
  private final Map<String, AExpr> adjoint = new HashMap<>();
  private final Set<String> declared = new HashSet<>();
  private final Map<String, Var> pullbacks = new LinkedHashMap<>();
  private final List<AStmt> out = new ArrayList<>();
  private List<AStmt> block;

  private ReverseTransform(Function f, Activity activity, Names names, ValidationReport report) {
    this.f = f;
    this.activity = activity;
    this.names = names;
    this.report = report;
  }

  /**
   * Differentiates {@code f}, seeding the adjoint of its result with {@code seed} ({@code dOut} in a
   * pullback, the literal {@code 1} in a plain gradient method).
   */
  public static Result run(Function f, Activity activity, Names names, AExpr seed, ValidationReport report) {
    return new ReverseTransform(f, activity, names, report).transform(seed);
  }

  private Result transform(AExpr seed) {
    List<Stmt> stmts = f.body().stmts();
    for (Stmt s : stmts) {
      if (s instanceof Stmt.Return r && activity.active(r.value())) {
        adjoint.put(((Var) r.value()).name(), seed);
      }
    }
    Origin commented = null;
    for (int i = stmts.size() - 1; i >= 0; i--) {
      if (!(stmts.get(i) instanceof Stmt.Assign a) || !activity.active(a.target())) {
        continue;
      }
      AExpr upstream = adjoint.getOrDefault(a.target().name(), ZERO);
      if (upstream instanceof AExpr.Zero) {
        continue;
      }
      block = new ArrayList<>();
      differentiate(a, upstream);
      if (!block.isEmpty()) {
        if (commented == null || !commented.sameStatement(a.origin())) {
          out.add(new AStmt.Comment(a.origin()));
          commented = a.origin();
        }
        out.addAll(block);
      }
    }
    Map<String, AExpr> inputs = new LinkedHashMap<>();
    for (Input in : f.inputs()) {
      if (in.wrt()) {
        inputs.put(in.var().name(), adjoint.getOrDefault(in.var().name(), ZERO));
      }
    }
    return new Result(List.copyOf(out), inputs, pullbacks);
  }

  private void differentiate(Stmt.Assign a, AExpr u) {
    Var t = a.target();
    switch (a.op()) {
      case Op.Arith ar -> arith(ar, t, u);
      case Op.Neg n -> accumulate(n.operand(), AExpr.neg(u), t.type());
      case Op.Copy c -> accumulate(c.operand(), u, t.type());
      case Op.Cast c -> {
        AExpr v = u;
        if (c.operand().type().kind() == Type.Kind.FLOAT && t.type().kind() == Type.Kind.DOUBLE) {
          v = new AExpr.Cast(Type.FLOAT, u);
        }
        accumulate(c.operand(), v, c.operand().type());
      }
      case Op.Call c -> call(a, c, t, u);
    }
  }

  private void arith(Op.Arith ar, Var t, AExpr u) {
    Operand l = ar.left();
    Operand r = ar.right();
    Type ty = t.type();
    switch (ar.op()) {
      case '+' -> {
        accumulate(l, u, ty);
        accumulate(r, u, ty);
      }
      case '-' -> {
        accumulate(l, u, ty);
        accumulate(r, AExpr.neg(u), ty);
      }
      case '*' -> {
        if (l instanceof Var lv && l.equals(r) && activity.active(lv)) {
          accumulate(l, AExpr.mul(AExpr.mul(new AExpr.Lit("2"), u), ref(l)), ty);
        } else {
          accumulate(l, AExpr.mul(u, ref(r)), ty);
          accumulate(r, AExpr.mul(u, ref(l)), ty);
        }
      }
      case '/' -> {
        accumulate(l, AExpr.div(u, ref(r)), ty);
        // ∂r = -u·l/r² = -u·t/r, reusing the quotient the forward computed
        accumulate(r, AExpr.neg(AExpr.div(AExpr.mul(u, ref(t)), ref(r))), ty);
      }
      default -> { }
    }
  }

  private void call(Stmt.Assign a, Op.Call c, Var t, AExpr u) {
    List<Operand> ins = c.inputs();
    List<AExpr> args = new ArrayList<>();
    args.add(u);
    args.add(ref(t));
    for (Operand in : ins) {
      args.add(ref(in));
    }
    switch (c.callee()) {
      case Callee.Primitive p -> grads(a, ins, new AExpr.StaticCall(p.rules(), p.vjp(), args), t);
      case Callee.WithRule w -> {
        if (w.rules().size() == 1 && w.rules().get(0).wrt() < 0) {
          Callee.Rule rule = w.rules().get(0);
          AExpr call = new AExpr.StaticCall(rule.owner(), rule.method(), args);
          if (rule.returnsGrads()) {
            grads(a, ins, call, t);
          } else {
            for (Operand in : ins) {
              accumulate(in, call, t.type());
            }
          }
          return;
        }
        for (int i = 0; i < ins.size(); i++) {
          if (!activity.active(ins.get(i))) {
            continue;
          }
          final int index = i;
          var rule = w.rules().stream().filter(r -> r.wrt() == index).findFirst();
          if (rule.isEmpty()) {
            report.add(Message.NO_DERIVATIVE, (Site) a.origin().site(),
                w.method() + " (argument " + (i + 1) + ")", simple(w.owner()), w.method());
            continue;
          }
          accumulate(ins.get(i), new AExpr.StaticCall(rule.get().owner(), rule.get().method(), args), t.type());
        }
      }
      case Callee.Differentiable d -> differentiable(c, d, t, u);
      case Callee.Passive p -> { }
    }
  }

  /** A rule returning {@code Grads}: one holder if several inputs are active, inline otherwise. */
  private void grads(Stmt.Assign a, List<Operand> ins, AExpr call, Var t) {
    List<Integer> active = new ArrayList<>();
    for (int i = 0; i < ins.size(); i++) {
      if (activity.active(ins.get(i))) {
        active.add(i);
      }
    }
    AExpr holder = call;
    if (active.size() > 1) {
      String g = names.grads(t.name());
      block.add(new AStmt.Let(Type.other("dev.adjoint.autograd.Grads"), g, call));
      holder = new AExpr.Ref(g);
    }
    for (int i : active) {
      Operand in = ins.get(i);
      AExpr gi = new AExpr.Invoke(holder, "get", List.of(new AExpr.Lit(Integer.toString(i))));
      if (in.type().floating()) {
        gi = new AExpr.Invoke(gi, "item", List.of());
        accumulate(in, gi, Type.FLOAT);
      } else {
        accumulate(in, gi, t.type());
      }
    }
  }

  private void differentiable(Op.Call c, Callee.Differentiable d, Var t, AExpr u) {
    Var p = new Var(names.pullback(t.name()), Type.other(d.companion() + "." + d.capitalized() + "Pullback"));
    pullbacks.put(t.name(), p);
    List<Operand> targets = new ArrayList<>();
    List<String> components = new ArrayList<>();
    for (int i = 0; i < c.args().size(); i++) {
      if (!d.gradientOf().get(i).isEmpty() && activity.active(c.args().get(i))) {
        targets.add(c.args().get(i));
        components.add(d.gradientOf().get(i));
      }
    }
    for (Callee.FieldGradient fg : d.fieldGradients()) {
      Var fv = new Var(fg.field(), Type.TENSOR);
      if (activity.active(fv)) {
        targets.add(fv);
        components.add(fg.component());
      }
    }
    AExpr backward = new AExpr.Invoke(new AExpr.Ref(p.name()), "backward", List.of(u));
    AExpr holder = backward;
    if (targets.size() > 1) {
      String g = names.grads(t.name());
      block.add(new AStmt.Let(Type.other(d.companion() + "." + d.capitalized() + "Gradient"), g, backward));
      holder = new AExpr.Ref(g);
    }
    for (int i = 0; i < targets.size(); i++) {
      Operand target = targets.get(i);
      accumulate(target, new AExpr.Invoke(holder, components.get(i), List.of()), target.type());
    }
  }

  /**
   * Adds {@code value} (of type {@code valueType}) into the adjoint of {@code x}, if {@code x} is
   * active. The first contribution is an alias when it is a plain name, a declaration otherwise.
   */
  private void accumulate(Operand x, AExpr value, Type valueType) {
    if (!(x instanceof Var v) || !activity.active(v) || value instanceof AExpr.Zero) {
      return;
    }
    if (v.type().kind() == Type.Kind.FLOAT && valueType.kind() == Type.Kind.DOUBLE) {
      value = new AExpr.Cast(Type.FLOAT, value);
    }
    AExpr current = adjoint.get(v.name());
    String name = names.adjoint(v.name());
    if (current == null) {
      if (aliasable(value)) {
        adjoint.put(v.name(), value);
      } else {
        block.add(new AStmt.Accumulate(name, v.type(), value, true));
        declared.add(name);
        adjoint.put(v.name(), new AExpr.Ref(name));
      }
    } else if (current instanceof AExpr.Ref r && r.name().equals(name) && declared.contains(name)) {
      block.add(new AStmt.Accumulate(name, v.type(), value, false));
    } else {
      AExpr sum;
      if (v.type().kind() == Type.Kind.TENSOR) {
        sum = new AExpr.Invoke(current, "add", List.of(value));
      } else if (value instanceof AExpr.Neg n) {
        sum = new AExpr.Bin('-', current, n.operand());
      } else {
        sum = new AExpr.Bin('+', current, value);
      }
      block.add(new AStmt.Accumulate(name, v.type(), sum, true));
      declared.add(name);
      adjoint.put(v.name(), new AExpr.Ref(name));
    }
  }

  private static boolean aliasable(AExpr e) {
    return e instanceof AExpr.Ref || e instanceof AExpr.Lit || e instanceof AExpr.StaticField
        || (e instanceof AExpr.Neg n && (n.operand() instanceof AExpr.Ref || n.operand() instanceof AExpr.Lit));
  }

  private static AExpr ref(Operand o) {
    return switch (o) {
      case Var v -> new AExpr.Ref(v.name());
      case Const c -> c.owner().isEmpty() ? new AExpr.Lit(c.source()) : new AExpr.StaticField(c.owner(), c.source());
    };
  }

  private static String simple(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }
}
