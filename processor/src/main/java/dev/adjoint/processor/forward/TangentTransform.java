package dev.adjoint.processor.forward;

import static dev.adjoint.processor.ir.AExpr.ZERO;

import dev.adjoint.processor.analysis.Activity;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.Site;
import dev.adjoint.processor.diag.ValidationReport;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Names;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.TStmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 4 (differentiate, forward mode): the tangent transform. Walks the statements in order and, after
 * each active assignment, writes the tangent of its one operation — Java arithmetic inline, runtime
 * operations through their row's JVP (see {@code dev.adjoint.rules.Jvps} for how a row's JVP is found),
 * {@code @Derivative} rules of {@code double} methods through their adjoint applied to the tangent (an
 * adjoint is linear in its cotangent, so {@code vjp(ṫ)} is the JVP of a scalar rule), other
 * {@code @Differentiable} methods through their generated {@code fJvp}. Control flow is kept as written:
 * forward mode records nothing.
 *
 * <p>In straight-line code tangents are symbolic until something flows into them (a zero tangent produces
 * no code, a plain name is an alias). In a body with {@code if}s or loops every tangent of an active
 * variable is a variable of its own, assigned wherever the variable is (a zero tangent is written as
 * {@code 0} or zeros of the value's shape), so a loop-carried tangent keeps one name.
 */
public final class TangentTransform {
  /**
   * The forward sweep with tangents.
   *
   * @param stmts the statements
   * @param result the result operand
   * @param tangent the tangent of the result ({@link AExpr#ZERO} when it cannot change)
   * @param tangentInputs input variable name → its tangent parameter, for the inputs differentiated
   * @param mutable whether tangents are mutable variables (a body with control flow)
   */
  public record Result(List<TStmt> stmts, Operand result, AExpr tangent, Map<String, String> tangentInputs,
      boolean mutable) {}

  /**
   * Forward over reverse: the plain gradient's backward with the tangent of every adjoint beside it, after
   * the forward sweep with tangents, so the tangent of the gradient is the Hessian-vector product.
   *
   * @param forward the forward sweep with tangents (as {@code fJvp})
   * @param backward the gradient's backward statements interleaved with their tangents ({@code tDX})
   * @param components input variable → the tangent of its gradient (the HVP component)
   * @param eager whether the HVP is the eager engine's double backward of the method itself
   *     ({@code Hvps.byDoubleBackward}; {@code backward} empty, {@code components} naming the inputs only), for a
   *     tensor method with loops, {@code if}s or calls of other {@code @Differentiable} methods
   */
  public record Hvp(Result forward, List<dev.adjoint.processor.ir.AStmt> backward, Map<String, AExpr> components,
      boolean eager, java.util.Optional<Taped> taped) {
    /** Forward over the generated reverse. */
    public Hvp(Result forward, List<dev.adjoint.processor.ir.AStmt> backward, Map<String, AExpr> components) {
      this(forward, backward, components, false, java.util.Optional.empty());
    }

    /** The eager double backward, or forward over a straight-line reverse. */
    public Hvp(Result forward, List<dev.adjoint.processor.ir.AStmt> backward, Map<String, AExpr> components,
        boolean eager) {
      this(forward, backward, components, eager, java.util.Optional.empty());
    }
  }

  /**
   * What forward over reverse through control flow adds to the pullback's tape: every overwritten value is pushed
   * with its tangent and popped with it, every mutable adjoint has a mutable tangent beside it.
   *
   * @param tape the pullback's tape (records, stacks, adjoints)
   * @param tangentStacks stack of a variable's values → the stack of its tangent's values ({@code savedH →
   *     savedTH}), for the variables that have a tangent
   * @param stackTangents stack → the tangent variable pushed on its tangent stack ({@code savedH → tH})
   * @param adjointTangents mutable adjoint → its tangent ({@code dH → tDH}), in the tape's order
   * @param dead the adjoints nothing reads (an input's gradient: the HVP returns its tangent only), left out
   */
  public record Taped(dev.adjoint.processor.reverse.Tape tape, Map<String, String> tangentStacks,
      Map<String, String> stackTangents, Map<String, String> adjointTangents, java.util.Set<String> dead) {}

  /**
   * The HVP of a tensor method with control flow, element reads or calls of other {@code @Differentiable}
   * methods, by the eager engine's double backward of the user's method ({@code Hvps.byDoubleBackward}), and of a
   * straight-line one whose generated gradient forward mode cannot follow ({@link #tensorHvp} empty: a step
   * without a known tangent): for a tensor result and tensor inputs only; empty otherwise, and when
   * {@code traceable} says the eager recording could differ from the generated derivative (a {@code @Derivative}
   * rule, a callee whose source is not in the compilation).
   */
  public static java.util.Optional<Hvp> eagerHvp(Function f, Result forward, Map<String, AExpr> inputAdjoints,
      boolean traceable) {
    if (f.scalarOnly() || f.returnType().kind() != Type.Kind.TENSOR || !traceable) {
      return java.util.Optional.empty();
    }
    for (Input in : f.inputs()) {
      if (in.wrt() && in.var().type().kind() != Type.Kind.TENSOR) {
        return java.util.Optional.empty();
      }
    }
    Map<String, AExpr> components = new LinkedHashMap<>();
    inputAdjoints.keySet().forEach(k -> components.put(k, ZERO));
    return java.util.Optional.of(new Hvp(forward, List.of(), components, true));
  }

  /**
   * The HVP of a {@code double}-only method with straight-line code, from its plain gradient's backward
   * ({@code fGrad}) and input adjoints; empty when a statement is outside that subset (control flow, calls of
   * other {@code @Differentiable} methods) or an adjoint has no second-order rule {@code <vjp>Jvp}
   * ({@code hasMethod(owner, name)} says whether one exists).
   */
  public static java.util.Optional<Hvp> hvp(Function f, Activity activity, Names names, ValidationReport report,
      List<dev.adjoint.processor.ir.AStmt> backward, Map<String, AExpr> inputAdjoints,
      java.util.function.BiPredicate<String, String> hasMethod,
      java.util.function.Predicate<Callee.Differentiable> calleeHvp) {
    if (!f.scalarOnly() || Stmt.hasControlFlow(f.body().stmts()) || Stmt.readsElements(f.body().stmts())) {
      return java.util.Optional.empty();
    }
    for (Stmt s : f.body().stmts()) {
      if (s instanceof Stmt.Assign a && a.op() instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d
          && (!d.isStatic() || !calleeHvp.test(d))) {
        return java.util.Optional.empty();
      }
    }
    TangentTransform t = new TangentTransform(f, activity, names, report);
    Result plain = t.transform();
    // beside each call's fJvp: the callee's pullback (the gradient calls its backward) and its fHvp
    List<TStmt> sweep = new ArrayList<>();
    for (TStmt s : plain.stmts()) {
      sweep.add(s);
      if (s instanceof TStmt.JvpCall j) {
        String target = j.assign().target().name();
        TStmt.CalleeHvp h = new TStmt.CalleeHvp(j, names.pullback(target), names.hvp(target));
        sweep.add(h);
        t.calls.put(h.pullback(), h.hvp());
      }
    }
    Result forward = new Result(List.copyOf(sweep), plain.result(), plain.tangent(), plain.tangentInputs(),
        plain.mutable());
    Map<String, String> adjointTangents = new HashMap<>();
    List<dev.adjoint.processor.ir.AStmt> out = new ArrayList<>();
    for (dev.adjoint.processor.ir.AStmt s : backward) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Comment c -> out.add(c);
        case dev.adjoint.processor.ir.AStmt.Let l when l.value() instanceof AExpr.Invoke i
            && i.target() instanceof AExpr.Ref p && t.calls.containsKey(p.name()) && i.method().equals("backward") -> {
          // a callee's gradient record: its tangent is the callee's backward of u̇ plus u times its fHvp
          AExpr u = i.args().get(0);
          AExpr tu = t.second(u, adjointTangents, hasMethod);
          if (tu == null) {
            return java.util.Optional.empty();
          }
          out.add(l);
          String tangentName = null;
          if (!(tu instanceof AExpr.Zero)) {
            tangentName = names.tangent(l.name());
            out.add(new dev.adjoint.processor.ir.AStmt.Let(l.type(), tangentName,
                new AExpr.Invoke(p, "backward", List.of(tu))));
          }
          t.records.put(l.name(), new CallRecord(p.name(), u, tangentName));
        }
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> {
          AExpr tv = t.second(a.value(), adjointTangents, hasMethod);
          if (tv == null) {
            return java.util.Optional.empty();
          }
          out.add(a);
          String name = names.tangent(a.name());
          if (a.declare()) {
            out.add(new dev.adjoint.processor.ir.AStmt.Accumulate(name, a.type(),
                tv instanceof AExpr.Zero ? new AExpr.Lit("0") : tv, true));
            adjointTangents.put(a.name(), name);
          } else if (!(tv instanceof AExpr.Zero)) {
            out.add(new dev.adjoint.processor.ir.AStmt.Accumulate(name, a.type(), tv, false));
          }
        }
        default -> {
          return java.util.Optional.empty();
        }
      }
    }
    Map<String, AExpr> components = new LinkedHashMap<>();
    for (var e : inputAdjoints.entrySet()) {
      AExpr tv = e.getValue() instanceof AExpr.Zero ? ZERO : t.second(e.getValue(), adjointTangents, hasMethod);
      if (tv == null) {
        return java.util.Optional.empty();
      }
      components.put(e.getKey(), tv);
    }
    return java.util.Optional.of(new Hvp(forward, List.copyOf(out), components));
  }

  /**
   * The HVP of a method over tensors with straight-line code (modules' fields included), from its pullback's
   * backward (seeded with {@code dOut}, whose tangent is zero): each adjoint of a row, {@code vjp(g, out,
   * inputs...)}, gets its tangent {@code vjp(ġ, out, inputs...)} plus the part that moves with the inputs — the
   * row's second-order rule {@code <vjp>Jvp} when its rules class has one, nothing when the adjoint reads no
   * value ({@code @Primitive(reads = {})}), else {@code Hvps.secondOrder} (the eager engine's double backward
   * of that row alone). Empty for control flow, calls of other {@code @Differentiable} methods, and anything the
   * backward does that this does not know the tangent of.
   */
  public static java.util.Optional<Hvp> tensorHvp(Function f, Activity activity, Names names, ValidationReport report,
      List<dev.adjoint.processor.ir.AStmt> backward, Map<String, AExpr> inputAdjoints,
      java.util.function.BiPredicate<String, String> hasMethod) {
    if (f.scalarOnly() || Stmt.hasControlFlow(f.body().stmts()) || Stmt.readsElements(f.body().stmts())
        || f.returnType().kind() != Type.Kind.TENSOR) {
      return java.util.Optional.empty();
    }
    Map<String, Callee.Primitive> rows = new HashMap<>();
    for (Stmt s : f.body().stmts()) {
      if (s instanceof Stmt.Assign a && a.op() instanceof Op.Call c) {
        switch (c.callee()) {
          case Callee.Differentiable d -> {
            return java.util.Optional.empty();
          }
          case Callee.WithRule w -> {
            return java.util.Optional.empty();
          }
          case Callee.Primitive p -> merge(rows, p.rules() + "#" + p.vjp() + "/" + c.inputs().size(), p);
          default -> { }
        }
      }
    }
    TangentTransform t = new TangentTransform(f, activity, names, report);
    Result forward = t.transform();
    t.rows = rows;
    Map<String, String> adjointTangents = new HashMap<>();
    List<dev.adjoint.processor.ir.AStmt> out = new ArrayList<>();
    for (dev.adjoint.processor.ir.AStmt s : backward) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Comment c -> {
          out.add(c);
          t.site = f.className() + "." + f.name() + ", " + c.origin().position();
        }
        case dev.adjoint.processor.ir.AStmt.Let l -> {
          AExpr tv = t.second(l.value(), adjointTangents, hasMethod);
          if (tv == null) {
            return java.util.Optional.empty();
          }
          out.add(l);
          if (!(tv instanceof AExpr.Zero)) {
            String name = names.tangent(l.name());
            out.add(new dev.adjoint.processor.ir.AStmt.Let(l.type(), name, tv));
            adjointTangents.put(l.name(), name);
          }
        }
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> {
          // the adjoint has the shape of every contribution: zeros for a zero tangent are shaped like it
          t.likeOverride = new AExpr.Ref(a.name());
          AExpr tv = t.second(a.value(), adjointTangents, hasMethod);
          t.likeOverride = null;
          if (tv == null) {
            return java.util.Optional.empty();
          }
          out.add(a);
          String name = names.tangent(a.name());
          if (tv instanceof AExpr.Zero) {
            continue;
          }
          if (adjointTangents.containsKey(a.name())) {
            out.add(new dev.adjoint.processor.ir.AStmt.Accumulate(name, a.type(), tv, false, true));
          } else {
            // the first nonzero tangent of this adjoint (earlier contributions had none)
            out.add(new dev.adjoint.processor.ir.AStmt.Accumulate(name, a.type(), tv, true));
            adjointTangents.put(a.name(), name);
          }
        }
        default -> {
          return java.util.Optional.empty();
        }
      }
    }
    Map<String, AExpr> components = new LinkedHashMap<>();
    for (var e : inputAdjoints.entrySet()) {
      AExpr tv = e.getValue() instanceof AExpr.Zero ? ZERO : t.second(e.getValue(), adjointTangents, hasMethod);
      if (tv == null) {
        return java.util.Optional.empty();
      }
      components.put(e.getKey(), tv);
    }
    return java.util.Optional.of(new Hvp(forward, live(out, components.values()), components));
  }

  /**
   * The HVP of a tensor method with loops or {@code if}s (break, continue and early returns are lowered to them)
   * by forward over its generated pullback: the {@code fJvp} sweep pushing every overwritten value's tangent beside
   * the value (and the same branch decisions and trip counts as the pullback), then the pullback's backward with
   * the tangent of every statement beside it — a mutable tangent {@code tD} for every mutable adjoint {@code d},
   * non-null whenever {@code d} is, popped tangents beside popped values. Empty (the eager
   * {@code Hvps.byDoubleBackward} or nothing instead) for calls of other {@code @Differentiable} methods, rules
   * with a tensor result, elements of {@code Tensor[]}, non-tensor inputs or result, and any statement of the
   * backward this does not know the tangent of.
   */
  public static java.util.Optional<Hvp> loopHvp(Function f, Activity activity, Names names, ValidationReport report,
      List<dev.adjoint.processor.ir.AStmt> backward, Map<String, AExpr> inputAdjoints,
      java.util.Optional<dev.adjoint.processor.reverse.Tape> tape,
      java.util.function.BiPredicate<String, String> hasMethod) {
    if (tape.isEmpty() || f.scalarOnly() || f.returnType().kind() != Type.Kind.TENSOR
        || !Stmt.hasControlFlow(f.body().stmts()) || Stmt.readsElements(f.body().stmts())) {
      return java.util.Optional.empty();
    }
    for (Input in : f.inputs()) {
      if (in.wrt() && in.var().type().kind() != Type.Kind.TENSOR) {
        return java.util.Optional.empty();
      }
    }
    Map<String, Callee.Primitive> rows = new HashMap<>();
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a && a.op() instanceof Op.Call c) {
        switch (c.callee()) {
          case Callee.Differentiable d -> {
            return java.util.Optional.empty();
          }
          case Callee.WithRule w -> {
            return java.util.Optional.empty();
          }
          case Callee.Primitive p -> merge(rows, p.rules() + "#" + p.vjp() + "/" + c.inputs().size(), p);
          default -> { }
        }
      }
    }
    dev.adjoint.processor.reverse.Tape tp = tape.get();
    if (!tp.pullbackPushes().isEmpty()) {
      return java.util.Optional.empty();
    }
    TangentTransform t = new TangentTransform(f, activity, names, report);
    Result forward = t.transform();
    t.rows = rows;
    Map<String, String> tangentStacks = new LinkedHashMap<>();
    Map<String, String> stackTangents = new LinkedHashMap<>();
    for (var e : tp.saved().entrySet()) {
      if (t.tangent.get(e.getValue().name()) instanceof AExpr.Ref r) {
        tangentStacks.put(e.getKey(), names.saved(r.name()));
        stackTangents.put(e.getKey(), r.name());
      }
    }
    Map<String, String> adjointTangents = new LinkedHashMap<>();
    for (var e : tp.adjoints().entrySet()) {
      Type.Kind k = e.getValue().kind();
      if (k == Type.Kind.TENSOR || e.getValue().floating()) {
        adjointTangents.put(e.getKey(), names.tangent(e.getKey()));
      }
    }
    t.site = f.className() + "." + f.name() + ", " + f.origin().position();
    List<dev.adjoint.processor.ir.AStmt> out = t.taped(backward, new HashMap<>(adjointTangents), tangentStacks,
        stackTangents, hasMethod);
    if (out == null) {
      return java.util.Optional.empty();
    }
    // push only the tangents the backward reads
    java.util.Set<String> read = new java.util.HashSet<>();
    tangentReads(out, read);
    if (stackTangents.values().removeIf(n -> !read.contains(n))) {
      tangentStacks.keySet().retainAll(stackTangents.keySet());
      out = t.taped(backward, new HashMap<>(adjointTangents), tangentStacks, stackTangents, hasMethod);
    }
    Map<String, AExpr> components = new LinkedHashMap<>();
    for (var e : inputAdjoints.entrySet()) {
      AExpr tv = e.getValue() instanceof AExpr.Zero ? ZERO : t.second(e.getValue(), adjointTangents, hasMethod);
      if (tv == null) {
        return java.util.Optional.empty();
      }
      components.put(e.getKey(), tv);
    }
    // the gradient's own accumulations that nothing reads go (the HVP returns tangents only)
    java.util.Set<String> used = new java.util.HashSet<>();
    adjointReads(out, used);
    components.values().forEach(c -> refs(c, used));
    java.util.Set<String> dead = new java.util.LinkedHashSet<>(tp.adjoints().keySet());
    dead.removeAll(used);
    dead.removeAll(adjointTangents.values());
    if (!dead.isEmpty()) {
      out = withoutDead(out, dead);
    }
    return java.util.Optional.of(new Hvp(forward, out, components, false,
        java.util.Optional.of(new Taped(tp, tangentStacks, stackTangents, adjointTangents, dead))));
  }

  /** The names a backward reads (an accumulation's target is read by the accumulation only, not counted). */
  private static void adjointReads(List<dev.adjoint.processor.ir.AStmt> stmts, java.util.Set<String> into) {
    for (dev.adjoint.processor.ir.AStmt s : stmts) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Let l -> refs(l.value(), into);
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> refs(a.value(), into);
        case dev.adjoint.processor.ir.AStmt.AccumulateElement a -> {
          into.add(a.name());
          refs(a.value(), into);
        }
        case dev.adjoint.processor.ir.AStmt.Guard g -> {
          into.add(g.adjoint());
          adjointReads(g.body(), into);
        }
        case dev.adjoint.processor.ir.AStmt.Branch b -> {
          refs(b.cond(), into);
          adjointReads(b.then(), into);
          adjointReads(b.otherwise(), into);
        }
        case dev.adjoint.processor.ir.AStmt.Reverse r -> {
          refs(r.from(), into);
          refs(r.to(), into);
          adjointReads(r.body(), into);
        }
        default -> { }
      }
    }
  }

  private static List<dev.adjoint.processor.ir.AStmt> withoutDead(List<dev.adjoint.processor.ir.AStmt> stmts,
      java.util.Set<String> dead) {
    List<dev.adjoint.processor.ir.AStmt> out = new ArrayList<>();
    for (dev.adjoint.processor.ir.AStmt s : stmts) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Accumulate a when dead.contains(a.name()) -> { }
        case dev.adjoint.processor.ir.AStmt.Reset r when dead.contains(r.name()) -> { }
        case dev.adjoint.processor.ir.AStmt.Guard g -> out.add(new dev.adjoint.processor.ir.AStmt.Guard(g.adjoint(),
            withoutDead(g.body(), dead)));
        case dev.adjoint.processor.ir.AStmt.Branch b -> out.add(new dev.adjoint.processor.ir.AStmt.Branch(b.cond(),
            withoutDead(b.then(), dead), withoutDead(b.otherwise(), dead), b.origin()));
        case dev.adjoint.processor.ir.AStmt.Reverse r -> out.add(new dev.adjoint.processor.ir.AStmt.Reverse(
            r.counter(), r.from(), r.to(), r.counted(), r.inclusive(), withoutDead(r.body(), dead), r.origin()));
        default -> out.add(s);
      }
    }
    return out;
  }

  private static void tangentReads(List<dev.adjoint.processor.ir.AStmt> stmts, java.util.Set<String> into) {
    for (dev.adjoint.processor.ir.AStmt s : stmts) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Let l -> refs(l.value(), into);
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> refs(a.value(), into);
        case dev.adjoint.processor.ir.AStmt.Guard g -> tangentReads(g.body(), into);
        case dev.adjoint.processor.ir.AStmt.Branch b -> {
          refs(b.cond(), into);
          tangentReads(b.then(), into);
          tangentReads(b.otherwise(), into);
        }
        case dev.adjoint.processor.ir.AStmt.Reverse r -> tangentReads(r.body(), into);
        default -> { }
      }
    }
  }

  /**
   * The backward of a method with control flow with the tangent of each statement beside it, or {@code null}
   * where a statement's tangent is not known. {@code adjointTangents} holds the mutable adjoints' tangents and,
   * within a block, its holders' ({@code gAdd1 → tGAdd1}).
   */
  private List<dev.adjoint.processor.ir.AStmt> taped(List<dev.adjoint.processor.ir.AStmt> stmts,
      Map<String, String> adjointTangents, Map<String, String> tangentStacks, Map<String, String> stackTangents,
      java.util.function.BiPredicate<String, String> hasMethod) {
    List<dev.adjoint.processor.ir.AStmt> out = new ArrayList<>();
    for (dev.adjoint.processor.ir.AStmt s : stmts) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Comment c -> {
          out.add(c);
          site = f.className() + "." + f.name() + ", " + c.origin().position();
        }
        case dev.adjoint.processor.ir.AStmt.Let l -> {
          AExpr tv = second(l.value(), adjointTangents, hasMethod);
          if (tv == null) {
            return null;
          }
          out.add(l);
          if (!(tv instanceof AExpr.Zero)) {
            String name = names.tangent(l.name());
            out.add(new dev.adjoint.processor.ir.AStmt.Let(l.type(), name, tv));
            adjointTangents.put(l.name(), name);
          } else {
            adjointTangents.remove(l.name());
          }
        }
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> {
          String name = adjointTangents.get(a.name());
          if (a.declare() || name == null) {
            return null;
          }
          likeOverride = new AExpr.Ref(a.name());
          AExpr tv = second(a.value(), adjointTangents, hasMethod);
          likeOverride = null;
          if (tv == null || (tv instanceof AExpr.Zero && a.type().kind() == Type.Kind.TENSOR)) {
            return null; // a tensor adjoint whose tangent would stay null: not this form
          }
          out.add(a);
          if (!(tv instanceof AExpr.Zero)) {
            out.add(new dev.adjoint.processor.ir.AStmt.Accumulate(name, a.type(), tv, false, true));
          }
        }
        case dev.adjoint.processor.ir.AStmt.Reset r -> {
          out.add(r);
          String name = adjointTangents.get(r.name());
          if (name != null) {
            out.add(new dev.adjoint.processor.ir.AStmt.Reset(name, r.type()));
          }
        }
        case dev.adjoint.processor.ir.AStmt.Restore r -> {
          out.add(r);
          String stack = tangentStacks.get(r.stack());
          if (stack != null) {
            out.add(new dev.adjoint.processor.ir.AStmt.Restore(stackTangents.get(r.stack()), r.type(), stack));
          }
        }
        case dev.adjoint.processor.ir.AStmt.Guard g -> {
          List<dev.adjoint.processor.ir.AStmt> body = taped(g.body(), new HashMap<>(adjointTangents), tangentStacks,
              stackTangents, hasMethod);
          if (body == null) {
            return null;
          }
          out.add(new dev.adjoint.processor.ir.AStmt.Guard(g.adjoint(), body));
        }
        case dev.adjoint.processor.ir.AStmt.Branch b -> {
          List<dev.adjoint.processor.ir.AStmt> then = taped(b.then(), new HashMap<>(adjointTangents), tangentStacks,
              stackTangents, hasMethod);
          List<dev.adjoint.processor.ir.AStmt> otherwise = taped(b.otherwise(), new HashMap<>(adjointTangents),
              tangentStacks, stackTangents, hasMethod);
          if (then == null || otherwise == null) {
            return null;
          }
          out.add(new dev.adjoint.processor.ir.AStmt.Branch(b.cond(), then, otherwise, b.origin()));
        }
        case dev.adjoint.processor.ir.AStmt.Reverse r -> {
          List<dev.adjoint.processor.ir.AStmt> body = taped(r.body(), new HashMap<>(adjointTangents), tangentStacks,
              stackTangents, hasMethod);
          if (body == null) {
            return null;
          }
          out.add(new dev.adjoint.processor.ir.AStmt.Reverse(r.counter(), r.from(), r.to(), r.counted(),
              r.inclusive(), body, r.origin()));
        }
        case dev.adjoint.processor.ir.AStmt.AccumulateElement a -> {
          return null;
        }
      }
    }
    return out;
  }

  /**
   * The statements of a straight-line backward that the result reads: the gradient's own last accumulations
   * (the HVP returns tangents only) and adjoints whose tangent is all that matters go.
   */
  private static List<dev.adjoint.processor.ir.AStmt> live(List<dev.adjoint.processor.ir.AStmt> stmts,
      java.util.Collection<AExpr> results) {
    java.util.Set<String> live = new java.util.HashSet<>();
    results.forEach(e -> refs(e, live));
    List<dev.adjoint.processor.ir.AStmt> kept = new ArrayList<>();
    for (int i = stmts.size() - 1; i >= 0; i--) {
      dev.adjoint.processor.ir.AStmt s = stmts.get(i);
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Let l -> {
          if (live.contains(l.name())) {
            refs(l.value(), live);
            kept.add(s);
          }
        }
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> {
          if (live.contains(a.name())) {
            refs(a.value(), live);
            if (a.declare()) {
              live.remove(a.name());
            }
            kept.add(s);
          }
        }
        default -> kept.add(s);
      }
    }
    java.util.Collections.reverse(kept);
    // drop comments left with nothing under them
    List<dev.adjoint.processor.ir.AStmt> out = new ArrayList<>();
    for (int i = 0; i < kept.size(); i++) {
      if (kept.get(i) instanceof dev.adjoint.processor.ir.AStmt.Comment
          && (i + 1 == kept.size() || kept.get(i + 1) instanceof dev.adjoint.processor.ir.AStmt.Comment)) {
        continue;
      }
      out.add(kept.get(i));
    }
    return List.copyOf(out);
  }

  private static void refs(AExpr e, java.util.Set<String> into) {
    switch (e) {
      case AExpr.Ref r -> into.add(r.name());
      case AExpr.ShapeOnly so -> into.add(so.ref().name());
      case AExpr.Bin b -> {
        refs(b.left(), into);
        refs(b.right(), into);
      }
      case AExpr.Neg n -> refs(n.operand(), into);
      case AExpr.Cast c -> refs(c.operand(), into);
      case AExpr.StaticCall c -> c.args().forEach(a -> refs(a, into));
      case AExpr.Invoke i -> {
        refs(i.target(), into);
        i.args().forEach(a -> refs(a, into));
      }
      default -> { }
    }
  }

  /** For {@link #tensorHvp}: while the tangent of an accumulation is built, the adjoint it goes into. */
  private AExpr likeOverride;

  /** For {@link #tensorHvp}: the user's method and line of the backward statements being differentiated. */
  private String site = "";

  private static String javaString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** For {@link #tensorHvp}: the rows of the body by {@code rules#vjp/arity} (list arity -1: ambiguous). */
  private Map<String, Callee.Primitive> rows = Map.of();

  /**
   * Adds a row of the body under its adjoint's key. Operations sharing one adjoint ({@code floor}, {@code ceil},
   * {@code round}, {@code sign} and {@code trunc} all go through {@code zeroVjp}) keep one entry when what the
   * tangent of that adjoint reads is the same for all (inputs, reads, receiver inputs, list arity): only the eager
   * {@code Hvps.secondOrder}, which calls the operation's forward, needs to know which one it is, and
   * {@link #rowTangent} declines that case for a shared adjoint ({@link Callee.Primitive#method()} set to empty).
   * A method and a static function of the same rule ({@code x.softmax(d)}, {@code F.softmax(x, d)}) share it too.
   * Rows that differ in more than that are ambiguous (list arity -1).
   */
  private static void merge(Map<String, Callee.Primitive> rows, String key, Callee.Primitive p) {
    rows.merge(key, p, (x, y) -> {
      if (x.equals(y)) {
        return x;
      }
      // a method and a static function sharing one rule (x.softmax(d), F.softmax(x, d)) have the same adjoint
      // arguments: receiver first is the function's first argument
      if (x.listArity() == y.listArity() && x.receiverInputs().equals(y.receiverInputs())
          && x.reads().equals(y.reads()) && x.tangentSlots().equals(y.tangentSlots())) {
        return new Callee.Primitive(x.owner(), "", x.isStatic(), x.rules(), x.vjp(), x.node(), x.scalar(),
            x.receiverInputs(), x.listArity(), x.reads(), x.jvp(), x.tangentSlots());
      }
      return x.withListArity(-1);
    });
  }

  /** The tangent of a tensor row's adjoint call, or {@code null} when it is not one this can differentiate. */
  private AExpr rowTangent(AExpr.StaticCall c, Callee.Primitive p, List<AExpr> tangents,
      java.util.function.BiPredicate<String, String> hasMethod) {
    AExpr linear = ZERO;
    if (!(tangents.get(0) instanceof AExpr.Zero)) {
      List<AExpr> args = new ArrayList<>(c.args());
      args.set(0, tangents.get(0));
      linear = new AExpr.StaticCall(c.owner(), c.method(), args);
    }
    AExpr moving = ZERO;
    // an input the adjoint reads for its shape only still moves: its tangent is its value's
    List<AExpr> inputTangents = new ArrayList<>(tangents.subList(2, tangents.size()));
    for (int i = 0; i < inputTangents.size(); i++) {
      if (c.args().get(i + 2) instanceof AExpr.ShapeOnly so) {
        inputTangents.set(i, tangent.getOrDefault(so.ref().name(), ZERO));
      }
    }
    boolean inputsMove = inputTangents.stream().anyMatch(x -> !(x instanceof AExpr.Zero));
    boolean outMoves = !(tangents.get(1) instanceof AExpr.Zero);
    if (inputsMove || outMoves) {
      if (hasMethod.test(c.owner(), c.method() + "Jvp")) {
        // tangents of the result and of each input that takes one (Tensor, double, float), as a row's JVP does
        List<AExpr> args = new ArrayList<>(c.args());
        for (int i = 1; i < tangents.size(); i++) {
          if (i >= 2 && (i - 2 >= p.tangentSlots().size() || !p.tangentSlots().get(i - 2))) {
            continue;
          }
          AExpr ti = tangents.get(i);
          AExpr arg = c.args().get(i) instanceof AExpr.ShapeOnly so ? so.ref() : c.args().get(i);
          boolean tensor = i == 1 || arg instanceof AExpr.Ref r && isTensor(r.name());
          args.add(!(ti instanceof AExpr.Zero) ? ti : new AExpr.Lit(tensor ? "null" : "0"));
        }
        moving = new AExpr.StaticCall(c.owner(), c.method() + "Jvp", args);
      } else if (p.reads().isEmpty()) {
        moving = ZERO;
      } else if (p.listArity() == 0 && !p.receiverInputs().isEmpty() && inputsMove && !p.method().isEmpty()) {
        // a module's row (weights as receiver inputs): its result recorded on fresh leaves, the recorded formula
        List<AExpr> ins = c.args().subList(2, c.args().size());
        List<AExpr> tIns = new ArrayList<>();
        for (AExpr x : inputTangents) {
          tIns.add(orNull(x));
        }
        AExpr out = c.args().get(1) instanceof AExpr.ShapeOnly so ? so.ref() : c.args().get(1);
        moving = new AExpr.StaticCall(HVPS, "moduleSecondOrder", List.of(new AExpr.Lit(javaString(site)),
            new AExpr.StaticField(p.owner(), "class"), new AExpr.Lit("\"" + p.method() + "\""), c.args().get(0), out,
            new AExpr.StaticCall(JVPS, "of", ins), new AExpr.StaticCall(JVPS, "of", tIns)));
      } else if (p.listArity() != 0 || !p.receiverInputs().isEmpty() || !inputsMove || p.method().isEmpty()) {
        return null;
      } else {
        List<AExpr> ins = c.args().subList(2, c.args().size());
        List<AExpr> tIns = new ArrayList<>();
        for (AExpr x : inputTangents) {
          tIns.add(orNull(x));
        }
        moving = new AExpr.StaticCall(HVPS, "secondOrder", List.of(new AExpr.Lit(javaString(site)),
            new AExpr.StaticField(p.owner(), "class"),
            new AExpr.Lit("\"" + p.method() + "\""), new AExpr.Lit(Boolean.toString(p.isStatic())), c.args().get(0),
            new AExpr.StaticCall(JVPS, "of", ins), new AExpr.StaticCall(JVPS, "of", tIns)));
      }
    }
    if (linear instanceof AExpr.Zero) {
      return moving;
    }
    if (moving instanceof AExpr.Zero) {
      return linear;
    }
    return new AExpr.StaticCall(HVPS, "plus", List.of(linear, moving));
  }

  private boolean isTensor(String name) {
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a && a.target().name().equals(name)) {
        return a.target().type().kind() == Type.Kind.TENSOR;
      }
    }
    for (Input in : f.inputs()) {
      if (in.var().name().equals(name)) {
        return in.var().type().kind() == Type.Kind.TENSOR;
      }
    }
    return false;
  }

  /** The tangent of a backward expression, or {@code null} when one of its rules has no second-order rule. */
  private AExpr second(AExpr e, Map<String, String> adjointTangents,
      java.util.function.BiPredicate<String, String> hasMethod) {
    return switch (e) {
      case AExpr.Ref r -> adjointTangents.containsKey(r.name()) ? new AExpr.Ref(adjointTangents.get(r.name()))
          : tangent.getOrDefault(r.name(), ZERO);
      case AExpr.Lit l -> ZERO;
      case AExpr.StaticField sf -> ZERO;
      case AExpr.Zero z -> ZERO;
      case AExpr.ShapeOnly so -> rows.isEmpty() ? null : ZERO;
      case AExpr.Invoke i when rows.isEmpty() && i.args().isEmpty() && i.target() instanceof AExpr.Ref r
          && records.containsKey(r.name()) -> {
        // a component of a callee's gradient record gR = pR.backward(u): tGR.x() + u·hR.x()
        CallRecord c = records.get(r.name());
        AExpr linear = c.tangent() == null ? ZERO
            : new AExpr.Invoke(new AExpr.Ref(c.tangent()), i.method(), List.of());
        yield plus(linear, AExpr.mul(c.u(), new AExpr.Invoke(new AExpr.Ref(calls.get(c.pullback())), i.method(),
            List.of())));
      }
      case AExpr.Invoke i when rows.isEmpty() && i.args().isEmpty() && i.target() instanceof AExpr.Invoke b
          && b.method().equals("backward") && b.target() instanceof AExpr.Ref p && calls.containsKey(p.name()) -> {
        // a component of pR.backward(u) read once: pR.backward(u̇).x() + u·hR.x()
        AExpr u = b.args().get(0);
        AExpr tu = second(u, adjointTangents, hasMethod);
        if (tu == null) {
          yield null;
        }
        AExpr linear = tu instanceof AExpr.Zero ? ZERO
            : new AExpr.Invoke(new AExpr.Invoke(p, "backward", List.of(tu)), i.method(), List.of());
        yield plus(linear, AExpr.mul(u, new AExpr.Invoke(new AExpr.Ref(calls.get(p.name())), i.method(),
            List.of())));
      }
      case AExpr.Invoke i -> {
        // an entry of a row's Grads: Hvps.get(tG, i), zeros of the entry's shape where the tangent is zero
        if (rows.isEmpty() || !i.method().equals("get")) {
          yield null;
        }
        AExpr th = second(i.target(), adjointTangents, hasMethod);
        // the holder itself when there is one: its entry is read for its shape only if the tangent is zero (a
        // lazy entry, as a weight's gradient, is then not computed for nothing)
        AExpr like = i.target() instanceof AExpr.Ref r ? r : likeOverride == null ? i : likeOverride;
        yield th == null || th instanceof AExpr.Zero ? th
            : new AExpr.StaticCall(HVPS, "get", List.of(th, i.args().get(0), like));
      }
      case AExpr.Neg n -> {
        AExpr t = second(n.operand(), adjointTangents, hasMethod);
        yield t == null ? null : AExpr.neg(t);
      }
      case AExpr.Cast c -> {
        AExpr t = second(c.operand(), adjointTangents, hasMethod);
        yield t == null ? null : t instanceof AExpr.Zero ? ZERO : new AExpr.Cast(c.type(), t);
      }
      case AExpr.Bin b -> {
        AExpr tl = second(b.left(), adjointTangents, hasMethod);
        AExpr tr = second(b.right(), adjointTangents, hasMethod);
        if (tl == null || tr == null) {
          yield null;
        }
        yield switch (b.op()) {
          case '+' -> plus(tl, tr);
          case '-' -> minus(tl, tr);
          case '*' -> plus(AExpr.mul(tl, b.right()), AExpr.mul(b.left(), tr));
          case '/' -> tr instanceof AExpr.Zero ? AExpr.div(tl, b.right())
              : AExpr.div(minus(tl, AExpr.mul(new AExpr.Bin('/', b.left(), b.right()), tr)), b.right());
          default -> null;
        };
      }
      case AExpr.StaticCall c -> {
        // an adjoint vjp(g, out, x...): linear in g, so vjp(ġ, out, x...), plus vjpJvp for out and x
        List<AExpr> tangents = new ArrayList<>();
        for (AExpr a : c.args()) {
          AExpr t = second(a, adjointTangents, hasMethod);
          if (t == null) {
            yield null;
          }
          tangents.add(t);
        }
        Callee.Primitive row = rows.get(c.owner() + "#" + c.method() + "/" + (c.args().size() - 2));
        if (row != null) {
          yield row.listArity() < 0 ? null : rowTangent(c, row, tangents, hasMethod);
        }
        if (!rows.isEmpty()) {
          yield null;
        }
        AExpr sum = ZERO;
        if (!(tangents.get(0) instanceof AExpr.Zero)) {
          List<AExpr> args = new ArrayList<>(c.args());
          args.set(0, tangents.get(0));
          sum = new AExpr.StaticCall(c.owner(), c.method(), args);
        }
        if (tangents.subList(1, tangents.size()).stream().anyMatch(t -> !(t instanceof AExpr.Zero))) {
          if (!hasMethod.test(c.owner(), c.method() + "Jvp")) {
            yield null;
          }
          List<AExpr> args = new ArrayList<>(c.args());
          for (AExpr t : tangents.subList(1, tangents.size())) {
            args.add(t instanceof AExpr.Zero ? new AExpr.Lit("0") : t);
          }
          sum = plus(sum, new AExpr.StaticCall(c.owner(), c.method() + "Jvp", args));
        }
        yield sum;
      }
    };
  }

  /** For {@link #hvp} through calls: each callee pullback's name → the name of the callee's {@code fHvp} result. */
  private final Map<String, String> calls = new HashMap<>();

  /**
   * A callee's gradient record {@code gR = pR.backward(u)} in the gradient being differentiated.
   *
   * @param pullback the callee's pullback ({@code pR})
   * @param u the cotangent passed
   * @param tangent the record of {@code pR.backward(u̇)}, or {@code null} when {@code u̇} is zero
   */
  private record CallRecord(String pullback, AExpr u, String tangent) {}

  /** For {@link #hvp} through calls: gradient record name → how it was made. */
  private final Map<String, CallRecord> records = new HashMap<>();

  private static final String JVPS = "dev.adjoint.rules.Jvps";
  private static final String HVPS = "dev.adjoint.autograd.Hvps";
  private static final String TENSOR = "dev.adjoint.Tensor";

  private final Function f;
  private final Activity activity;
  private final Names names;
  private final ValidationReport report;
  private final boolean mutable;
  private final Map<String, AExpr> tangent = new HashMap<>();

  private TangentTransform(Function f, Activity activity, Names names, ValidationReport report) {
    this.f = f;
    this.activity = activity;
    this.names = names;
    this.report = report;
    this.mutable = Stmt.hasControlFlow(f.body().stmts()) || Stmt.readsElements(f.body().stmts());
  }

  /** The forward sweep of {@code f} with tangents; problems go to {@code report}. */
  public static Result run(Function f, Activity activity, Names names, ValidationReport report) {
    return new TangentTransform(f, activity, names, report).transform();
  }

  /**
   * The forward sweep of {@code f} with tangents for {@code fJvp}, where a tensor row whose rules class has a fused
   * forward-mode method ({@code dual} says whether {@code owner} has a method {@code name} with {@code n}
   * parameters) computes its value and tangent in one call ({@link TStmt.Dual}): {@code <op>Dual(inputs...,
   * tangents...)} beside the row's adjoint {@code <op>Vjp}; for an operation of one tensor whose input is an
   * add read by nothing else in the same statement, {@code <op>Dual(a, b, ȧ, ḃ)} of {@code a + b} takes the add
   * in as well (a bias before an activation). Problems go to {@code report}.
   */
  public static Result fused(Function f, Activity activity, Names names, ValidationReport report, DualLookup dual) {
    TangentTransform t = new TangentTransform(f, activity, names, report);
    t.dual = dual;
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a) {
        t.assigned.merge(a.target().name(), 1, Integer::sum);
        Activity.dataInputs(a.op()).forEach(o -> t.reads.merge(o.toString(), 1, Integer::sum));
      } else if (s instanceof Stmt.Effect e) {
        e.call().inputs().forEach(o -> t.reads.merge(o.toString(), 1, Integer::sum));
      } else if (s instanceof Stmt.Return r) {
        t.reads.merge(r.value().toString(), 1, Integer::sum);
      } else if (s instanceof Stmt.If i) {
        List<Operand> ops = new ArrayList<>();
        dev.adjoint.processor.ir.Cond.operands(i.cond(), ops);
        ops.forEach(o -> t.reads.merge(o.toString(), 1, Integer::sum));
      } else if (s instanceof Stmt.Loop l) {
        List<Operand> ops = new ArrayList<>();
        dev.adjoint.processor.ir.Cond.operands(l.cond(), ops);
        l.counted().ifPresent(c -> {
          ops.add(c.from());
          ops.add(c.to());
        });
        ops.forEach(o -> t.reads.merge(o.toString(), 1, Integer::sum));
      }
    }
    return t.transform();
  }

  /** Whether a class has a method of a name and a number of parameters (the processor's element lookup). */
  @FunctionalInterface
  public interface DualLookup {
    /** Whether {@code owner} has a method {@code name} with {@code parameters} parameters. */
    boolean has(String owner, String name, int parameters);
  }

  /** For {@link #fused}: the lookup of fused methods, {@code null} for the plain sweep. */
  private DualLookup dual;

  /** For {@link #fused}: how often each variable is assigned, and read, in the whole body. */
  private final Map<String, Integer> assigned = new HashMap<>();

  private final Map<String, Integer> reads = new HashMap<>();

  private Result transform() {
    Map<String, String> inputs = new LinkedHashMap<>();
    for (Input in : f.inputs()) {
      if (in.wrt()) {
        String t = names.tangent(in.var().name());
        inputs.put(in.var().name(), t);
        tangent.put(in.var().name(), new AExpr.Ref(t));
      }
    }
    List<TStmt> out = block(f.body().stmts());
    Operand result = null;
    for (Stmt s : f.body().stmts()) {
      if (s instanceof Stmt.Return r) {
        result = r.value();
      }
    }
    if (result == null) {
      throw new IllegalStateException("no return in " + f.name());
    }
    return new Result(out, result, of(result), inputs, mutable);
  }

  private Origin commented;

  private List<TStmt> block(List<Stmt> stmts) {
    List<TStmt> out = new ArrayList<>();
    for (Stmt s : stmts) {
      switch (s) {
        case Stmt.Assign a -> {
          comment(out, a.origin());
          assign(a, out);
        }
        case Stmt.Effect e -> {
          comment(out, e.origin());
          out.add(new TStmt.Primal(e));
        }
        case Stmt.Return r -> { }
        case Stmt.If i -> {
          commented = null;
          List<TStmt> then = block(i.then().stmts());
          commented = null;
          List<TStmt> otherwise = block(i.otherwise().stmts());
          commented = null;
          out.add(new TStmt.If(i, then, otherwise));
        }
        case Stmt.Loop l -> {
          commented = null;
          List<TStmt> init = block(l.init().stmts());
          commented = null;
          List<TStmt> head = block(l.head().stmts());
          commented = null;
          List<TStmt> body = block(l.body().stmts());
          commented = null;
          List<TStmt> update = block(l.update().stmts());
          commented = null;
          out.add(new TStmt.Loop(l, init, head, body, update));
        }
      }
    }
    return out;
  }

  private void comment(List<TStmt> out, Origin o) {
    if (commented == null || !commented.sameStatement(o)) {
      out.add(new TStmt.Comment(o));
      commented = o;
    }
  }

  private void assign(Stmt.Assign a, List<TStmt> out) {
    Var t = a.target();
    boolean active = activity.active(t);
    if (active && a.op() instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d) {
      String holder = names.jvp(t.name());
      List<AExpr> tangents = new ArrayList<>();
      for (int i = 0; i < c.args().size(); i++) {
        if (!d.gradientOf().get(i).isEmpty()) {
          tangents.add(passed(c.args().get(i)));
        }
      }
      for (Callee.FieldGradient fg : d.fieldGradients()) {
        tangents.add(passed(new Var(fg.field(), Type.TENSOR)));
      }
      out.add(new TStmt.JvpCall(a, d, holder, tangents));
      set(t, new AExpr.Invoke(new AExpr.Ref(holder), "tangent", List.of()), out);
      return;
    }
    if (active && dual != null && fuse(a, out)) {
      return;
    }
    out.add(new TStmt.Primal(a));
    if (!active) {
      return;
    }
    set(t, tangentOf(a, t), out);
  }

  /**
   * Emits {@code a} and its tangent as one fused call ({@link #fused}) if its row has one and a tangent moves;
   * folds the add just before it into the call when that add's result is read here only.
   */
  private boolean fuse(Stmt.Assign a, List<TStmt> out) {
    if (!(a.op() instanceof Op.Call c) || !(c.callee() instanceof Callee.Primitive p) || p.listArity() != 0
        || !p.receiverInputs().isEmpty() || !p.vjp().endsWith("Vjp") || a.target().type().kind() != Type.Kind.TENSOR) {
      return false;
    }
    List<Operand> ins = c.inputs();
    List<AExpr> tangents = new ArrayList<>();
    boolean moves = false;
    for (Operand in : ins) {
      if (in.type().kind() != Type.Kind.TENSOR) {
        return false;
      }
      AExpr ti = of(in);
      moves |= !(ti instanceof AExpr.Zero);
      tangents.add(ti);
    }
    String name = p.vjp().substring(0, p.vjp().length() - "Vjp".length()) + "Dual";
    if (!moves || !dual.has(p.rules(), name, 2 * ins.size())) {
      return false;
    }
    List<AExpr> args = new ArrayList<>();
    List<Operand> operands = ins;
    if (ins.size() == 1 && dual.has(p.rules(), name, 4) && foldable(ins.get(0), out)) {
      // z = a + b; y = op(z): op(a + b) in one call, z and its tangent never materialised
      Stmt.Assign add = folded;
      operands = add.op().inputs();
      tangents = new ArrayList<>();
      for (Operand in : operands) {
        tangents.add(of(in));
      }
      while (!(out.get(out.size() - 1) instanceof TStmt.Primal pr && pr.stmt() == add)) {
        out.remove(out.size() - 1);
      }
      out.remove(out.size() - 1);
    }
    operands.forEach(o -> args.add(ref(o)));
    tangents.forEach(x -> args.add(orNull(x)));
    Var t = a.target();
    String holder = assigned.getOrDefault(t.name(), 0) > 1 ? names.fresh(names.jvp(t.name()), a) : names.jvp(t.name());
    String tangentName = names.tangent(t.name());
    out.add(new TStmt.Dual(a, holder, new AExpr.StaticCall(p.rules(), name, args), tangentName));
    tangent.put(t.name(), new AExpr.Ref(tangentName));
    return true;
  }

  /** For {@link #fuse}: the add that {@link #foldable} found. */
  private Stmt.Assign folded;

  /**
   * Whether {@code z} is the result of a tensor add ({@code a.add(b)}) emitted just before, in the same user
   * statement, assigned once and read by nothing but the operation being fused; sets {@link #folded}.
   */
  private boolean foldable(Operand z, List<TStmt> out) {
    if (!(z instanceof Var v) || assigned.getOrDefault(v.name(), 0) != 1 || reads.getOrDefault(v.name(), 0) != 1
        || v.equals(resultVar())) {
      return false;
    }
    for (int i = out.size() - 1; i >= 0 && i >= out.size() - 2; i--) {
      switch (out.get(i)) {
        case TStmt.Primal pr when pr.stmt() instanceof Stmt.Assign add && add.target().equals(v) -> {
          if (add.op() instanceof Op.Call c && c.callee() instanceof Callee.Primitive p && p.scalar().equals("+")
              && p.listArity() == 0 && p.receiverInputs().isEmpty() && c.inputs().size() == 2
              && c.inputs().stream().allMatch(o -> o.type().kind() == Type.Kind.TENSOR)) {
            folded = add;
            return true;
          }
          return false;
        }
        case TStmt.Tangent tt when tt.name().equals(names.tangent(v.name())) -> { }
        default -> {
          return false;
        }
      }
    }
    return false;
  }

  private Operand resultVar() {
    for (Stmt s : f.body().stmts()) {
      if (s instanceof Stmt.Return r) {
        return r.value();
      }
    }
    return null;
  }

  /** A tangent handed to a callee's {@code fJvp}: zero is {@code 0} or {@code null} (zero tangent). */
  private AExpr passed(Operand o) {
    AExpr t = of(o);
    if (t instanceof AExpr.Zero) {
      return new AExpr.Lit(o.type().kind() == Type.Kind.TENSOR ? "null" : "0");
    }
    return t;
  }

  private void set(Var t, AExpr value, List<TStmt> out) {
    String name = names.tangent(t.name());
    if (mutable) {
      if (value instanceof AExpr.Zero) {
        value = t.type().kind() == Type.Kind.TENSOR
            ? new AExpr.StaticCall(TENSOR, "zerosLike", List.of(new AExpr.Ref(t.name())))
            : new AExpr.Lit(t.type().kind() == Type.Kind.FLOAT ? "0f" : "0");
      }
      out.add(new TStmt.Tangent(name, t.type(), value));
      tangent.put(t.name(), new AExpr.Ref(name));
      return;
    }
    if (value instanceof AExpr.Zero || aliasable(value)) {
      tangent.put(t.name(), value);
      return;
    }
    out.add(new TStmt.Tangent(name, t.type(), value));
    tangent.put(t.name(), new AExpr.Ref(name));
  }

  /** The tangent of an operand: zero for constants and values that do not depend on an input. */
  private AExpr of(Operand o) {
    if (!(o instanceof Var v) || !activity.varied().contains(v.name())) {
      return ZERO;
    }
    if (mutable) {
      return tangent.containsKey(v.name()) || activity.active(v) ? new AExpr.Ref(names.tangent(v.name())) : ZERO;
    }
    return tangent.getOrDefault(v.name(), ZERO);
  }

  private AExpr tangentOf(Stmt.Assign a, Var t) {
    return switch (a.op()) {
      case Op.Arith ar -> arith(ar, t);
      case Op.Neg n -> AExpr.neg(of(n.operand()));
      case Op.Copy c -> of(c.operand());
      case Op.Cast c -> {
        AExpr v = of(c.operand());
        yield t.type().kind() == Type.Kind.FLOAT && c.operand().type().kind() == Type.Kind.DOUBLE
            && !(v instanceof AExpr.Zero) ? new AExpr.Cast(Type.FLOAT, v) : v;
      }
      case Op.Element e -> e.array() instanceof Var arr && inputsTangent(arr) != null
          ? new AExpr.Ref(inputsTangent(arr) + "[" + e.index() + "]") : ZERO;
      case Op.Call c -> call(a, c, t);
      case Op.Length l -> ZERO;
      case Op.Test test -> ZERO;
    };
  }

  private String inputsTangent(Var arr) {
    for (Input in : f.inputs()) {
      if (in.wrt() && in.var().equals(arr)) {
        return names.tangent(arr.name());
      }
    }
    return null;
  }

  private AExpr arith(Op.Arith ar, Var t) {
    Operand l = ar.left();
    Operand r = ar.right();
    AExpr tl = of(l);
    AExpr tr = of(r);
    return switch (ar.op()) {
      case '+' -> plus(tl, tr);
      case '-' -> minus(tl, tr);
      case '*' -> {
        if (l instanceof Var && l.equals(r)) {
          yield AExpr.mul(AExpr.mul(new AExpr.Lit("2"), ref(l)), tl);
        }
        yield plus(AExpr.mul(tl, ref(r)), AExpr.mul(ref(l), tr));
      }
      // (ṫl - t·ṫr) / r, reusing the quotient the forward computed
      case '/' -> tr instanceof AExpr.Zero ? AExpr.div(tl, ref(r))
          : AExpr.div(minus(tl, AExpr.mul(ref(t), tr)), ref(r));
      default -> ZERO;
    };
  }

  private AExpr call(Stmt.Assign a, Op.Call c, Var t) {
    List<Operand> ins = c.inputs();
    return switch (c.callee()) {
      case Callee.Primitive p -> primitive(a, c, p, ins, t);
      case Callee.WithRule w -> withRule(a, w, ins, t);
      case Callee.Differentiable d -> throw new IllegalStateException("composed through fJvp");
      case Callee.Passive p -> ZERO;
    };
  }

  private AExpr primitive(Stmt.Assign a, Op.Call c, Callee.Primitive p, List<Operand> ins, Var t) {
    List<AExpr> tangents = new ArrayList<>();
    boolean anyTensor = false;
    boolean anyScalar = false;
    for (Operand in : ins) {
      AExpr ti = of(in);
      anyTensor |= in.type().kind() == Type.Kind.TENSOR && !(ti instanceof AExpr.Zero);
      anyScalar |= in.type().floating() && !(ti instanceof AExpr.Zero);
      tangents.add(ti);
    }
    if (!anyTensor && !anyScalar) {
      return ZERO;
    }
    List<AExpr> primal = new ArrayList<>();
    primal.add(ref(t));
    int listed = p.listArity();
    if (listed > 0) {
      List<AExpr> elements = new ArrayList<>();
      for (Operand in : ins.subList(0, listed)) {
        elements.add(ref(in));
      }
      primal.add(new AExpr.StaticCall("java.util.List", "of", elements));
    }
    for (int i = listed; i < ins.size(); i++) {
      primal.add(ref(ins.get(i)));
    }
    AExpr value;
    if (!p.jvp().isEmpty() && listed == 0) {
      List<AExpr> args = new ArrayList<>();
      for (int i = 0; i < ins.size(); i++) {
        if (i >= p.tangentSlots().size() || !p.tangentSlots().get(i)) {
          continue;
        }
        if (ins.get(i).type().kind() == Type.Kind.TENSOR) {
          args.add(orNull(tangents.get(i)));
        } else {
          args.add(tangents.get(i) instanceof AExpr.Zero ? new AExpr.Lit("0") : tangents.get(i));
        }
      }
      args.addAll(primal);
      value = new AExpr.StaticCall(p.rules(), p.jvp(), args);
    } else if (ins.size() == 1 && listed == 0 && p.receiverInputs().isEmpty()
        && (p.scalar().startsWith("Math.") || p.scalar().equals("neg"))) {
      // an elementwise operation of one tensor: its Jacobian is diagonal, so the adjoint of the tangent
      List<AExpr> args = new ArrayList<>();
      args.add(tangents.get(0));
      args.addAll(primal);
      value = new AExpr.Invoke(new AExpr.StaticCall(p.rules(), p.vjp(), args), "get",
          List.of(new AExpr.Lit("0")));
      return value;
    } else {
      value = viaVjp(p.rules(), p.vjp(), primal, ins, tangents, listed);
    }
    if (!anyTensor && t.type().kind() == Type.Kind.TENSOR) {
      // only scalar tangents: the JVP is null when they are zero at run time
      value = new AExpr.StaticCall(JVPS, "orZeros", List.of(value, ref(t)));
    }
    return value;
  }

  /** {@code Jvps.viaVjp(Rules.class, "fooVjp", out, Jvps.of(inputs...), Jvps.of(tangents...))}. */
  private static AExpr viaVjp(String rules, String vjp, List<AExpr> primal, List<Operand> ins, List<AExpr> tangents,
      int listed) {
    List<AExpr> inputArgs = primal.subList(1, primal.size());
    List<AExpr> tangentArgs = new ArrayList<>();
    for (int i = 0; i < ins.size(); i++) {
      Type ty = ins.get(i).type();
      if (ty.kind() == Type.Kind.TENSOR || ty.floating()) {
        tangentArgs.add(orNull(tangents.get(i)));
      } else if (i >= listed) {
        tangentArgs.add(new AExpr.Lit("null"));
      }
    }
    return new AExpr.StaticCall(JVPS, "viaVjp", List.of(new AExpr.StaticField(rules, "class"),
        new AExpr.Lit("\"" + vjp + "\""), primal.get(0), new AExpr.StaticCall(JVPS, "of", inputArgs),
        new AExpr.StaticCall(JVPS, "of", tangentArgs)));
  }

  private AExpr withRule(Stmt.Assign a, Callee.WithRule w, List<Operand> ins, Var t) {
    if (w.jvp().isPresent()) {
      return userJvp(a, w.jvp().get(), ins, t);
    }
    AExpr sum = ZERO;
    for (int i = 0; i < ins.size(); i++) {
      AExpr ti = of(ins.get(i));
      if (ti instanceof AExpr.Zero) {
        continue;
      }
      final int index = i;
      Callee.Rule rule = w.rules().get(0).wrt() < 0 ? w.rules().get(0)
          : w.rules().stream().filter(r -> r.wrt() == index).findFirst().orElse(null);
      if (rule == null) {
        report.add(Message.NO_DERIVATIVE, (Site) a.origin().site(),
            w.method() + " (argument " + (i + 1) + ")", simple(w.owner()), w.method());
        continue;
      }
      List<AExpr> args = new ArrayList<>();
      args.add(ti);
      args.add(ref(t));
      for (Operand in : ins) {
        args.add(ref(in));
      }
      if (rule.returnsGrads()) {
        if (t.type().kind() != Type.Kind.TENSOR) {
          report.add(Message.NO_JVP, (Site) a.origin().site(), w.method(),
              "its rule " + simple(rule.owner()) + "." + rule.method() + " returns Grads for a scalar result",
              "Write the rule with wrt = i, one per input, returning the gradient itself, or declare the JVP"
                  + " with @Derivative(of = " + simple(w.owner()) + ".class, method = \"" + w.method()
                  + "\", kind = Derivative.Kind.JVP)");
          return ZERO;
        }
      }
      if (t.type().kind() == Type.Kind.TENSOR) {
        // J·ṫ from the rule (Adjoints.ruleJvp): the adjoint applied to the tangent is Jᵀ·ṫ, the JVP only for a
        // symmetric Jacobian, and a Grads rule goes through the same call per input
        List<AExpr> inputs = new ArrayList<>();
        for (Operand in : ins) {
          inputs.add(ref(in));
        }
        AExpr part = new AExpr.StaticCall("dev.adjoint.autograd.Adjoints", "ruleJvp", List.of(
            new AExpr.StaticCall("java.lang.invoke.MethodHandles", "lookup", List.of()),
            new AExpr.StaticField(rule.owner(), "class"), new AExpr.Lit("\"" + rule.method() + "\""),
            new AExpr.Lit(Integer.toString(i)), ref(t), new AExpr.StaticCall(JVPS, "of", inputs), ti));
        sum = sum instanceof AExpr.Zero ? part : new AExpr.StaticCall(JVPS, "plus", List.of(ref(t), sum, part));
        continue;
      }
      // an adjoint is linear in its cotangent, and a scalar's Jacobian is symmetric: vjp(ṫ) is this input's part
      AExpr part = new AExpr.StaticCall(rule.owner(), rule.method(), args);
      if (t.type().kind() == Type.Kind.FLOAT && rule.returns().kind() == Type.Kind.DOUBLE) {
        part = new AExpr.Cast(Type.FLOAT, part);
      }
      sum = plus(sum, part);
    }
    return sum;
  }

  /**
   * The user's JVP ({@code @Derivative(kind = JVP)}): {@code rule(tangents..., out, inputs...)}, one tangent per
   * input that takes one, zeros ({@code 0}, {@code Tensor.zerosLike(x)}) for an input that does not move.
   */
  private AExpr userJvp(Stmt.Assign a, Callee.JvpRule rule, List<Operand> ins, Var t) {
    List<AExpr> args = new ArrayList<>();
    boolean moves = false;
    for (int i = 0; i < ins.size(); i++) {
      if (!rule.tangentSlots().get(i)) {
        continue;
      }
      AExpr ti = of(ins.get(i));
      moves |= !(ti instanceof AExpr.Zero);
      args.add(!(ti instanceof AExpr.Zero) ? ti : rule.tensorSlots().get(i)
          ? new AExpr.StaticCall(TENSOR, "zerosLike", List.of(ref(ins.get(i)))) : new AExpr.Lit("0"));
    }
    if (!moves) {
      return ZERO;
    }
    args.add(ref(t));
    for (Operand in : ins) {
      args.add(ref(in));
    }
    AExpr call = new AExpr.StaticCall(rule.owner(), rule.method(), args);
    if (t.type().kind() == Type.Kind.TENSOR) {
      // the tangent must have the result's shape (PyTorch's forward mode refuses any other): checked, naming the rule
      return new AExpr.StaticCall(JVPS, "fromRule", List.of(call, ref(t),
          new AExpr.Lit("\"" + simple(rule.owner()) + "." + rule.method() + "\""),
          new AExpr.Lit("\"" + a.origin().position() + "\"")));
    }
    return t.type().kind() == Type.Kind.FLOAT && rule.returns().kind() == Type.Kind.DOUBLE
        ? new AExpr.Cast(Type.FLOAT, call) : call;
  }

  private static AExpr orNull(AExpr t) {
    return t instanceof AExpr.Zero ? new AExpr.Lit("null") : t;
  }

  private static AExpr plus(AExpr a, AExpr b) {
    if (a instanceof AExpr.Zero) {
      return b;
    }
    if (b instanceof AExpr.Zero) {
      return a;
    }
    if (b instanceof AExpr.Neg n) {
      return new AExpr.Bin('-', a, n.operand());
    }
    return new AExpr.Bin('+', a, b);
  }

  private static AExpr minus(AExpr a, AExpr b) {
    if (b instanceof AExpr.Zero) {
      return a;
    }
    if (a instanceof AExpr.Zero) {
      return AExpr.neg(b);
    }
    if (b instanceof AExpr.Neg n) {
      return new AExpr.Bin('+', a, n.operand());
    }
    return new AExpr.Bin('-', a, b);
  }

  private static boolean aliasable(AExpr e) {
    return e instanceof AExpr.Ref || e instanceof AExpr.Lit
        || (e instanceof AExpr.Neg n && n.operand() instanceof AExpr.Ref);
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
