package dev.adjoint.shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One size of a symbolic shape: a constant ({@code 784}), a constant times a product of symbols ({@code B},
 * {@code 2·B·N}), or unknown ({@code _}).
 *
 * @param coeff the constant factor, or {@code -1} for unknown
 * @param symbols the symbols multiplied, sorted (a symbol may repeat)
 */
public record Dim(long coeff, List<String> symbols) {
  /** An unknown size. */
  public static final Dim UNKNOWN = new Dim(-1, List.of());

  /** Defensive copy. */
  public Dim {
    symbols = List.copyOf(symbols);
  }

  /** A constant size. */
  public static Dim of(long n) {
    return new Dim(n, List.of());
  }

  /** A symbol. */
  public static Dim sym(String name) {
    return new Dim(1, List.of(name));
  }

  /** Whether the size is known (constant or symbolic). */
  public boolean known() {
    return coeff >= 0;
  }

  /** Whether the size is a constant. */
  public boolean constant() {
    return known() && symbols.isEmpty();
  }

  /** Whether the size is one symbol ({@code B}). */
  public boolean symbol() {
    return coeff == 1 && symbols.size() == 1;
  }

  /** The product of two sizes (unknown if either is). */
  public Dim times(Dim o) {
    if (!known() || !o.known()) {
      return UNKNOWN;
    }
    if (coeff == 0 || o.coeff == 0) {
      return of(0);
    }
    List<String> s = new ArrayList<>(symbols);
    s.addAll(o.symbols);
    s.sort(null);
    return new Dim(coeff * o.coeff, s);
  }

  /** The exact quotient, or unknown when {@code o} does not divide this size symbolically. */
  public Dim dividedBy(Dim o) {
    if (!known() || !o.known() || o.coeff == 0 || coeff % o.coeff != 0) {
      return UNKNOWN;
    }
    List<String> s = new ArrayList<>(symbols);
    for (String x : o.symbols) {
      if (!s.remove(x)) {
        return UNKNOWN;
      }
    }
    return new Dim(coeff / o.coeff, s);
  }

  /** This size with bound symbols replaced by their sizes. */
  public Dim substitute(Map<String, Dim> bindings) {
    if (!known()) {
      return this;
    }
    Dim out = of(coeff);
    for (String s : symbols) {
      Dim b = bindings.get(s);
      out = out.times(b == null ? sym(s) : b.substitute(bindings));
    }
    return out;
  }

  /** {@code 784}, {@code B}, {@code 2·B·N}, {@code _}. */
  @Override
  public String toString() {
    if (!known()) {
      return "_";
    }
    if (symbols.isEmpty()) {
      return Long.toString(coeff);
    }
    return (coeff == 1 ? "" : coeff + "·") + String.join("·", symbols);
  }
}
