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

        @Differentiable @Shape("")
        static Tensor masked(@Shape("B, 10") Tensor x) {
          Tensor m = x.gt(0.0);
          return Tensor.where(m, x.exp(), x.mul(2.0)).sum();
        }

        @Differentiable @Shape("B, 10")
        static Tensor unrolled(@Shape("B, 10") Tensor x, @Shape("10, 10") Tensor w, int n) {
          Tensor h = x;
          for (int i = 0; i < n; i++) {
            h = h.matmul(w).tanh();
          }
          return h;
        }

        @Differentiable
        static Tensor untilSmall(@Shape("B, 10") Tensor x) {
          Tensor h = x;
          while (h.sum().item() > 1) {
            if (h.max().item() > 2) {
              h = h.mul(0.5);
            }
            h = h.sigmoid();
          }
          return h.sum();
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
    String assumed = "\n    tape: ×4 bytes an element assumed for the tensors whose dtype the method does not set"
        + " (float32; float64 doubles those terms)";
    assertEquals(List.of(
        "tape: 4·B·512 + 4·B·512 + 4·B·10 bytes (forward1, h, forward2) = 4136·B bytes;"
            + " refers to the inputs x, fc1, fc1Weight, fc1Bias, fc2, fc2Weight, fc2Bias" + assumed,
        "tape: 4·numel(mul1) + 4 bytes (mul1, sum1); refers to the inputs a, s" + assumed,
        // a comparison's BOOL mask: one byte an element, the dtype the method sets
        "tape: 1·B·10 + 4·B·10 + 4·B·10 + 4·B·10 + 4 bytes (m, exp1, mul1, where1, sum1) = 130·B + 4 bytes;"
            + " refers to the inputs x" + assumed,
        // values pushed per iteration, times the counted loop's bound as written
        "tape: 4·B·10 + 4·B·10 bytes (h, matmul1) = 80·B bytes; refers to the inputs w, n"
            + "\n    tape per iteration of for (int i = 0; i < n; i++) (Mlp.java:32): 4·B·10 + 4·B·10 bytes"
            + " (matmul1 pushed on savedMatmul1, h pushed on savedH) = 80·B bytes; n·(80·B) bytes over the loop"
            + assumed,
        // a while loop: its trip count is iters; a branch decision inside it is a byte an iteration
        "tape: 4·B·10 + 4·numel(mul1) + 4·B·10 + 4 bytes (h, mul1, sigmoid1, sum2)"
            + "\n    tape per iteration of while (h.sum().item() > 1) (Mlp.java:41): 4·numel(mul1) + 4·B·10 + 4·B·10"
            + " + 1 bytes (mul1 pushed on savedMul1, h pushed on savedH, sigmoid1 pushed on savedSigmoid1, branch0"
            + " decision); iters·(4·numel(mul1) + 4·B·10 + 4·B·10 + 1) bytes over the loop" + assumed),
        tapes.stream().map(t -> t.replace("\r\n", "\n")).toList());
  }
}
