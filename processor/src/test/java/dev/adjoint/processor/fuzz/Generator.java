package dev.adjoint.processor.fuzz;

import static dev.adjoint.processor.fuzz.Feature.*;

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
import dev.adjoint.processor.fuzz.Ast.New;
import dev.adjoint.processor.fuzz.Ast.Pieces;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates a random, valid program from a seed: only definitely-assigned, reachable code, values kept
 * in their functions' domains (logarithms and roots of {@code 1 + x * x}, division by
 * {@code 1 + x * x}, exponentials of bounded arguments), every loop finite whatever its body does.
 */
public final class Generator {
  private static final double[] LITERALS = {0.5, 1.0, 2.0, 3.0, 0.25, 1.5, -1.5, -2.0, 0.75};
  private static final String[] CLASH_NAMES = {"result", "value", "pullback", "gradient", "dX", "x2", "mul1",
      "branch0", "trips0", "savedY", "count0", "returned1", "broke1", "continued1", "i2", "dOut", "inputs",
      "add1", "sin1", "dResult", "dY", "saved", "self", "h2"};
  private static final String[] LOOP_NAMES = {"i", "j", "k", "m"};
  private static final int[][] SHAPES = {{3}, {2, 3}};

  private final Random rnd;
  private final Set<Feature> features;
  private Kind kind;
  private List<Variable> scope = new ArrayList<>();
  private final Set<String> declared = new HashSet<>();
  private final Set<String> params = new HashSet<>();
  private final Deque<Loop> loops = new ArrayDeque<>();
  private int labels;
  private int counters;
  private int fresh;
  private int statements;
  private boolean lastCompletes;
  private boolean suppressHelper;
  private int earlyReturns;
  private Method helper;
  private Type helperResult;
  /** Switch arms being generated: an unlabeled break there would leave the switch, not the loop. */
  private int switches;
  /** No control flow in this program (STRAIGHT_LINE). */
  private boolean straight;

  /** A variable in scope; shape only for tensors. */
  private record Variable(String name, Type type, boolean assignable, int[] shape) {}

  /** Locals made by {@link #inPlace()} that later statements change in place ({@link Feature#IN_PLACE_LATER}). */
  private final java.util.Set<Variable> owned = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /** An enclosing loop: its label (null if none) and whether a break or continue targets it. */
  private static final class Loop {
    final String label;
    boolean targeted;

    Loop(String label) {
      this.label = label;
    }
  }

  /** A generator for one program. */
  public Generator(long seed, Set<Feature> features) {
    this.rnd = new Random(seed);
    this.features = features;
  }

