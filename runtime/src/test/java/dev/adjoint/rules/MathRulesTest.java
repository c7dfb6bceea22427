package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.annotation.Derivative;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every {@code @Derivative} rule in {@link MathRules}, found by reflection (so a new rule cannot skip
 * the check), against a central finite difference of the {@code Math} method it differentiates, at
 * points inside each function's domain and away from kinks.
 */
class MathRulesTest {
  private static final double[][] POINTS = {{0.3, 0.7, 1.1}, {0.45, 1.3, -0.6}, {0.8, 0.2, 2.0}, {0.25, 2.5, 0.4}};

  @Test
  void everyRuleMatchesFiniteDifferences() throws Exception {
    List<String> checked = new ArrayList<>();
    for (Method rule : MathRules.class.getDeclaredMethods()) {
      Derivative d = rule.getAnnotation(Derivative.class);
      if (d == null) {
        continue;
      }
      assertTrue(Modifier.isPublic(rule.getModifiers()) && Modifier.isStatic(rule.getModifiers()), rule.getName());
      assertEquals(Math.class, d.of());
      int arity = rule.getParameterCount() - 2;
      Class<?>[] types = new Class<?>[arity];
      java.util.Arrays.fill(types, double.class);
      Method primal = Math.class.getMethod(d.method(), types);
      for (double[] p : POINTS) {
        Object[] in = new Object[arity];
        for (int i = 0; i < arity; i++) {
          in[i] = p[i];
        }
        double out = (Double) primal.invoke(null, in);
        Object[] args = new Object[arity + 2];
        args[0] = 1.7;
        args[1] = out;
        System.arraycopy(in, 0, args, 2, arity);
        double g = (Double) rule.invoke(null, args);
        int wrt = d.wrt() < 0 ? 0 : d.wrt();
        double h = 1e-6;
        Object[] up = in.clone();
        Object[] down = in.clone();
        up[wrt] = p[wrt] + h;
        down[wrt] = p[wrt] - h;
        double fd = 1.7 * ((Double) primal.invoke(null, up) - (Double) primal.invoke(null, down)) / (2 * h);
        assertEquals(fd, g, 1e-6 * Math.max(1, Math.abs(fd)), rule.getName() + " at " + java.util.Arrays.toString(p));
      }
      checked.add(rule.getName());
    }
    assertTrue(checked.size() >= 34, "rules checked: " + checked);
  }

  @Test
  void subgradientsFollowPyTorch() {
    assertEquals(0.0, MathRules.absVjp(1, 0, 0), 0.0);
    assertEquals(1.0, MathRules.maxVjpA(1, 2, 2, 2), 0.0);
    assertEquals(0.0, MathRules.maxVjpB(1, 2, 2, 2), 0.0);
    assertEquals(0.0, MathRules.powVjpExponent(1, 0, 0, 3), 0.0);
  }
}
