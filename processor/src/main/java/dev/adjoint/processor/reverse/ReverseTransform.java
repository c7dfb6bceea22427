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
import dev.adjoint.processor.diag.ValidationReport;
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
 * construction. A body with {@code if} or loops goes through {@code ControlFlow} below instead:
 * mutable adjoints, recorded branch decisions and trip counts, pushed overwritten values (see
 * {@link Tape}).
 */
public final class ReverseTransform {
  /**
   * The backward pass.
   *
   * @param stmts the backward statements, {@code // ∂} comments included
   * @param inputAdjoints input variable → its adjoint ({@link AExpr#ZERO} if none)
   * @param pullbacks call target → pullback variable, for the calls composed through pullbacks
   */
  public record Result(List<AStmt> stmts, Map<String, AExpr> inputAdjoints, Map<String, Var> pullbacks,
      java.util.Optional<Tape> tape) {
    /** Straight-line code: nothing recorded beyond saved values. */
    public Result(List<AStmt> stmts, Map<String, AExpr> inputAdjoints, Map<String, Var> pullbacks) {
      this(stmts, inputAdjoints, pullbacks, java.util.Optional.empty());
    }
  }

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
    if (Stmt.hasControlFlow(f.body().stmts()) || Stmt.readsElements(f.body().stmts())) {
      return new ControlFlow().transform(seed);
    }
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
      if (nullable.contains(a.target().name())) {
        upstream = new AExpr.StaticCall("dev.adjoint.autograd.Adjoints", "orZeros",
            List.of(upstream, shapeOnly(ref(a.target()))));
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
      case Op.Element e -> {
        if (e.array() instanceof Var arr && activity.active(arr)) {
          String name = names.adjoint(arr.name());
          arrayAdjoints.put(name, arr);
          block.add(new AStmt.AccumulateElement(name, ref(e.index()), u));
        }
      }
      case Op.Length l -> { }
      case Op.Test test -> { }
    }
  }

  /**
   * The other factor of a product's adjoint: {@code ref(o)}, cast to the product's type {@code ty} when it is an
   * int and the adjoint {@code u} is the literal one, which the product folds away. {@code 1.0f * n} would become
   * {@code n}, an int, and a later {@code n / 4} an int division (the fuzzer's {@code float f(int n, float y)}
   * with {@code z = y / 4; return n * z;} had the direct fGrad's d/dy 0 where it is n / 4).
   */
  private AExpr factor(Operand o, AExpr u, Type ty) {
    boolean integral = o.type().kind() == Type.Kind.INT || o.type().kind() == Type.Kind.LONG;
    boolean floating = ty.kind() == Type.Kind.DOUBLE || ty.kind() == Type.Kind.FLOAT;
    return integral && floating && AExpr.isOne(u) ? new AExpr.Cast(ty, ref(o)) : ref(o);
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
          accumulate(l, AExpr.mul(u, factor(r, u, ty)), ty);
          accumulate(r, AExpr.mul(u, factor(l, u, ty)), ty);
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
    Callee.Primitive prim = c.callee() instanceof Callee.Primitive p ? p : null;
    args.add(prim != null && !prim.readsValue(-1) ? shapeOnly(ref(t)) : ref(t));
    int listed = prim != null ? prim.listArity() : 0;
    if (listed > 0) {
      // Tensor.cat(List.of(a, b), dim): the adjoint takes the list again and returns one entry per tensor
      List<AExpr> elements = new ArrayList<>();
      for (Operand in : ins.subList(0, listed)) {
        elements.add(ref(in));
      }
      args.add(new AExpr.StaticCall("java.util.List", "of", elements));
    }
    for (int i = listed; i < ins.size(); i++) {
      Operand in = ins.get(i);
      args.add(prim != null && !prim.readsValue(i) && in.type().kind() == Type.Kind.TENSOR ? shapeOnly(ref(in))
          : ref(in));
    }
    switch (c.callee()) {
      case Callee.Primitive p -> grads(a, ins, new AExpr.StaticCall(p.rules(), p.vjp(), args), t, null);
      case Callee.WithRule w -> {
        if (w.rules().get(0).wrt() < 0) {
          // (several rules for one method are a BadDerivative error already; the first keeps this going)
          Callee.Rule rule = w.rules().get(0);
          AExpr call = new AExpr.StaticCall(rule.owner(), rule.method(), args);
          if (rule.returnsGrads()) {
            grads(a, ins, call, t, rule);
          } else {
            for (int i = 0; i < ins.size(); i++) {
              accumulate(ins.get(i), fromRule(a, rule, i, ins.get(i), call), rule.returns());
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
          accumulate(ins.get(i), fromRule(a, rule.get(), i, ins.get(i),
              new AExpr.StaticCall(rule.get().owner(), rule.get().method(), args)), rule.get().returns());
        }
      }
      case Callee.Differentiable d -> differentiable(c, d, t, u);
      case Callee.Passive p -> { }
    }
  }

  /**
   * The gradient {@code gi} that the user's {@code rule} returns for input {@code i}, as the backward takes it: a
   * tensor's through {@code Adjoints.fromRule}, which sums a broadcast gradient back to the input's shape as PyTorch
   * does and otherwise throws naming the rule, its parameter, both shapes and the user's statement.
   */
  private static AExpr fromRule(Stmt.Assign a, Callee.Rule rule, int i, Operand in, AExpr gi) {
    if (in.type().kind() != Type.Kind.TENSOR) {
      return gi;
    }
    return new AExpr.StaticCall("dev.adjoint.autograd.Adjoints", "fromRule", List.of(gi, ref(in),
        new AExpr.Lit("\"" + rule.display() + "\""), new AExpr.Lit("\"" + rule.param(i) + "\""),
        new AExpr.Lit("\"" + a.origin().position() + "\"")));
  }

  /**
   * A rule returning {@code Grads}: one holder if several inputs are active, inline otherwise; {@code rule} is the
   * user's {@code @Derivative} rule ({@link #fromRule}), {@code null} for a library row.
   */
  private void grads(Stmt.Assign a, List<Operand> ins, AExpr call, Var t, Callee.Rule rule) {
    List<Integer> active = new ArrayList<>();
    for (int i = 0; i < ins.size(); i++) {
      // a Tensor[] passed to a row is its index tensors (index, indexPut): no row returns a gradient for one
      if (activity.active(ins.get(i)) && !ins.get(i).type().isTensorArray()) {
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
        // a double input's gradient is read exactly (a float64 tensor's too); a float one as float
        boolean exact = in.type().kind() == Type.Kind.DOUBLE;
        gi = new AExpr.Invoke(gi, exact ? "itemDouble" : "item", List.of());
        accumulate(in, gi, exact ? Type.DOUBLE : Type.FLOAT);
      } else {
        accumulate(in, rule == null ? gi : fromRule(a, rule, i, in, gi), t.type());
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
      AExpr component = new AExpr.Invoke(holder, components.get(i), List.of());
      // a tensor component is null when that input cannot affect the callee's result
      accumulate(target, component, target.type(), target.type().kind() == Type.Kind.TENSOR);
    }
  }

  /**
   * Adds {@code value} (of type {@code valueType}) into the adjoint of {@code x}, if {@code x} is
   * active. The first contribution is an alias when it is a plain name, a declaration otherwise.
   */
  private void accumulate(Operand x, AExpr value, Type valueType) {
    accumulate(x, value, valueType, false);
  }

  /**
   * Tensor adjoints that may be null at run time (only a composed call's gradient components): they
   * add through the null-safe {@code Adjoints.add}, and one that seeds its statement's adjoint is
   * replaced by zeros of its value's shape if still null ({@code Adjoints.orZeros}).
   */
  private final java.util.Set<String> nullable = new java.util.HashSet<>();

  private void accumulate(Operand x, AExpr value, Type valueType, boolean valueNullable) {
    if (!(x instanceof Var v) || !activity.active(v) || value instanceof AExpr.Zero) {
      return;
    }
    if (v.type().kind() == Type.Kind.FLOAT && valueType.kind() == Type.Kind.DOUBLE) {
      value = new AExpr.Cast(Type.FLOAT, value);
    }
    if (mutableAdjoints != null) {
      String name = names.adjoint(v.name());
      mutableAdjoints.putIfAbsent(name, v.type());
      block.add(new AStmt.Accumulate(name, v.type(), value, false));
      return;
    }
    AExpr current = adjoint.get(v.name());
    String name = names.adjoint(v.name());
    boolean wasNullable = nullable.contains(v.name());
    if (current == null ? !valueNullable : !(wasNullable && valueNullable)) {
      nullable.remove(v.name());
    } else {
      nullable.add(v.name());
    }
    if (v.type().kind() == Type.Kind.TENSOR && current != null && (wasNullable || valueNullable)) {
      // either side may be null: Adjoints.add
      if (current instanceof AExpr.Ref r0 && r0.name().equals(name) && declared.contains(name)) {
        block.add(new AStmt.Accumulate(name, v.type(), value, false, true));
      } else {
        block.add(new AStmt.Accumulate(name, v.type(),
            new AExpr.StaticCall("dev.adjoint.autograd.Adjoints", "add", List.of(current, value)), true));
      }
      declared.add(name);
      adjoint.put(v.name(), new AExpr.Ref(name));
      return;
    }
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

  /** The adjoints of {@code Tensor[]} inputs (name → the array), declared once before the backward. */
  private final Map<String, Var> arrayAdjoints = new LinkedHashMap<>();

  /** Non-null in control-flow mode: every adjoint is a mutable variable (name → type). */
  private Map<String, Type> mutableAdjoints;

  /**
   * The transform of a body with {@code if} and loops (Tapenade's and Tangent's scheme). Adjoints are
   * mutable variables: contributions add in, and the adjoint of a variable that the forward overwrites
   * is reset once its assignment is reversed. The backward replays recorded branch decisions and trip
   * counts; a counted loop runs its index backwards instead. A variable that the forward overwrites and
   * the backward reads gets its old value pushed before each overwrite, popped after the assignment is
   * reversed, so every statement's adjoint reads the values it saw in the forward. After the walk,
   * pruning keeps only records the backward actually reads.
   */
  private final class ControlFlow {
    private final Set<String> reassigned = new HashSet<>();
    private final Set<Stmt> pushing = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Map<Stmt, String> branchNames = new java.util.IdentityHashMap<>();
    private final Map<Stmt, String> tripNames = new java.util.IdentityHashMap<>();
    private final Map<Stmt, String> counterNames = new java.util.IdentityHashMap<>();
    private final Set<String> stackNames = new HashSet<>();
    private final Set<String> counted = new HashSet<>();
    private String seeded = "";

    Result transform(AExpr seed) {
      List<Stmt> stmts = f.body().stmts();
      // which variables the forward overwrites: assigned in a loop, or in more than one place
      Map<String, Integer> count = new HashMap<>();
      Set<String> first = new HashSet<>();
      scan(stmts, false, count, first);
      for (var e : count.entrySet()) {
        if (e.getValue() > 1) {
          reassigned.add(e.getKey());
        }
      }
      reassigned.removeAll(counted);
      mutableAdjoints = new LinkedHashMap<>();
      for (Stmt s : stmts) {
        if (s instanceof Stmt.Return r && activity.active(r.value())) {
          seeded = names.adjoint(((Var) r.value()).name());
          mutableAdjoints.put(seeded, r.value().type());
        }
      }
      // walk until the set of adjoints is stable: in a loop an adjoint is used before its first contribution
      List<AStmt> walked;
      int size;
      do {
        size = mutableAdjoints.size();
        walked = reverse(stmts, false);
      } while (mutableAdjoints.size() != size);
      Set<String> reads = new HashSet<>();
      reads(walked, reads);
      List<AStmt> pruned = dropFinalResets(prune(walked, reads));
      Set<String> present = new HashSet<>();
      names(pruned, present);
      Map<Stmt, String> branches = new java.util.IdentityHashMap<>();
      branchNames.forEach((k, v) -> {
        if (present.contains(v)) {
          branches.put(k, v);
        }
      });
      Map<Stmt, String> trips = new java.util.IdentityHashMap<>();
      Map<Stmt, String> counters = new java.util.IdentityHashMap<>();
      tripNames.forEach((k, v) -> {
        if (present.contains(v)) {
          trips.put(k, v);
          if (counterNames.containsKey(k)) {
            counters.put(k, counterNames.get(k));
          }
        }
      });
      Map<Stmt, String> pushes = new java.util.IdentityHashMap<>();
      Map<Stmt, String> pullbackPushes = new java.util.IdentityHashMap<>();
      Map<String, Var> saved = new LinkedHashMap<>();
      Set<String> restored = new java.util.LinkedHashSet<>();
      for (Stmt s : Stmt.flatten(stmts)) {
        if (s instanceof Stmt.Assign a && pushing.contains(a) && reads.contains(a.target().name())) {
          String stack = names.saved(a.target().name());
          pushes.put(a, stack);
          saved.put(stack, a.target());
          restored.add(a.target().name());
        }
        if (s instanceof Stmt.Assign a && pushing.contains(a) && pullbacks.get(a.target().name()) instanceof Var p
            && reads.contains(p.name())) {
          String stack = names.saved(p.name());
          pullbackPushes.put(a, stack);
          saved.put(stack, p);
          restored.add(p.name());
        }
      }
      Map<String, AExpr> inputs = new LinkedHashMap<>();
      for (Input in : f.inputs()) {
        if (in.wrt()) {
          String n = names.adjoint(in.var().name());
          inputs.put(in.var().name(),
              mutableAdjoints.containsKey(n) || arrayAdjoints.containsKey(n) ? new AExpr.Ref(n) : ZERO);
        }
      }
      if (!arrayAdjoints.isEmpty()) {
        // a Tensor[] input's gradient: same length, an entry stays null until a gradient reaches it
        List<AStmt> withArrays = new ArrayList<>();
        arrayAdjoints.forEach((n, arr) -> withArrays.add(new AStmt.Let(Type.TENSOR_ARRAY, n,
            new AExpr.StaticCall("dev.adjoint.autograd.Adjoints", "like", List.of(new AExpr.Ref(arr.name()))))));
        withArrays.addAll(pruned);
        pruned = withArrays;
      }
      Tape tape = new Tape(new LinkedHashMap<>(mutableAdjoints), seeded, branches, trips, counters, Set.copyOf(stackNames), pushes, pullbackPushes,
          saved, restored);
      return new Result(pruned, inputs, pullbacks, java.util.Optional.of(tape));
    }

    private void scan(List<Stmt> stmts, boolean inLoop, Map<String, Integer> count, Set<String> first) {
      for (Stmt s : stmts) {
        switch (s) {
          case Stmt.Assign a -> {
            String t = a.target().name();
            count.merge(t, inLoop ? 2 : 1, Integer::sum);
            if (!counted.contains(t) && (inLoop || !first.add(t))) {
              pushing.add(a);
            }
          }
          case Stmt.If i -> {
            scan(i.then().stmts(), inLoop, count, first);
            scan(i.otherwise().stmts(), inLoop, count, first);
          }
          case Stmt.Loop l -> {
            l.counted().ifPresent(c -> counted.add(c.index().name()));
            scan(l.init().stmts(), inLoop, count, first);
            scan(l.head().stmts(), true, count, first);
            scan(l.body().stmts(), true, count, first);
            scan(l.update().stmts(), true, count, first);
          }
          default -> { }
        }
      }
    }

    /** The backward of {@code stmts}, in reverse, with restore placeholders for every overwrite. */
    private List<AStmt> reverse(List<Stmt> stmts, boolean inLoop) {
      List<AStmt> result = new ArrayList<>();
      Origin commented = null;
      for (int i = stmts.size() - 1; i >= 0; i--) {
        switch (stmts.get(i)) {
          case Stmt.Assign a -> {
            Var t = a.target();
            String dT = names.adjoint(t.name());
            if (activity.active(t) && mutableAdjoints.containsKey(dT)) {
              block = new ArrayList<>();
              differentiate(a, new AExpr.Ref(dT));
              List<AStmt> adj = block;
              if (!adj.isEmpty()) {
                if (commented == null || !commented.sameStatement(a.origin())) {
                  result.add(new AStmt.Comment(a.origin()));
                  commented = a.origin();
                }
                if (t.type().kind() == Type.Kind.TENSOR) {
                  result.add(new AStmt.Guard(dT, adj));
                } else {
                  result.addAll(adj);
                }
              }
              if (reassigned.contains(t.name())) {
                // the value before this assignment is another value: its adjoint starts again from zero
                result.add(new AStmt.Reset(dT, t.type()));
              }
            }
            if (pushing.contains(a)) {
              result.add(new AStmt.Restore(t.name(), t.type(), names.saved(t.name())));
              Var p = pullbacks.get(t.name());
              if (p != null) {
                // a call composed through its pullback: the pullback is overwritten like the value
                result.add(new AStmt.Restore(p.name(), p.type(), names.saved(p.name())));
              }
            }
          }
          case Stmt.If x -> {
            List<AStmt> then = reverse(x.then().stmts(), inLoop);
            List<AStmt> otherwise = reverse(x.otherwise().stmts(), inLoop);
            String name = names.fresh("branch", x);
            branchNames.put(x, name);
            if (inLoop) {
              stackNames.add(name);
            }
            AExpr cond = inLoop ? new AExpr.Invoke(new AExpr.Ref(name), "popBoolean", List.of()) : new AExpr.Ref(name);
            result.add(new AStmt.Branch(cond, then, otherwise, x.origin()));
            commented = null;
          }
          case Stmt.Loop l -> {
            if (l.counted().isPresent()) {
              Stmt.Counted c = l.counted().get();
              List<AStmt> body = reverse(l.body().stmts(), true);
              result.add(new AStmt.Reverse(c.index().name(), ref(c.from()), ref(c.to()), true, c.inclusive(), body,
                  l.origin()));
            } else {
              List<AStmt> iteration = new ArrayList<>();
              if (l.kind() == Stmt.Loop.Kind.DO_WHILE) {
                iteration.addAll(reverse(l.head().stmts(), true));
                iteration.addAll(reverse(l.body().stmts(), true));
              } else {
                iteration.addAll(reverse(l.update().stmts(), true));
                iteration.addAll(reverse(l.body().stmts(), true));
                iteration.addAll(reverse(l.head().stmts(), true));
                // the last evaluation of the condition, which ended the loop
                result.addAll(reverse(l.head().stmts(), true));
              }
              String trips = names.fresh("trips", l);
              tripNames.put(l, trips);
              String counter = names.fresh("k", l.cond());
              AExpr from = new AExpr.Ref(trips);
              if (inLoop) {
                stackNames.add(trips);
                counterNames.put(l, names.fresh("count", l.origin()));
                from = new AExpr.Invoke(from, "pop", List.of());
              }
              result.add(new AStmt.Reverse(counter, from, ZERO, false, false, iteration, l.origin()));
            }
            result.addAll(reverse(l.init().stmts(), inLoop));
            commented = null;
          }
          default -> { }
        }
      }
      return result;
    }

    /** Primal and record names the backward reads (not counting restores, which only write). */
    private void reads(List<AStmt> stmts, Set<String> out) {
      for (AStmt s : stmts) {
        switch (s) {
          case AStmt.Let l -> dev.adjoint.processor.analysis.ToBeRecorded.refs(l.value(), out);
          case AStmt.Accumulate a -> dev.adjoint.processor.analysis.ToBeRecorded.refs(a.value(), out);
          case AStmt.AccumulateElement a -> {
            dev.adjoint.processor.analysis.ToBeRecorded.refs(a.index(), out);
            dev.adjoint.processor.analysis.ToBeRecorded.refs(a.value(), out);
          }
          case AStmt.Branch b -> {
            reads(b.then(), out);
            reads(b.otherwise(), out);
          }
          case AStmt.Reverse r -> {
            dev.adjoint.processor.analysis.ToBeRecorded.refs(r.from(), out);
            dev.adjoint.processor.analysis.ToBeRecorded.refs(r.to(), out);
            reads(r.body(), out);
          }
          case AStmt.Guard g -> reads(g.body(), out);
          default -> { }
        }
      }
    }

    /** Drops restores of values nothing reads, then branches and loops left empty. */
    private List<AStmt> prune(List<AStmt> stmts, Set<String> reads) {
      List<AStmt> out = new ArrayList<>();
      for (AStmt s : stmts) {
        switch (s) {
          case AStmt.Restore r -> {
            if (reads.contains(r.name())) {
              out.add(r);
            }
          }
          case AStmt.Branch b -> {
            List<AStmt> t = prune(b.then(), reads);
            List<AStmt> e = prune(b.otherwise(), reads);
            if (!t.isEmpty() || !e.isEmpty()) {
              out.add(new AStmt.Branch(b.cond(), t, e, b.origin()));
            }
          }
          case AStmt.Reverse r -> {
            List<AStmt> body = prune(r.body(), reads);
            if (!body.isEmpty()) {
              out.add(new AStmt.Reverse(r.counter(), r.from(), r.to(), r.counted(), r.inclusive(), body, r.origin()));
            }
          }
          default -> out.add(s);
        }
      }
      return out;
    }

    /** Drops top-level resets of adjoints that nothing after them mentions (dead stores). */
    private List<AStmt> dropFinalResets(List<AStmt> stmts) {
      List<AStmt> out = new ArrayList<>();
      for (int i = 0; i < stmts.size(); i++) {
        if (stmts.get(i) instanceof AStmt.Reset r) {
          Set<String> later = new HashSet<>();
          mentioned(stmts.subList(i + 1, stmts.size()), later);
          if (!later.contains(r.name())) {
            continue;
          }
        }
        out.add(stmts.get(i));
      }
      return out;
    }

    private void mentioned(List<AStmt> stmts, Set<String> out) {
      dev.adjoint.processor.analysis.ToBeRecorded.reads(stmts, out);
      for (AStmt s : stmts) {
        switch (s) {
          case AStmt.Accumulate a -> out.add(a.name());
          case AStmt.AccumulateElement a -> out.add(a.name());
          case AStmt.Reset r -> out.add(r.name());
          case AStmt.Guard g -> {
            out.add(g.adjoint());
            mentioned(g.body(), out);
          }
          case AStmt.Branch b -> {
            mentioned(b.then(), out);
            mentioned(b.otherwise(), out);
          }
          case AStmt.Reverse r -> mentioned(r.body(), out);
          default -> { }
        }
      }
    }

    private void names(List<AStmt> stmts, Set<String> out) {
      for (AStmt s : stmts) {
        switch (s) {
          case AStmt.Branch b -> {
            dev.adjoint.processor.analysis.ToBeRecorded.refs(b.cond(), out);
            names(b.then(), out);
            names(b.otherwise(), out);
          }
          case AStmt.Reverse r -> {
            dev.adjoint.processor.analysis.ToBeRecorded.refs(r.from(), out);
            names(r.body(), out);
          }
          case AStmt.Guard g -> names(g.body(), out);
          default -> { }
        }
      }
    }
  }

  private static boolean aliasable(AExpr e) {
    return e instanceof AExpr.Ref || e instanceof AExpr.Lit || e instanceof AExpr.StaticField
        || (e instanceof AExpr.Neg n && (n.operand() instanceof AExpr.Ref || n.operand() instanceof AExpr.Lit));
  }

  private static AExpr shapeOnly(AExpr e) {
    return e instanceof AExpr.Ref r ? new AExpr.ShapeOnly(r) : e;
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
