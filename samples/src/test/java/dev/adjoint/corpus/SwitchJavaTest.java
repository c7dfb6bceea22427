package dev.adjoint.corpus;

import static dev.adjoint.corpus.GradCheck.H32;
import static dev.adjoint.corpus.GradCheck.H64;
import static dev.adjoint.corpus.GradCheck.TOL32;
import static dev.adjoint.corpus.GradCheck.TOL64;
import static dev.adjoint.corpus.GradCheck.call;
import static dev.adjoint.corpus.GradCheck.invoke;
import static dev.adjoint.corpus.GradCheck.method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.Tensor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SwitchJava} on every arm, against the method's own value, central differences and eager autograd. */
class SwitchJavaTest {

  static Stream<Arguments> cases() {
    Tensor a = Tensor.of(0.5f, -1.2f, 2f);
    List<Arguments> out = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      out.add(Arguments.of("arrowArms", List.<Object>of(0.7, k)));
      out.add(Arguments.of("colonGroups", List.<Object>of(-1.3, k)));
      out.add(Arguments.of("switchExpression", List.<Object>of(0.4, k)));
    }
    for (int n = 0; n < 8; n++) {
      out.add(Arguments.of("switchInALoop", List.<Object>of(1.1, n)));
    }
    out.add(Arguments.of("switchInALoop", List.<Object>of(4.0, 7)));
    for (int k = 0; k < 3; k++) {
      out.add(Arguments.of("activation", List.<Object>of(a, k)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("cases")
  void gradientsMatch(String name, List<Object> inputs) {
    Method plain = method(SwitchJava.class, name);
    Method valueAndGrad = method(SwitchJavaDiff.class, name + "ValueAndGrad");
    boolean tensor = plain.getReturnType() == Tensor.class;
    Method tracked = tensor ? method(SwitchJavaDiff.class, name) : null;
    GradCheck.check(inputs, in -> invoke(plain, in), in -> {
      Object r = invoke(valueAndGrad, in);
      Object gradient = call(r, "gradient");
      // the int selector has no gradient: the record holds the one differentiable input
      return new Object[] {call(r, "value"), call(gradient, gradient.getClass().getRecordComponents()[0].getName()),
          null};
    }, tracked == null ? null : in -> (Tensor) invoke(tracked, in), tensor ? H32 : H64, tensor ? TOL32 : TOL64);
  }

  @Test
  void aThrowingArmThrowsFromTheGeneratedCode() {
    var e = assertThrows(IllegalArgumentException.class, () -> SwitchJavaDiff.switchExpressionValueAndGrad(0.5, 9));
    assertEquals("k 9", e.getMessage());
  }

  @Test
  void theArmsGradientsAreTheArmsDerivatives() {
    double x = 0.7;
    assertEquals(2 * x + 1, SwitchJavaDiff.arrowArmsGrad(x, 0).x(), 1e-15);
    assertEquals(2 * Math.cos(x) + 1, SwitchJavaDiff.arrowArmsGrad(x, 2).x(), 1e-15);
    assertEquals(0.0, SwitchJavaDiff.arrowArmsGrad(x, 5).x(), 1e-15);
  }



}
