package dev.adjoint.processor.ir;

/**
 * The condition of an {@code if} or a loop: comparisons and boolean connectives over atomic operands
 * (computed by the statements before it). Conditions are passive: no gradient flows through a branch
 * decision, which the forward records and the backward replays.
 */
public sealed interface Cond {
  /** {@code left op right}, {@code op} one of {@code < <= > >= == !=}. */
  record Compare(String op, Operand left, Operand right) implements Cond {}

  /** A {@code boolean} operand. */
  record Value(Operand operand) implements Cond {}

  /** {@code !operand}. */
  record Not(Cond operand) implements Cond {}

  /** {@code left && right} ({@code and}) or {@code left || right}. */
  record Logic(boolean and, Cond left, Cond right) implements Cond {}

  /** Java source with minimal parentheses; {@code name} renders an operand. */
  static String render(Cond c, java.util.function.Function<Operand, String> name) {
    return switch (c) {
      case Compare k -> name.apply(k.left()) + " " + k.op() + " " + name.apply(k.right());
      case Value v -> name.apply(v.operand());
      case Not n -> n.operand() instanceof Value || n.operand() instanceof Not ? "!" + render(n.operand(), name)
          : "!(" + render(n.operand(), name) + ")";
      case Logic l -> side(l, l.left(), name) + (l.and() ? " && " : " || ") + side(l, l.right(), name);
    };
  }

  private static String side(Logic parent, Cond c, java.util.function.Function<Operand, String> name) {
    String s = render(c, name);
    return c instanceof Logic l && l.and() != parent.and() ? "(" + s + ")" : s;
  }

  /** The operands the condition reads. */
  static void operands(Cond c, java.util.List<Operand> out) {
    switch (c) {
      case Compare k -> {
        out.add(k.left());
        out.add(k.right());
      }
      case Value v -> out.add(v.operand());
      case Not n -> operands(n.operand(), out);
      case Logic l -> {
        operands(l.left(), out);
        operands(l.right(), out);
      }
    }
  }
}
