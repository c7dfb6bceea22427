package dev.adjoint.processor.ir;

/**
 * The type of an IR value. The subset knows tensors, the Java numeric primitives and {@code boolean};
 * anything else ({@code int[]}, {@code String}, a pullback record) is {@link Kind#OTHER} and passive,
 * kept with its Java spelling so the emitter can declare it.
 *
 * @param kind what the differentiation cares about
 * @param spelling the Java source spelling (qualified for classes)
 */
public record Type(Kind kind, String spelling) {
  /** The kinds of values. */
  public enum Kind {
    TENSOR, DOUBLE, FLOAT, LONG, INT, BOOLEAN, OTHER, VOID, ERROR
  }

  /** {@code dev.adjoint.Tensor}. */
  public static final Type TENSOR = new Type(Kind.TENSOR, "dev.adjoint.Tensor");
  /**
   * {@code Tensor[]}: a parameter whose elements are differentiable tensors. Its gradient is a
   * {@code Tensor[]} of the same length (an entry no gradient reaches is {@code null}).
   */
  public static final Type TENSOR_ARRAY = new Type(Kind.OTHER, "dev.adjoint.Tensor[]");
  /** {@code double}. */
  public static final Type DOUBLE = new Type(Kind.DOUBLE, "double");
  /** {@code float}. */
  public static final Type FLOAT = new Type(Kind.FLOAT, "float");
  /** {@code long}. */
  public static final Type LONG = new Type(Kind.LONG, "long");
  /** {@code int}. */
  public static final Type INT = new Type(Kind.INT, "int");
  /** {@code boolean}. */
  public static final Type BOOLEAN = new Type(Kind.BOOLEAN, "boolean");
  /** {@code void}. */
  public static final Type VOID = new Type(Kind.VOID, "void");
  /** A type the front end could not resolve (already reported). */
  public static final Type ERROR = new Type(Kind.ERROR, "?");

  /** Whether values of this type carry gradients ({@code Tensor}, {@code double}, {@code float}). */
  public boolean differentiable() {
    return kind == Kind.TENSOR || kind == Kind.DOUBLE || kind == Kind.FLOAT || isTensorArray();
  }

  /** Whether this is {@code Tensor[]}. */
  public boolean isTensorArray() {
    return kind == Kind.OTHER && spelling.equals(TENSOR_ARRAY.spelling);
  }

  /** Whether this is {@code double} or {@code float}. */
  public boolean floating() {
    return kind == Kind.DOUBLE || kind == Kind.FLOAT;
  }

  /** Whether Java arithmetic applies ({@code int}, {@code long}, {@code float}, {@code double}). */
  public boolean numeric() {
    return kind == Kind.DOUBLE || kind == Kind.FLOAT || kind == Kind.LONG || kind == Kind.INT;
  }

  /** An other (passive) type with this spelling. */
  public static Type other(String spelling) {
    return new Type(Kind.OTHER, spelling);
  }

  /** Java's binary numeric promotion. */
  public static Type promote(Type a, Type b) {
    if (a.kind == Kind.DOUBLE || b.kind == Kind.DOUBLE) {
      return DOUBLE;
    }
    if (a.kind == Kind.FLOAT || b.kind == Kind.FLOAT) {
      return FLOAT;
    }
    if (a.kind == Kind.LONG || b.kind == Kind.LONG) {
      return LONG;
    }
    return INT;
  }

  /** Whether a value of type {@code from} converts to this type by identity or primitive widening. */
  public boolean acceptsWidening(Type from) {
    if (from.kind == kind) {
      return kind != Kind.OTHER || from.spelling.equals(spelling);
    }
    return switch (kind) {
      case DOUBLE -> from.kind == Kind.FLOAT || from.kind == Kind.LONG || from.kind == Kind.INT;
      case FLOAT -> from.kind == Kind.LONG || from.kind == Kind.INT;
      case LONG -> from.kind == Kind.INT;
      default -> false;
    };
  }

  @Override
  public String toString() {
    return kind == Kind.TENSOR ? "Tensor" : spelling;
  }
}
