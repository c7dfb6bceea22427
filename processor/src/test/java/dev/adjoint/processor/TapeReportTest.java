package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code -Aadjoint.report=true}: the memory the tape holds per call, symbolically, from the saved values' shapes. */
final class TapeReportTest {
  private static final String MLP = """
      package report;

      import dev.adjoint.Tensor;
      import dev.adjoint.annotation.Differentiable;
      import dev.adjoint.annotation.Shape;
      import dev.adjoint.nn.Linear;

      public final class Mlp {
        final Linear fc1 = new Linear(784, 512);
        final Linear fc2 = new Linear(512, 10);

        @Differentiable(wrt = "this") @Shape("B, 10")
        Tensor logits(@Shape("B, 784") Tensor x) {
          Tensor h = fc1.forward(x).relu();
          return fc2.forward(h);
        }

        @Differentiable
        static Tensor unknown(Tensor a, double s) {
          return a.mul(s).sum();
        }
      }
      """;

  @Test
  void reportsTheTapeInBytesOfTheSymbolicShapes() {
    Compilation c = Compile.compile(List.of("-Aadjoint.report=true"),
        com.google.testing.compile.JavaFileObjects.forSourceString("report.Mlp", MLP));
    assertThat(c).succeededWithoutWarnings();
    List<String> tapes = c.notes().stream().map(n -> n.getMessage(Locale.ROOT))
        .filter(m -> m.contains("[Adjoint/report]")).map(m -> m.substring(m.indexOf("tape: "))).toList();
    assertEquals(List.of(
        "tape: 4·B·512 + 4·B·512 + 4·B·10 bytes (forward1, h, forward2) = 4136·B bytes;"
            + " refers to the inputs x, fc1, fc1Weight, fc1Bias, fc2, fc2Weight, fc2Bias",
        "tape: 4·numel(mul1) + 4 bytes (mul1, sum1); refers to the inputs a, s"), tapes);
  }
}
