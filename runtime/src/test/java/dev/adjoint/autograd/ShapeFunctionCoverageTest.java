package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.shape.ShapeRules;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Which {@code @Primitive} rows the compile-time shape checks know ({@link ShapeRules}, keyed by owner and method
 * name). A row without a shape function gives an unknown shape, never an error (shapes are gradual), so this is
 * the list of where {@code @Shape} checking stops. The list is exact: a new row without a shape function, or a
 * shape function for a listed row, fails here until the list says so.
 */
class ShapeFunctionCoverageTest {
  /**
   * The rows (by owner and method name) with no shape function: none. Where a row's result depends on the data
   * ({@code maskedSelect}, a mask in {@code index}) or on an argument the caller cannot see, its function returns
   * an unknown size or shape on purpose, and {@code ShapeRulesTest} pins what it returns.
   */
  private static final Set<String> WITHOUT = Set.of();

  @Test
  void theRowsWithoutAShapeFunctionAreExactlyTheListedOnes() throws Exception {
    Set<String> all = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    for (Method m : PrimitiveRowsTest.primitives()) {
      String owner = m.getDeclaringClass().getSimpleName();
      all.add(owner + "." + m.getName());
      if (ShapeRules.of(owner, m.getName()).isEmpty()) {
        missing.add(owner + "." + m.getName());
      }
    }
    assertEquals(new TreeSet<>(WITHOUT), missing, "rows without a shape function (" + missing.size() + " of "
        + all.size() + " row names)");
  }
}