  /** The program named {@code className}. */
  public Program generate(String className) {
    List<Kind> kinds = new ArrayList<>();
    if (on(DOUBLE_METHODS)) {
      kinds.add(Kind.DOUBLE);
      kinds.add(Kind.DOUBLE);
    }
    if (on(FLOAT_METHODS)) {
      kinds.add(Kind.FLOAT);
    }
    if (on(TENSOR_METHODS)) {
      kinds.add(Kind.TENSOR);
      kinds.add(Kind.TENSOR);
    }
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("no method kind enabled");
    }
    kind = kinds.get(rnd.nextInt(kinds.size()));
    straight = chance(STRAIGHT_LINE, 15);
    Map<String, int[]> shapes = new LinkedHashMap<>();
    if (on(HELPER_CALLS) && rnd.nextInt(3) > 0) {
      helper = helperMethod(shapes);
    }
    Method main = mainMethod(shapes);
    return new Program(className, kind, main, helper, shapes);
  }

  private boolean on(Feature f) {
    return features.contains(f);
  }

  private boolean chance(Feature f, int percent) {
    return on(f) && rnd.nextInt(100) < percent;
  }

  private <T> T pick(List<T> xs) {
    return xs.get(rnd.nextInt(xs.size()));
  }

  // ---------------------------------------------------------------- methods

  private Method helperMethod(Map<String, int[]> shapes) {
    resetMethod();
    Type t = kind == Kind.TENSOR ? Type.TENSOR : Type.REAL;
    helperResult = t;
    String name = chance(NAME_CLASHES, 20) ? "pullback" : "h";
    List<Param> params = new ArrayList<>();
    int n = 1 + rnd.nextInt(2);
    for (int i = 0; i < n; i++) {
      String p = i == 0 ? "a" : "b";
      params.add(new Param(t, p));
      this.params.add(p);
      int[] shape = t == Type.TENSOR ? new int[] {3} : null;
      scope.add(new Variable(p, t, on(ASSIGN_PARAMS), shape));
      declared.add(p);
    }
    statements = 2 + rnd.nextInt(3);
    Block body = methodBody(1);
    return new Method(name, params, body, n == 2 && chance(WRT_HELPER, 40) ? "a" : null);
  }

  private Method mainMethod(Map<String, int[]> shapes) {
    resetMethod();
    Type t = kind == Kind.TENSOR ? Type.TENSOR : Type.REAL;
    List<Param> params = new ArrayList<>();
    String[] names = chance(NAME_CLASHES, 15) ? new String[] {"value", "gradient", "dOut"}
        : new String[] {"x", "y", "z"};
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      params.add(new Param(t, names[i]));
      this.params.add(names[i]);
      int[] shape = null;
      if (t == Type.TENSOR) {
        shape = on(BROADCASTING) ? SHAPES[rnd.nextInt(SHAPES.length)] : SHAPES[0];
        shapes.put(names[i], shape);
      }
      scope.add(new Variable(names[i], t, on(ASSIGN_PARAMS), shape));
      declared.add(names[i]);
    }
    if (chance(INT_PARAM, 50)) {
      params.add(rnd.nextBoolean() ? params.size() : 0, new Param(Type.INT, "n"));
      scope.add(new Variable("n", Type.INT, false, null));
      declared.add("n");
    }
    statements = 3 + rnd.nextInt(8);
    List<Stmt> prefix = new ArrayList<>();
    if (scope.stream().anyMatch(v -> v.name().equals("n")) && chance(THROW_GUARD, 30)) {
      prefix.add(new ThrowGuard("n"));
    }
    Block body = methodBody(3);
    prefix.addAll(body.stmts());
    return new Method("f", params, new Block(prefix));
  }

  private void resetMethod() {
    scope = new ArrayList<>();
    declared.clear();
    params.clear();
    loops.clear();
    labels = 0;
    counters = 0;
    earlyReturns = 0;
    fresh = 0;
  }

  private Block methodBody(int depth) {
    List<Stmt> stmts = new ArrayList<>(block(depth).stmts());
    if (lastCompletes) {
      stmts.add(new Return(result(2)));
    }
    return new Block(stmts);
  }

  /** The value a return gives: a real, or a tensor reduced to one element. */
  private Expr result(int depth) {
    if (kind != Kind.TENSOR) {
      // the seed of the backward meets this division first: the case the outside user found
      return chance(DIVISION_BY_INT, 15) ? new Binary('/', real(depth), new IntLit(pick(List.of(2, 3, 4))))
          : real(depth);
    }
    if (helperResult == Type.TENSOR && helper == null) {
      // generating the helper itself: an elementwise tensor of the parameters' broadcast shape
      return helperResultExpr();
    }
    Expr t = tensor(depth, null);
    return new MethodCall(t, rnd.nextBoolean() ? "sum" : "mean", List.of());
  }

  // ---------------------------------------------------------------- statements

  /** A block of statements; sets {@link #lastCompletes}. */
  private Block block(int depth) {
    List<Variable> saved = scope;
    scope = new ArrayList<>(scope);
    List<Stmt> stmts = new ArrayList<>();
    int n = 1 + rnd.nextInt(depth >= 2 ? 4 : 3);
    lastCompletes = true;
    for (int i = 0; i < n && statements > 0; i++) {
      statements--;
      stmts.addAll(stmt(depth));
      if (!lastCompletes) {
        break;
      }
    }
    scope = saved;
    return new Block(stmts);
  }

  private List<Stmt> stmt(int depth) {
    List<Weighted<List<Stmt>>> choices = new ArrayList<>();
    choices.add(new Weighted<>(4, this::declaration));
    if (!assignable(kind == Kind.TENSOR ? Type.TENSOR : Type.REAL).isEmpty()) {
      choices.add(new Weighted<>(on(REASSIGN) ? 4 : 0, this::assignment));
    }
    if (depth > 0 && !straight) {
      choices.add(new Weighted<>(on(IF_ELSE) ? 3 : 0, () -> ifStatement(depth)));
      choices.add(new Weighted<>(on(FOR_LOOPS) && (loops.isEmpty() || on(NESTED_LOOPS)) ? 3 : 0,
          () -> forLoop(depth)));
      choices.add(new Weighted<>(on(WHILE_LOOPS) && (loops.isEmpty() || on(NESTED_LOOPS)) ? 2 : 0,
          () -> whileLoop(depth)));
      choices.add(new Weighted<>(on(DECL_WITHOUT_INIT) && kind != Kind.TENSOR ? 1 : 0,
          () -> declarationAssignedInBranches(depth)));
      choices.add(new Weighted<>(on(NESTED_BLOCKS) ? 1 : 0, () -> List.of(nestedBlock(depth))));
      choices.add(new Weighted<>(on(SWITCH) ? 2 : 0, () -> switchStatement(depth)));
    }
    if (!loops.isEmpty()) {
      choices.add(new Weighted<>(on(BREAK) && switches == 0 ? 2 : 0, () -> exit(true)));
      choices.add(new Weighted<>(on(CONTINUE) ? 2 : 0, () -> exit(false)));
    }
    choices.add(new Weighted<>(on(EARLY_RETURN) && !straight && (loops.isEmpty() || on(RETURN_IN_LOOP))
        && (earlyReturns == 0 || on(SEVERAL_EARLY_RETURNS)) ? 1 : 0,
        this::earlyReturn));
    choices.add(new Weighted<>(on(ASSERT) && kind != Kind.TENSOR ? 1 : 0, this::assertion));
    choices.add(new Weighted<>(on(IN_PLACE_TENSOR) && kind == Kind.TENSOR ? 3 : 0, this::inPlace));
    choices.add(new Weighted<>(on(IN_PLACE_LATER) && kind == Kind.TENSOR
        && readable(Type.TENSOR).stream().anyMatch(owned::contains) ? 3 : 0, this::inPlaceLater));
    choices.add(new Weighted<>(on(RECORDS) ? 1 : 0, this::recordDecl));
    choices.add(new Weighted<>(on(LIST_PIECES) && kind == Kind.TENSOR
        && readable(Type.TENSOR).stream().anyMatch(v -> v.shape().length == 2) ? 2 : 0, this::piecesDecl));
    lastCompletes = true;
    List<Stmt> result = Weighted.choose(rnd, choices);
    return result;
  }

  private List<Variable> assignable(Type t) {
    return scope.stream().filter(v -> v.assignable() && v.type() == t).toList();
  }

  private List<Variable> readable(Type t) {
    return scope.stream().filter(v -> v.type() == t).toList();
  }

  private String freshName() {
    if (chance(NAME_CLASHES, 25)) {
      String n = CLASH_NAMES[rnd.nextInt(CLASH_NAMES.length)];
      if (!inScope(n)) {
        declared.add(n);
        return n;
      }
    }
    if (chance(SIBLING_NAMES, 25)) {
      for (String n : declared) {
        if (!inScope(n) && !n.startsWith("k") && rnd.nextBoolean()) {
          return n;
        }
      }
    }
    String n;
    do {
      n = "v" + fresh++;
    } while (inScope(n) || declared.contains(n));
    declared.add(n);
    return n;
  }

  /** Names declared without an initializer whose assigning branches are being generated. */
  private final java.util.Set<String> unassigned = new java.util.HashSet<>();

  private boolean inScope(String name) {
    return scope.stream().anyMatch(v -> v.name().equals(name)) || name.equals("n") || unassigned.contains(name);
  }

  private List<Stmt> declaration() {
    if (kind == Kind.TENSOR) {
      int[] shape = pickShape();
      Expr init = tensor(2, shape);
      String name = freshName();
      scope.add(new Variable(name, Type.TENSOR, reassignable(init), shapeOf(init)));
      return List.of(new Decl(Type.TENSOR, name, init));
    }
    String target = chance(ASSIGN_AS_VALUE, 15) && !assignable(Type.REAL).isEmpty()
        ? pick(assignable(Type.REAL)).name() : null;
    suppressHelper = target != null && !on(HELPER_RESULT_REASSIGNED);
    Expr init = real(3);
    suppressHelper = false;
    if (target != null) {
      init = new Assign(target, "=", notSelf(target, init), Type.REAL);
    }
    String name = freshName();
    scope.add(new Variable(name, Type.REAL, reassignable(init), null));
    return List.of(new Decl(Type.REAL, name, init));
  }

  private List<Stmt> assignment() {
    if (kind == Kind.TENSOR) {
      Variable v = pick(assignable(Type.TENSOR));
      if (chance(HELPER_CALLS, 30) && helperAllowed() && on(HELPER_RESULT_REASSIGNED)) {
        return List.of(new ExprStmt(new Assign(v.name(), "=", helperCall(v.shape()), Type.TENSOR)));
      }
      suppressHelper = !on(HELPER_RESULT_REASSIGNED);
      Expr value = notSelf(v.name(), tensor(2, v.shape()));
      suppressHelper = false;
      return List.of(new ExprStmt(new Assign(v.name(), "=", value, Type.TENSOR)));
    }
    Variable v = pick(assignable(Type.REAL));
    if (chance(SELF_ASSIGN, 8)) {
      return List.of(new ExprStmt(new Assign(v.name(), "=", new Var(v.name(), Type.REAL), Type.REAL)));
    }
    boolean call = chance(HELPER_CALLS, 25) && helperAllowed()
        && on(HELPER_RESULT_REASSIGNED);
    suppressHelper = !on(HELPER_RESULT_REASSIGNED);
    Expr value = call ? helperCall(null) : notSelf(v.name(), real(3));
    suppressHelper = false;
    if (chance(ASSIGN_AS_VALUE, 15)) {
      Variable w = pick(assignable(Type.REAL));
      boolean callIntoParam = containsHelperCall(value) && !on(HELPER_RESULT_REASSIGNED);
      if (!w.name().equals(v.name()) && !callIntoParam) {
        value = new Assign(w.name(), "=", notSelf(w.name(), value), Type.REAL);
      }
    }
    String op = chance(COMPOUND_ASSIGN, 40) ? pick(List.of("+=", "-=", "*=", "/=")) : "=";
    if (op.equals("/=")) {
      value = safeDivisor();
    }
    return List.of(new ExprStmt(new Assign(v.name(), op, value, Type.REAL)));
  }

  private List<Stmt> declarationAssignedInBranches(int depth) {
    String name = freshName();
    Stmt decl = new Decl(Type.REAL, name, null);
    // the condition is computed before either branch assigns the variable, and no nested declaration may
    // reuse its name while it is unassigned
    Cond c = cond(2);
    unassigned.add(name);
    Block then = branchAssigning(name, depth);
    boolean thenCompletes = lastCompletes;
    Block otherwise = branchAssigning(name, depth);
    unassigned.remove(name);
    lastCompletes = thenCompletes || lastCompletes;
    scope.add(new Variable(name, Type.REAL, true, null));
    return List.of(decl, new If(c, then, otherwise));
  }

  private Block branchAssigning(String name, int depth) {
    Stmt first = new ExprStmt(new Assign(name, "=", real(2), Type.REAL));
    Block rest = rnd.nextInt(3) == 0 ? block(depth - 1) : new Block(List.of());
    if (rest.stmts().isEmpty()) {
      lastCompletes = true;
    }
    List<Stmt> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest.stmts());
    return new Block(all);
  }

  private List<Stmt> ifStatement(int depth) {
    Cond c = cond(2);
    Block then = block(depth - 1);
    boolean completes = lastCompletes;
    Block otherwise = null;
    int shape = rnd.nextInt(3);
    if (shape == 1) {
      otherwise = block(depth - 1);
      completes |= lastCompletes;
    } else if (shape == 2 && on(ELSE_IF)) {
      Block inner = block(depth - 1);
      boolean innerCompletes = lastCompletes;
      Block last = rnd.nextBoolean() ? block(depth - 1) : null;
      innerCompletes |= last == null || lastCompletes;
      otherwise = new Block(List.of(new If(cond(2), inner, last)));
      completes |= innerCompletes;
    } else {
      completes = true;
    }
    lastCompletes = completes;
    return List.of(new If(c, then, otherwise));
  }

  /**
   * {@code switch} on an int (a loop variable, {@code n}, or a literal): one to three arms of distinct labels from
   * 0..3, with or without a default; it completes if an arm does or a value reaches no arm.
   */
  private List<Stmt> switchStatement(int depth) {
    List<Variable> ints = readable(Type.INT);
    Expr selector = ints.isEmpty() ? new IntLit(rnd.nextInt(3)) : intExpr();
    List<Integer> values = new ArrayList<>(List.of(0, 1, 2, 3));
    java.util.Collections.shuffle(values, rnd);
    int armCount = 1 + rnd.nextInt(3);
    List<List<Integer>> labels = new ArrayList<>();
    List<Block> arms = new ArrayList<>();
    boolean completes = false;
    int next = 0;
    switches++;
    for (int a = 0; a < armCount && next < values.size(); a++) {
      int take = Math.min(values.size() - next, 1 + rnd.nextInt(2));
      labels.add(List.copyOf(values.subList(next, next + take)));
      next += take;
      arms.add(block(depth - 1));
      completes |= lastCompletes;
    }
    Block otherwise = null;
    if (rnd.nextBoolean()) {
      otherwise = block(depth - 1);
      completes |= lastCompletes;
    } else {
      completes = true;
    }
    switches--;
    lastCompletes = completes;
    return List.of(new Ast.Switch(selector, labels, arms, otherwise));
  }

  private List<Stmt> forLoop(int depth) {
    String var = null;
    for (String n : LOOP_NAMES) {
      if (!inScope(n) && (on(SIBLING_NAMES) || !declared.contains(n))) {
        var = n;
        break;
      }
    }
    if (var == null) {
      return declaration();
    }
    declared.add(var);
    String label = chance(LABELLED_EXITS, 30) ? "outer" + labels++ : null;
    Expr bound = loopBound();
    List<Variable> saved = scope;
    scope = new ArrayList<>(scope);
    scope.add(new Variable(var, Type.INT, false, null));
    loops.push(new Loop(label));
    Block body = block(depth - 1);
    loops.pop();
    scope = saved;
    lastCompletes = true;
    return List.of(new For(label, var, bound, body));
  }

  private Expr loopBound() {
    List<Variable> ints = readable(Type.INT);
    int r = rnd.nextInt(4);
    if (r == 0 && ints.stream().anyMatch(v -> v.name().equals("n"))) {
      return new Var("n", Type.INT);
    }
    if (r == 1 && !ints.isEmpty()) {
      Variable v = pick(ints);
      return v.name().equals("n") ? new Var("n", Type.INT) : new Binary('+', new Var(v.name(), Type.INT), new IntLit(1));
    }
    return new IntLit(1 + rnd.nextInt(3));
  }

  private List<Stmt> whileLoop(int depth) {
    String counter = "k" + counters++;
    String label = chance(LABELLED_EXITS, 30) ? "outer" + labels++ : null;
    Cond cond = null;
    boolean guardInBody = false;
    if (rnd.nextBoolean()) {
      List<Variable> targets = assignable(Type.REAL);
      boolean guarded = chance(ASSIGN_IN_GUARDED_CONDITION, 50);
      if ((guarded || chance(ASSIGN_IN_CONDITION, 50)) && !targets.isEmpty() && kind != Kind.TENSOR) {
        guardInBody = !guarded;
        Variable t = pick(targets);
        Expr update = new Binary('*', new Var(t.name(), Type.REAL), new Lit(0.5));
        cond = new Cmp(new Assign(t.name(), "=", update, Type.REAL), ">", new Lit(0.25));
      } else {
        cond = cond(1);
      }
    }
    boolean doWhile = chance(DO_WHILE, 30);
    int limit = 1 + rnd.nextInt(4);
    List<Variable> saved = scope;
    scope = new ArrayList<>(scope);
    scope.add(new Variable(counter, Type.INT, false, null));
    Loop loop = new Loop(label);
    loops.push(loop);
    Block body = block(depth - 1);
    boolean bodyCompletes = lastCompletes;
    loops.pop();
    scope = saved;
    if (doWhile && !bodyCompletes && !loop.targeted) {
      // a do/while whose body never reaches its condition cannot complete normally
      body = new Block(List.of(new If(cond(1), body, null)));
    }
    lastCompletes = true;
    return List.of(new While(label, counter, limit, cond, body, doWhile && !guardInBody, guardInBody));
  }

  private Stmt nestedBlock(int depth) {
    Block b = block(depth - 1);
    return b;
  }

  private List<Stmt> exit(boolean isBreak) {
    Loop target = loops.peek();
    String label = null;
    if (chance(LABELLED_EXITS, 40)) {
      List<Loop> labelled = loops.stream().filter(l -> l.label != null).toList();
      if (!labelled.isEmpty()) {
        target = pick(labelled);
        label = target.label;
      }
    }
    target.targeted = true;
    Stmt exit = isBreak ? new Break(label) : new Continue(label);
    if (rnd.nextInt(4) == 0) {
      lastCompletes = false;
      return List.of(exit);
    }
    return List.of(new If(cond(2), new Block(List.of(exit)), null));
  }

  private List<Stmt> earlyReturn() {
    earlyReturns++;
    Stmt ret = new Return(result(2));
    if (rnd.nextInt(5) == 0) {
      lastCompletes = false;
      return List.of(ret);
    }
    return List.of(new If(cond(2), new Block(List.of(ret)), null));
  }

  private List<Stmt> assertion() {
    List<Variable> reals = readable(Type.REAL);
    if (reals.isEmpty()) {
      return declaration();
    }
    return List.of(new AssertSelf(pick(reals).name()));
  }

  private List<Stmt> inPlace() {
    // a fresh local from an operation that saves its inputs, not its output, changed in place at once
    int[] shape = pickShape();
    Expr a = tensor(1, shape);
    Expr b = tensor(1, null);
    String op = pick(List.of("add", "sub", "mul"));
    Expr init = new MethodCall(a, op, List.of(b));
    String name = freshName();
    int[] actual = shapeOf(init);
    List<Stmt> out = new ArrayList<>();
    out.add(new Decl(Type.TENSOR, name, init));
    int n = 1 + rnd.nextInt(2);
    for (int i = 0; i < n; i++) {
      Var target = new Var(name, Type.TENSOR);
      if (rnd.nextBoolean()) {
        String scalarOp = pick(List.of("mul_", "add_", "sub_", "div_"));
        Expr arg = scalarOp.equals("div_") ? new Lit(2.0) : scalarArg();
        out.add(new ExprStmt(new MethodCall(target, scalarOp, List.of(arg))));
      } else {
        Variable other = pickTensorFitting(actual);
        if (other == null) {
          continue;
        }
        String tensorOp = pick(List.of("add_", "sub_", "mul_"));
        out.add(new ExprStmt(new MethodCall(target, tensorOp, List.of(new Var(other.name(), Type.TENSOR)))));
      }
    }
    if (chance(IN_PLACE_LATER, 50)) {
      // changed in place again later, in loops and branches too: never assigned, read through copies
      Variable v = new Variable(name, Type.TENSOR, false, actual);
      owned.add(v);
      scope.add(v);
    } else {
      scope.add(new Variable(name, Type.TENSOR, true, actual));
    }
    return out;
  }

  /** {@code y.mul_(2.0);} on a local declared earlier by {@link #inPlace()}, wherever the statement is. */
  private List<Stmt> inPlaceLater() {
    List<Variable> targets = readable(Type.TENSOR).stream().filter(owned::contains).toList();
    if (targets.isEmpty()) {
      return declaration();
    }
    Variable t = pick(targets);
    Var target = new Var(t.name(), Type.TENSOR);
    if (rnd.nextBoolean()) {
      String scalarOp = pick(List.of("mul_", "add_", "sub_", "div_"));
      Expr arg = scalarOp.equals("div_") ? new Lit(2.0) : scalarArg();
      return List.of(new ExprStmt(new MethodCall(target, scalarOp, List.of(arg))));
    }
    if (rnd.nextInt(3) == 0) {
      return List.of(new ExprStmt(new MethodCall(target, pick(List.of("tanh_", "sigmoid_", "sin_")), List.of())));
    }
    Expr operand = tensor(1, t.shape());
    if (!Arrays.equals(Shapes.broadcast(shapeOf(operand), t.shape()), t.shape())) {
      operand = read(t);
    }
    return List.of(new ExprStmt(new MethodCall(target, pick(List.of("add_", "sub_", "mul_")), List.of(operand))));
  }

  /**
   * {@code Pair r = new Pair(a, b);}: the components stay in scope as the read-only variables
   * {@code r.first()} and {@code r.second()}.
   */
  private List<Stmt> recordDecl() {
    Type t = kind == Kind.TENSOR ? Type.TENSOR : Type.REAL;
    Expr a;
    Expr b;
    int[] sa = null;
    int[] sb = null;
    if (t == Type.TENSOR) {
      a = tensor(2, pickShape());
      sa = shapeOf(a);
      b = tensor(1, pickShape());
      sb = shapeOf(b);
    } else {
      a = real(2);
      b = real(1);
    }
    String name = freshName();
    scope.add(new Variable(name, Type.RECORD, false, null));
    scope.add(new Variable(name + ".first()", t, false, sa));
    scope.add(new Variable(name + ".second()", t, false, sb));
    return List.of(new Decl(Type.RECORD, name, new New(List.of(a, b), t)));
  }

  /**
   * {@code List<Tensor> parts = m.unbind(0);} (or {@code chunk(2, 0)}, {@code split(1, 0)}) of a [2, 3]
   * tensor: its pieces stay in scope as {@code parts.get(k)} (an unbound row) or {@code parts.get(k).sum(0)}
   * (a [1, 3] chunk summed to [3]), and {@code parts.size()} as an int.
   */
  private List<Stmt> piecesDecl() {
    int[] matrix = {2, 3};
    Expr base = tensor(1, matrix);
    if (!Arrays.equals(shapeOf(base), matrix)) {
      return declaration();
    }
    String op = pick(List.of("unbind", "chunk", "split"));
    List<Expr> args = switch (op) {
      case "unbind" -> List.of(new IntLit(0));
      case "chunk" -> List.of(new IntLit(2), new IntLit(0));
      default -> List.of(new IntLit(1), new IntLit(0));
    };
    String name = freshName();
    scope.add(new Variable(name, Type.LIST, false, null));
    for (int k = 0; k < 2; k++) {
      String read = name + ".get(" + k + ")" + (op.equals("unbind") ? "" : ".sum(0)");
      scope.add(new Variable(read, Type.TENSOR, false, new int[] {3}));
    }
    scope.add(new Variable(name + ".size()", Type.INT, false, null));
    return List.of(new Decl(Type.LIST, name, new Pieces(base, op, args)));
  }

  private Expr scalarArg() {
    if (chance(INT_OPERANDS, 30) && !readable(Type.INT).isEmpty()) {
      return new Var(pick(readable(Type.INT)).name(), Type.INT);
    }
    return new Lit(pick(List.of(0.5, 2.0, 3.0, 1.5)));
  }

  // ---------------------------------------------------------------- conditions

  private Cond cond(int depth) {
    int r = rnd.nextInt(10);
    if (depth > 0 && r == 0) {
      return new And(cond(depth - 1), cond(depth - 1));
    }
    if (depth > 0 && r == 1) {
      return new Or(cond(depth - 1), cond(depth - 1));
    }
    if (depth > 0 && r == 2) {
      return new Not(cond(depth - 1));
    }
    if (depth > 0 && r == 3 && chance(ASSIGN_IN_AND_OR, 60) && kind != Kind.TENSOR
        && !assignable(Type.REAL).isEmpty()) {
      Variable t = pick(assignable(Type.REAL));
      Cond assigning = new Cmp(new Assign(t.name(), "=", notSelf(t.name(), real(1)), Type.REAL), pick(List.of("<", ">")),
          new Lit(pick(List.of(0.5, 1.0, -0.5))));
      Cond other = cond(0);
      if (rnd.nextBoolean()) {
        return rnd.nextBoolean() ? new And(other, assigning) : new Or(other, assigning);
      }
      return rnd.nextBoolean() ? new And(assigning, other) : new Or(assigning, other);
    }
    List<Variable> ints = readable(Type.INT);
    if (r <= 5 && !ints.isEmpty()) {
      Variable v = pick(ints);
      return new Cmp(new Var(v.name(), Type.INT), pick(List.of("<", ">", "==", "!=", "<=", ">=")),
          rnd.nextBoolean() || ints.size() == 1 ? new IntLit(rnd.nextInt(3)) : new Var(pick(ints).name(), Type.INT));
    }
    if (kind == Kind.TENSOR) {
      if (chance(TENSOR_ITEM_CONDITIONS, 70)) {
        return new ItemCmp(tensor(1, null), pick(List.of("<", ">")), pick(List.of(0.0, 0.5, -0.5)));
      }
      return new Cmp(new IntLit(rnd.nextInt(2)), "==", new IntLit(0));
    }
    Expr left = real(1);
    Expr right = rnd.nextBoolean() ? new Lit(pick(List.of(0.0, 0.5, 1.0, -0.5, 2.0))) : real(1);
    return new Cmp(left, pick(List.of("<", ">", "<=", ">=", "!=")), right);
  }

  // ---------------------------------------------------------------- real expressions

  /** A real expression. */
  private Expr real(int depth) {
    if (depth <= 0 || rnd.nextInt(10) < 3) {
      return realLeaf();
    }
    List<Weighted<Expr>> choices = new ArrayList<>();
    choices.add(new Weighted<>(6, () -> new Binary(pick(List.of('+', '-', '*')), real(depth - 1), real(depth - 1))));
    choices.add(new Weighted<>(on(DIVISION) ? 2 : 0,
        () -> new Binary('/', real(depth - 1), safeDivisor())));
    choices.add(new Weighted<>(on(DIVISION_BY_INT) ? 1 : 0,
        () -> new Binary('/', real(depth - 1), new IntLit(pick(List.of(2, 3, 4))))));
    choices.add(new Weighted<>(on(MATH_FUNCTIONS) ? 4 : 0, () -> mathCall(depth)));
    choices.add(new Weighted<>(on(MIN_MAX) && floatPreservingAllowed() ? 1 : 0,
        () -> new MathCall(rnd.nextBoolean() ? "max" : "min", List.of(real(depth - 1), real(depth - 1)))));
    choices.add(new Weighted<>(on(NEGATION) ? 1 : 0, this::negation));
    choices.add(new Weighted<>(on(UNARY_PLUS) ? 1 : 0, () -> new Unary('+', real(depth - 1))));
    choices.add(new Weighted<>(on(TERNARY_REAL) && !straight ? 1 : 0,
        () -> new Ternary(cond(1), real(depth - 1), real(depth - 1))));
    choices.add(new Weighted<>(on(TERNARY_INT) && !straight && !readable(Type.INT).isEmpty() ? 1 : 0,
        () -> new Binary('*', new Ternary(cond(0), intExpr(), new IntLit(2)), real(depth - 1))));
    choices.add(new Weighted<>(helperAllowed() ? 2 : 0, () -> helperCall(null)));
    choices.add(new Weighted<>(on(ASSIGN_IN_EXPRESSION) && !assignable(Type.REAL).isEmpty() ? 1 : 0,
        () -> {
          String target = pick(assignable(Type.REAL)).name();
          return new Assign(target, "=", notSelf(target, real(depth - 1)), Type.REAL);
        }));
    return Weighted.choose(rnd, choices);
  }

  private Expr realLeaf() {
    List<Variable> reals = readable(Type.REAL);
    int r = rnd.nextInt(10);
    if (r < 5 && !reals.isEmpty()) {
      return new Var(pick(reals).name(), Type.REAL);
    }
    List<Variable> ints = readable(Type.INT);
    if (r == 5 && chance(INT_OPERANDS, 80) && !ints.isEmpty() && !reals.isEmpty()) {
      Expr i = new Var(pick(ints).name(), Type.INT);
      Expr x = new Var(pick(reals).name(), Type.REAL);
      return rnd.nextBoolean() ? new Binary(pick(List.of('*', '+')), i, x) : new Binary('+', x, i);
    }
    if (r == 6 && chance(CASTS, 80) && !ints.isEmpty()) {
      return new Cast(new Var(pick(ints).name(), Type.INT));
    }
    if (r == 7 && chance(NEGATION, 50)) {
      return new Unary('-', new Lit(-pick(List.of(1.0, 2.0, 0.5))));
    }
    if (!reals.isEmpty() && r < 8) {
      return new Var(pick(reals).name(), Type.REAL);
    }
    return new Lit(LITERALS[rnd.nextInt(LITERALS.length)]);
  }

  private Expr negation() {
    List<Variable> reals = readable(Type.REAL);
    if (rnd.nextBoolean() && !reals.isEmpty()) {
      return new Unary('-', new Unary('-', new Var(pick(reals).name(), Type.REAL)));
    }
    return new Unary('-', new Lit(-pick(List.of(1.0, 2.0, 0.5))));
  }

  /** {@code 1 + e * e} (or with a literal 1.0): never near zero. */
  private Expr safeDivisor() {
    Expr e = real(1);
    return new Binary('+', rnd.nextBoolean() ? new IntLit(1) : new Lit(1.0), new Binary('*', e, e));
  }

  private Expr mathCall(int depth) {
    Expr a = real(depth - 1);
    return switch (rnd.nextInt(9)) {
      case 0 -> new MathCall("sin", List.of(a));
      case 1 -> new MathCall("cos", List.of(a));
      case 2 -> new MathCall("tanh", List.of(a));
      case 3 -> new MathCall(floatPreservingAllowed() ? "abs" : "tanh", List.of(a));
      case 4 -> new MathCall("exp", List.of(new MathCall(rnd.nextBoolean() ? "sin" : "tanh", List.of(a))));
      case 5 -> new MathCall("log", List.of(new Binary('+', new IntLit(1), new Binary('*', a, a))));
      case 6 -> new MathCall("sqrt", List.of(new Binary('+', new IntLit(1), new Binary('*', a, a))));
      case 7 -> new MathCall("pow", List.of(a, new IntLit(2)));
      default -> new MathCall("sin", List.of(a));
    };
  }

  /** value, or (without SELF_ASSIGN) a use of it that is not just the variable {@code target}. */
  private Expr notSelf(String target, Expr value) {
    if (on(SELF_ASSIGN) || !(value instanceof Var v) || !v.name().equals(target)) {
      return value;
    }
    return v.type() == Type.TENSOR ? new MethodCall(v, "mul", List.of(new Lit(2.0)))
        : new Binary('*', v, new Lit(2.0));
  }

  /** Whether a variable declared with init may be assigned again (see HELPER_RESULT_REASSIGNED). */
  private boolean reassignable(Expr init) {
    return on(HELPER_RESULT_REASSIGNED) || !containsHelperCall(init);
  }

  private static boolean containsHelperCall(Expr e) {
    return helperCallIn(e);
  }

  private static boolean helperCallIn(Expr e) {
    return switch (e) {
      case HelperCall h -> true;
      case Unary u -> helperCallIn(u.operand());
      case Binary b -> helperCallIn(b.left()) || helperCallIn(b.right());
      case Cast c -> helperCallIn(c.operand());
      case MathCall m -> m.args().stream().anyMatch(Generator::helperCallIn);
      case Assign a -> helperCallIn(a.value());
      case Ternary t -> helperCallIn(t.ifTrue()) || helperCallIn(t.ifFalse());
      case MethodCall m -> helperCallIn(m.receiver()) || m.args().stream().anyMatch(Generator::helperCallIn);
      case Ast.Template t -> t.holes().stream().anyMatch(Generator::helperCallIn);
      default -> false;
    };
  }

  /** abs, max and min of floats return float (the others return double, cast back). */
  private boolean floatPreservingAllowed() {
    return kind != Kind.FLOAT || on(FLOAT_ABS_MAX_MIN);
  }

  private Expr intExpr() {
    List<Variable> ints = readable(Type.INT);
    Expr v = new Var(pick(ints).name(), Type.INT);
    return rnd.nextBoolean() ? v : new Binary('+', v, new IntLit(1));
  }

  private boolean helperAllowed() {
    return helper != null && !suppressHelper && on(HELPER_CALLS) && (loops.isEmpty() || on(HELPER_IN_LOOPS))
        && (kind != Kind.TENSOR || on(TENSOR_HELPER_CALLS));
  }

  private Expr helperCall(int[] shape) {
    List<Expr> args = new ArrayList<>();
    boolean allConstant = chance(CONSTANT_ARG_CALLS, 25);
    for (Param p : helper.params()) {
      // a parameter the helper's wrt leaves out gets a constant argument
      boolean constant = allConstant || helper.wrt() != null && !helper.wrt().equals(p.name());
      if (p.type() == Type.TENSOR) {
        args.add(constant ? tensorConstant(shape == null ? new int[] {3} : shape) : tensor(1, shape));
      } else {
        args.add(constant ? new Lit(LITERALS[rnd.nextInt(LITERALS.length)]) : real(1));
      }
    }
    return new HelperCall(helper.name(), args, helperResult);
  }

  // ---------------------------------------------------------------- tensor expressions

  /** A shape some tensor variable in scope has. */
  private int[] pickShape() {
    return pick(readable(Type.TENSOR)).shape();
  }

  /**
   * A tensor expression whose shape is {@code shape}, or any shape of the variables when null. The
   * shapes are [3] and [2, 3]; [3] broadcasts into [2, 3].
   */
  private Expr tensor(int depth, int[] shape) {
    if (depth <= 0 || rnd.nextInt(10) < 3) {
      return tensorLeaf(shape);
    }
    int r = rnd.nextInt(10);
    if (r < 4) {
      Expr a = tensor(depth - 1, shape);
      int[] sa = shapeOf(a);
      Expr b;
      if (on(BROADCASTING) && shape != null && shape.length == 2 && rnd.nextBoolean()) {
        b = tensor(depth - 1, SHAPES[0]);
      } else {
        b = tensor(depth - 1, sa);
      }
      if (rnd.nextBoolean()) {
        Expr t = a;
        a = b;
        b = t;
      }
      return new MethodCall(a, pick(List.of("add", "sub", "mul")), List.of(b));
    }
    if (r == 4 && on(DIVISION)) {
      Expr a = tensor(depth - 1, shape);
      Expr d = tensor(depth - 1, shapeOf(a));
      return new MethodCall(a, "div", List.of(new MethodCall(new MethodCall(d, "mul", List.of(d)), "add",
          List.of(new Lit(1.0)))));
    }
    if (r == 5) {
      String op = pick(List.of("add", "sub", "mul", "div"));
      return new MethodCall(tensor(depth - 1, shape), op, List.of(op.equals("div") ? new Lit(2.0) : scalarArg()));
    }
    if (r == 6 && helperAllowed()) {
      return helperCall(shape);
    }
    Expr a = tensor(depth - 1, shape);
    if (chance(SHAPE_OPS, 35)) {
      return shapeOp(depth, a);
    }
    return switch (rnd.nextInt(11)) {
      case 0 -> new MethodCall(a, "neg", List.of());
      case 1 -> new MethodCall(new MethodCall(a, "tanh", List.of()), "exp", List.of());
      case 2 -> new MethodCall(new MethodCall(new MethodCall(a, "mul", List.of(a)), "add", List.of(new Lit(1.0))),
          "log", List.of());
      case 3 -> new MethodCall(new MethodCall(new MethodCall(a, "mul", List.of(a)), "add", List.of(new Lit(1.0))),
          "sqrt", List.of());
      case 4 -> new MethodCall(a, "abs", List.of());
      case 5 -> new MethodCall(a, "sin", List.of());
      case 6 -> new MethodCall(a, "cos", List.of());
      case 7 -> new MethodCall(a, "tanh", List.of());
      case 8 -> new MethodCall(a, "sigmoid", List.of());
      case 9 -> new MethodCall(a, "relu", List.of());
      default -> new MethodCall(a, "pow", List.of(new Lit(2.0)));
    };
  }

  /**
   * A tensor operation beyond the elementwise ones applied to {@code a} (and a second operand of its
   * shape), of {@code a}'s shape: the program's shapes stay [3] and [2, 3].
   */
  private Expr shapeOp(int depth, Expr a) {
    int[] shape = shapeOf(a);
    Expr b = tensor(depth - 1, shape);
    if (!Arrays.equals(shapeOf(b), shape)) {
      b = a;
    }
    List<String> common = List.of(
        "F.gelu($0)", "F.silu($0)", "F.softplus($0)", "F.elu($0)", "F.logSigmoid($0)", "F.leakyRelu($0, 0.1)",
        "$0.clamp(-0.5, 0.75)", "$0.maximum($1)", "$0.minimum($1.mul(0.5))",
        "Tensor.where($0.gt($1), $0, $1.mul(2.0))", "$0.mul($0).add(1.0).pow($1.tanh())",
        "$0.mul($0).add(1.0).rsqrt()", "$0.mul($0).add(1.0).reciprocal()", "$0.tanh().expm1()",
        "$0.mul($0).log1p()", "$0.square()", "$0.mul($1.norm())");
    List<String> vector = List.of(
        "F.softmax($0, 0)", "F.logSoftmax($0, 0)", "$0.sub($0.mean(0, true))", "$0.flip(0)", "$0.cumsum(0)",
        "$0.tanh().cumprod(0)", "$0.roll(new int[] {1}, new int[] {0})", "$0.unsqueeze(1).expand(3, 2).sum(1)",
        "$0.reshape(3, 1).t().squeeze(0)", "$0.sub($0.logsumexp(0, true))",
        "Tensor.cat(List.of($0.narrow(0, 0, 1).mul(3.0), $0.narrow(0, 1, 2)), 0)",
        "Tensor.stack(List.of($0, $1.mul(2.0)), 0).sum(0)", "$0.repeat(2).narrow(0, 2, 3)",
        "$0.unsqueeze(0).matmul($1.unsqueeze(1).matmul($0.unsqueeze(0))).squeeze(0).mul(0.25)",
        "$0.mul($1.sum().tanh())", "$0.sub($0.amax(new int[] {0}, true))", "$0.mul($1.std(new int[] {0}, 1, true))",
        "$0.mul($1.prod(0, true).tanh())");
    List<String> matrix = List.of(
        "F.softmax($0, 1)", "F.logSoftmax($0, 0)", "$0.sub($0.mean(1, true))", "$0.flip(0, 1)", "$0.cumsum(1)",
        "$0.tanh().cumprod(0)", "$0.roll(new int[] {1}, new int[] {1})", "$0.t().contiguous().t()",
        "$0.reshape(3, 2).flip(0).reshape(2, 3)", "$0.transpose(0, 1).mul($1.t()).t()", "$0.permute(1, 0).t()",
        "$0.sub($0.logsumexp(1, true))", "$0.matmul($1.t().matmul($1)).mul(0.25)",
        "$0.matmul($1.t()).matmul($0).mul(0.5)",
        "Tensor.cat(List.of($0.narrow(1, 0, 1), $0.narrow(1, 1, 2).mul(2.0)), 1)",
        "Tensor.stack(List.of($0.select(0, 1), $1.select(0, 0)), 0)", "$0.select(0, 1).unsqueeze(0).expand(2, 3).mul($1)",
        "$0.repeat(1, 2).narrow(1, 1, 3)", "$0.sub($0.amax(new int[] {1}, true))", "$0.unsqueeze(0).squeeze(0)",
        "$0.mul($1.std(new int[] {1}, 1, true))", "$0.mul($1.prod(1, true).tanh())", "$0.mul($1.var(new int[] {0}, 0, true))");
    List<String> patterns = new ArrayList<>(common);
    if (Arrays.equals(shape, new int[] {3})) {
      patterns.addAll(vector);
    } else if (Arrays.equals(shape, new int[] {2, 3})) {
      patterns.addAll(matrix);
    }
    String pattern = pick(patterns);
    return new Ast.Template(pattern, pattern.contains("$1") ? List.of(a, b) : List.of(a), shape);
  }

  /**
   * A read of a tensor variable: a local changed in place later ({@link #owned}) is read through a copy,
   * {@code y.mul(1.0)}, so that no other name shares its tensor (the processor refuses an in-place change of a
   * tensor another name shares; DiagnosticsTest checks that).
   */
  private Expr read(Variable variable) {
    Var v = new Var(variable.name(), Type.TENSOR);
    return owned.contains(variable) ? new MethodCall(v, "mul", List.of(new Lit(1.0))) : v;
  }

  private Expr tensorLeaf(int[] shape) {
    List<Variable> fitting = readable(Type.TENSOR).stream()
        .filter(v -> shape == null || Arrays.equals(v.shape(), shape)).toList();
    if (!fitting.isEmpty()) {
      return read(pick(fitting));
    }
    List<Variable> smaller = readable(Type.TENSOR).stream()
        .filter(v -> shape != null && v.shape().length < shape.length).toList();
    if (!smaller.isEmpty()) {
      // [3] grows to [2, 3] by adding a [2, 3] of zeros-like: x.add(y.mul(0)) is avoided; broadcast instead
      Variable big = readable(Type.TENSOR).stream().filter(v -> v.shape().length == 2).findFirst().orElse(null);
      if (big != null) {
        return new MethodCall(new Var(pick(smaller).name(), Type.TENSOR), "add",
            List.of(new Var(big.name(), Type.TENSOR)));
      }
    }
    // no variable of this shape: any tensor of a smaller shape, or a parameter of a larger one reduced
    List<Variable> all = readable(Type.TENSOR);
    Variable v = pick(all);
    if (shape == null || Arrays.equals(v.shape(), shape)) {
      return read(v);
    }
    // shape [3] wanted from a [2, 3] variable: its sum over dimension 0
    return new MethodCall(new Var(v.name(), Type.TENSOR), "sum", List.of(new IntLit(0)));
  }

  private Expr tensorConstant(int[] shape) {
    // the helper's argument that does not depend on the inputs: a detached parameter scaled
    Variable v = pick(readable(Type.TENSOR));
    // detach() is a view: a local changed in place later is detached through its copy
    Expr t = new MethodCall(read(v), "detach", List.of());
    return shape == null || Arrays.equals(v.shape(), shape) ? t : new MethodCall(t, "sum", List.of(new IntLit(0)));
  }

  private Variable pickTensorFitting(int[] target) {
    List<Variable> fit = readable(Type.TENSOR).stream()
        .filter(v -> v.shape().length <= target.length).toList();
    return fit.isEmpty() ? null : pick(fit);
  }

  private Expr helperResultExpr() {
    Expr a = new Var("a", Type.TENSOR);
    Expr e = tensor(2, new int[] {3});
    return new MethodCall(e, "add", List.of(a));
  }

  /** The shape of a tensor expression, from the shapes of the variables it reads. */
  private int[] shapeOf(Expr e) {
    return Shapes.of(e, name -> scope.stream().filter(v -> v.name().equals(name)).findFirst()
        .map(Variable::shape).orElse(new int[] {3}));
  }
}
