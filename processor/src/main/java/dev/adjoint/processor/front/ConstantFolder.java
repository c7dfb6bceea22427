package dev.adjoint.processor.front;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.UnaryTree;

/**
 * {@code int} constant expressions of literals ({@code 28 * 28}, {@code 32 * 7 * 7}): module initializers for the
 * shape checks, and the elements of {@code new int[] {...}} literals, which the front end keeps as constants.
 */
public final class ConstantFolder {
  private ConstantFolder() {}

  /** The value, or {@code null} when the expression is not literals and {@code + - * /}. */
  public static Long fold(ExpressionTree e) {
    return switch (e) {
      case LiteralTree l -> l.getValue() instanceof Integer i ? Long.valueOf(i)
          : l.getValue() instanceof Long x ? x : null;
      case ParenthesizedTree p -> fold(p.getExpression());
      case UnaryTree u when u.getKind() == com.sun.source.tree.Tree.Kind.UNARY_MINUS -> {
        Long v = fold(u.getExpression());
        yield v == null ? null : -v;
      }
      case BinaryTree b -> {
        Long x = fold(b.getLeftOperand());
        Long y = fold(b.getRightOperand());
        if (x == null || y == null) {
          yield null;
        }
        yield switch (b.getKind()) {
          case PLUS -> x + y;
          case MINUS -> x - y;
          case MULTIPLY -> x * y;
          case DIVIDE -> y == 0 ? null : x / y;
          default -> null;
        };
      }
      default -> null;
    };
  }

  /** A Java integer literal's value ({@code 784}, {@code -1}, {@code 10L}, {@code 1_000}), or {@code null}. */
  public static Long parseLong(String source) {
    String s = source.replace("_", "");
    if (s.endsWith("L") || s.endsWith("l")) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      return Long.decode(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The elements of an {@code int[]} constant's source as the front end writes it ({@code new int[] {2, -1}}),
   * or {@code null} when {@code source} is not one.
   */
  public static long[] parseIntArray(String source) {
    String s = source.strip();
    if (!s.startsWith("new int[] {") || !s.endsWith("}")) {
      return null;
    }
    String body = s.substring("new int[] {".length(), s.length() - 1).strip();
    if (body.isEmpty()) {
      return new long[0];
    }
    String[] parts = body.split(",");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Long v = parseLong(parts[i].strip());
      if (v == null) {
        return null;
      }
      out[i] = v;
    }
    return out;
  }

  /**
   * {@code new int[] {2, 3}} (or an initializer {@code {2, 3}}) whose elements all fold: the source
   * {@code new int[] {2, 3}} with each element's value, or {@code null}.
   */
  public static String intArray(com.sun.source.tree.NewArrayTree a) {
    boolean intType = a.getType() == null || a.getType().toString().equals("int");
    if (!intType || !a.getDimensions().isEmpty() || a.getInitializers() == null) {
      return null;
    }
    java.util.List<String> values = new java.util.ArrayList<>();
    for (ExpressionTree e : a.getInitializers()) {
      Long v = fold(e);
      if (v == null || v != v.intValue()) {
        return null;
      }
      values.add(Long.toString(v));
    }
    return "new int[] {" + String.join(", ", values) + "}";
  }
}
