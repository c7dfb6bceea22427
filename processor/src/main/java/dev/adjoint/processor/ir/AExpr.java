package dev.adjoint.processor.ir;

import java.util.List;

/**
 * An expression of the generated backward pass. Built by the reverse transform through the smart
 * constructors below, which never produce {@code 0 * x}, {@code 1 * x} or {@code --x}.
 */
public sealed interface AExpr {
  /** A variable: primal, adjoint or a gradient holder. */
  record Ref(String name) implements AExpr {}

  /** A literal. */
  record Lit(String source) implements AExpr {}

  /** A static field {@code Owner.NAME}; {@code owner} is a qualified class name. */
  record StaticField(String owner, String name) implements AExpr {}

  /** The symbolic zero: an adjoint nothing has contributed to. Never emitted. */
  record Zero() implements AExpr {}

  /** {@code left op right}, {@code op} one of {@code + - * /}. */
  record Bin(char op, AExpr left, AExpr right) implements AExpr {}

  /** {@code -operand}. */
  record Neg(AExpr operand) implements AExpr {}

  /** {@code (type) operand}. */
  record Cast(Type type, AExpr operand) implements AExpr {}

  /** {@code Owner.method(args)}; {@code owner} is a qualified class name. */
  record StaticCall(String owner, String method, List<AExpr> args) implements AExpr {}

  /** {@code target.method(args)}. */
  record Invoke(AExpr target, String method, List<AExpr> args) implements AExpr {}

  /**
   * A tensor passed to an adjoint that reads only its shape ({@code @Primitive(reads)}): written as the
   * name itself, kept by the forward, but not version-checked (its values may change in place).
   */
  record ShapeOnly(Ref ref) implements AExpr {}

  /** The zero. */
  AExpr ZERO = new Zero();

  /** {@code a * b}, folding zeros and ones. */
  static AExpr mul(AExpr a, AExpr b) {
    if (a instanceof Zero || b instanceof Zero) {
      return ZERO;
    }
    if (isOne(a)) {
      return b;
    }
    if (isOne(b)) {
      return a;
    }
    return new Bin('*', a, b);
  }

  /** {@code a / b}, folding zeros and ones. */
  static AExpr div(AExpr a, AExpr b) {
    if (a instanceof Zero) {
      return ZERO;
    }
    if (isOne(b)) {
      return a;
    }
    return new Bin('/', a, b);
  }

  /** {@code -a}, folding double negation and zero. */
  static AExpr neg(AExpr a) {
    if (a instanceof Zero) {
      return a;
    }
    if (a instanceof Neg n) {
      return n.operand();
    }
    return new Neg(a);
  }

  /** Whether the expression is the literal one. */
  static boolean isOne(AExpr e) {
    return e instanceof Lit l
        && (l.source().equals("1") || l.source().equals("1.0") || l.source().equals("1f")
            || l.source().equals("1.0f") || l.source().equals("1d") || l.source().equals("1.0d"));
  }
}
