package dev.adjoint.shape;

import java.util.ArrayList;
import java.util.List;

/**
 * A symbolic shape: a list of {@link Dim}s, or {@link #UNKNOWN} (not even the rank is known).
 *
 * @param dims the sizes, or {@code null} when the rank is unknown
 */
public record SymShape(List<Dim> dims) {
  /** A shape of unknown rank. */
  public static final SymShape UNKNOWN = new SymShape(null);

  /** Defensive copy. */
  public SymShape {
    dims = dims == null ? null : List.copyOf(dims);
  }

  /** A constant shape. */
  public static SymShape of(int... sizes) {
    List<Dim> d = new ArrayList<>();
    for (int s : sizes) {
      d.add(Dim.of(s));
    }
    return new SymShape(d);
  }

  /**
   * Parses {@code @Shape}'s text: comma-separated integers, symbols (Java identifiers) or {@code _}; {@code ""}
   * is 0-dimensional.
   *
   * @throws IllegalArgumentException naming the first entry that is none of these
   */
  public static SymShape parse(String text) {
    List<Dim> d = new ArrayList<>();
    String t = text.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1).strip();
    }
    if (t.isEmpty()) {
      return new SymShape(d);
    }
    for (String part : t.split(",", -1)) {
      String p = part.strip();
      if (p.equals("_")) {
        d.add(Dim.UNKNOWN);
      } else if (p.matches("[0-9]+")) {
        d.add(Dim.of(Long.parseLong(p)));
      } else if (p.matches("[A-Za-z][A-Za-z0-9_]*")) {
        d.add(Dim.sym(p));
      } else {
        throw new IllegalArgumentException("'" + p + "' in \"" + text + "\" is not a size, a symbol or _");
      }
    }
    return new SymShape(d);
  }

  /** Whether the rank is known. */
  public boolean known() {
    return dims != null;
  }

  /** The rank (the shape must be known). */
  public int rank() {
    return dims.size();
  }

  /** The size of dimension {@code i} (from the end when negative). */
  public Dim dim(int i) {
    return dims.get(i < 0 ? i + dims.size() : i);
  }

  /** The number of elements (1 for a 0-dimensional shape), unknown if a size is. */
  public Dim numel() {
    if (!known()) {
      return Dim.UNKNOWN;
    }
    Dim n = Dim.of(1);
    for (Dim d : dims) {
      n = n.times(d);
    }
    return n;
  }

  /** Whether every size is a constant. */
  public boolean constant() {
    return known() && dims.stream().allMatch(Dim::constant);
  }

  /** {@code [B, 784]}, {@code []}, {@code [*]} for an unknown rank. */
  @Override
  public String toString() {
    if (!known()) {
      return "[*]";
    }
    List<String> s = new ArrayList<>();
    dims.forEach(d -> s.add(d.toString()));
    return "[" + String.join(", ", s) + "]";
  }
}
