package dev.adjoint.shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Equates sizes while shape functions run. Two different constants are an error ({@link ShapeError}); a symbol
 * equated with another size is bound to it from then on, and the equation is kept as a {@link Constraint} for
 * the caller to check when the symbol's size is known (at method entry, for the processor). An unknown size
 * equates with anything and adds nothing: unknown propagates as unknown.
 */
public final class Unifier {
  /**
   * A size equation the shapes alone cannot decide.
   *
   * @param left the first size, as written before any binding
   * @param right the second size
   */
  public record Constraint(Dim left, Dim right) {
    @Override
    public String toString() {
      return left + " = " + right;
    }
  }

  private final Map<String, Dim> bindings = new LinkedHashMap<>();
  private final List<Constraint> constraints = new ArrayList<>();

  /** An empty unifier: no symbol bound, no equation kept. */
  public Unifier() {}

  /** The size with bound symbols replaced. */
  public Dim resolve(Dim d) {
    return d.substitute(bindings);
  }

  /** The shape with bound symbols replaced. */
  public SymShape resolve(SymShape s) {
    if (!s.known()) {
      return s;
    }
    List<Dim> d = new ArrayList<>();
    s.dims().forEach(x -> d.add(resolve(x)));
    return new SymShape(d);
  }

  /** The equations recorded so far, in order. */
  public List<Constraint> constraints() {
    return List.copyOf(constraints);
  }

  /** How many equations have been recorded (a caller can tell which a step added). */
  public int constraintCount() {
    return constraints.size();
  }

  /**
   * {@code a} and {@code b} must be the same size: returns it (the better known of the two).
   *
   * @throws ShapeError with {@code mismatch}'s text when both are constants and differ
   */
  public Dim equal(Dim a, Dim b, Supplier<String> mismatch) {
    Dim x = resolve(a);
    Dim y = resolve(b);
    if (!x.known()) {
      return y;
    }
    if (!y.known() || x.equals(y)) {
      return x;
    }
    if (x.constant() && y.constant()) {
      throw new ShapeError(mismatch.get());
    }
    constraints.add(new Constraint(x, y));
    if (x.symbol()) {
      bindings.put(x.symbols().get(0), y);
      return y;
    }
    if (y.symbol()) {
      bindings.put(y.symbols().get(0), x);
      return x;
    }
    return x;
  }

  /**
   * The broadcast of two sizes: equal sizes, or one of them 1. A symbol stands for a size other than 1, so a
   * symbol against another size is an equation.
   *
   * @throws ShapeError with {@code mismatch}'s text for two constants that differ, neither 1
   */
  public Dim broadcast(Dim a, Dim b, Supplier<String> mismatch) {
    Dim x = resolve(a);
    Dim y = resolve(b);
    if (x.constant() && x.coeff() == 1) {
      return y;
    }
    if (y.constant() && y.coeff() == 1) {
      return x;
    }
    if (!x.known() || !y.known()) {
      return Dim.UNKNOWN;
    }
    return equal(x, y, mismatch);
  }
}
