package dev.adjoint.processor.shape;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.UnaryTree;

/** {@code int} constant expressions of literals ({@code 28 * 28}, {@code 32 * 7 * 7}), for module initializers. */
final class ConstantFolder {
  private ConstantFolder() {}

  /** The value, or {@code null} when the expression is not literals and {@code + - * /}. */
  static Long fold(ExpressionTree e) {
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
  static Long parseLong(String source) {
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
}
