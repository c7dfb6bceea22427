package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Which {@code @Primitive} rows have no recorded backward formula ({@link DoubleBackward}), so that
 * {@code createGraph} through them leaves a gradient whose own backward throws. The list is exact: a new row
 * without a formula, or a formula for a listed row, fails here until the list says so.
 */
class DoubleBackwardCoverageTest {
  /**
   * Rows that PyTorch 1.13 cannot differentiate twice either: none. Every row here has a PyTorch counterpart
   * with a double backward (its derivatives.yaml formulas are written in differentiable operations).
   */
  private static final Set<String> PYTORCH_CANNOT_EITHER = Set.of();

  /**
   * Rows PyTorch can differentiate twice and Adjoint cannot yet (createGraph through them gives a gradient whose
   * backward throws "double backward through ... is not supported", never a silent zero): none since the
   * decompositions, triangular solves and asStrided got their recorded formulas.
   */
  private static final Set<String> NOT_YET = Set.of();

  private static String key(Method m) {
    StringBuilder b = new StringBuilder(m.getDeclaringClass().getSimpleName()).append('.').append(m.getName())
        .append('(');
    Class<?>[] ps = m.getParameterTypes();
    for (int k = 0; k < ps.length; k++) {
      b.append(k == 0 ? "" : ",").append(ps[k].getSimpleName());
    }
    return b.append(')').toString();
  }

  @Test
  void theRowsWithoutADoubleBackwardFormulaAreExactlyTheListedOnes() throws Exception {
    Set<String> all = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    for (Method m : PrimitiveRowsTest.primitives()) {
      all.add(key(m));
      if (DoubleBackward.formula(m) == null) {
        missing.add(key(m));
      }
    }
    Set<String> expected = new TreeSet<>(PYTORCH_CANNOT_EITHER);
    expected.addAll(NOT_YET);
    assertEquals(expected, missing, "rows without a double-backward formula (" + missing.size()
        + " of " + all.size() + " rows):\n" + String.join("\n", missing));
  }

  /**
   * {@code @Primitive(doubleBackward = false)} is set on exactly the rows without a formula: the processor reads
   * the flag (it cannot run the registry) to leave {@code fHvp}/{@code fHessian} out of methods through them.
   */
  @Test
  void theDoubleBackwardFlagAgreesWithTheRegistry() throws Exception {
    Set<String> flagged = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    for (Method m : PrimitiveRowsTest.primitives()) {
      if (!m.getAnnotation(dev.adjoint.annotation.Primitive.class).doubleBackward()) {
        flagged.add(key(m));
      }
      if (DoubleBackward.formula(m) == null) {
        missing.add(key(m));
      }
    }
    assertEquals(missing, flagged, "@Primitive(doubleBackward = false) must mark exactly the rows without a formula");
  }
}
