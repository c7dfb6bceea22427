package dev.adjoint.processor.ir;

/**
 * A statement of a differentiable body. Straight-line code is {@link Assign}s and one final
 * {@link Return}; {@link If} and {@link Loop} hold {@link Block}s. Outside control flow every variable
 * is assigned once; a user variable assigned inside an {@code if} or a loop becomes one mutable variable
 * (copied on entry), assigned in place, so loop-carried values keep one name.
 */
public sealed interface Stmt {
  /** Where the statement comes from. */
  Origin origin();

  /** {@code target = op}. */
  record Assign(Var target, Op op, Origin origin) implements Stmt {}

  /** A call whose result is discarded (a passive side effect, such as logging). */
  record Effect(Op.Call call, Origin origin) implements Stmt {}

  /** {@code return value}. */
  record Return(Operand value, Origin origin) implements Stmt {}

  /** {@code if (cond) then else otherwise}; the forward records the decision as {@code branch<n>}. */
  record If(Cond cond, Block then, Block otherwise, Origin origin) implements Stmt {}

  /**
   * A loop. Per iteration it runs {@code head} (which computes the condition's operands), tests
   * {@code cond}, then {@code body} and {@code update}; a {@code do}-{@code while} runs {@code body} first.
   * {@code init} runs once before (a {@code for}'s declarations).
   *
   * @param counted present for {@code for (int i = from; i < to; i++)} whose index the body does not
   *     assign and whose bound the loop does not change: the backward runs the index backwards and the
   *     forward records nothing for the loop
   */
  record Loop(Kind kind, Block init, Block head, Cond cond, Block body, Block update,
      java.util.Optional<Counted> counted, Origin origin) implements Stmt {
    /** The source form. */
    public enum Kind {
      FOR, WHILE, DO_WHILE
    }
  }

  /**
   * A counted loop's index and bounds: {@code for (int index = from; index < to; index++)} (or {@code <=}).
   */
  record Counted(Var index, Operand from, Operand to, boolean inclusive) {}

  /** Every statement of {@code stmts}, nested blocks included, in source order. */
  static java.util.List<Stmt> flatten(java.util.List<Stmt> stmts) {
    var all = new java.util.ArrayList<Stmt>();
    for (Stmt s : stmts) {
      all.add(s);
      switch (s) {
        case If i -> {
          all.addAll(flatten(i.then().stmts()));
          all.addAll(flatten(i.otherwise().stmts()));
        }
        case Loop l -> {
          all.addAll(flatten(l.init().stmts()));
          all.addAll(flatten(l.head().stmts()));
          all.addAll(flatten(l.body().stmts()));
          all.addAll(flatten(l.update().stmts()));
        }
        default -> { }
      }
    }
    return all;
  }

  /** Whether {@code stmts} read an element of a {@code Tensor[]} (then the reverse uses mutable adjoints). */
  static boolean readsElements(java.util.List<Stmt> stmts) {
    return flatten(stmts).stream().anyMatch(s -> s instanceof Assign a && a.op() instanceof Op.Element e
        && e.array().type().isTensorArray());
  }

  /** Whether {@code stmts} contain an {@code if} or a loop. */
  static boolean hasControlFlow(java.util.List<Stmt> stmts) {
    return stmts.stream().anyMatch(s -> s instanceof If || s instanceof Loop);
  }
}
