package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.DiffChecks;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outside user's right rules (finding A1, session 10, their {@code ChecksTest.rightRulesPass}): a tensor
 * {@code @Derivative} VJP returning beta's gradient unreduced ({@code [2, 3]} for {@code [3]}) beside its JVP, used
 * in a loop. The generated checks failed with "dot of 3 and 6 elements" (the pullback returned the {@code [2, 3]}
 * gradient); with the gradient summed to beta's shape, as PyTorch sums it, every check passes.
 */
class UserRuleChecksTest {
  @Test
  void theOutsidersSwishRulePassesTheGeneratedChecks(@TempDir Path dir) throws Exception {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(JavaFileObjects.forSourceString("app.Rules", """
            package app;

            import dev.adjoint.Tensor;
            import dev.adjoint.annotation.Derivative;
            import dev.adjoint.annotation.Differentiable;
            import dev.adjoint.annotation.Domain;

            /** A user function with a correct VJP and a user JVP. */
            public final class Rules {
              private Rules() {}

              public static Tensor swish(Tensor x, Tensor beta) {
                return x.mul(x.mul(beta).sigmoid());
              }

              @Derivative(of = Rules.class, method = "swish")
              public static dev.adjoint.autograd.Grads swishVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
                Tensor s = x.mul(beta).sigmoid();
                Tensor ds = s.mul(s.neg().add(1));
                return dev.adjoint.autograd.Grads.of(g.mul(s.add(x.mul(beta).mul(ds))), g.mul(x.square().mul(ds)));
              }

              @Derivative(of = Rules.class, method = "swish", kind = Derivative.Kind.JVP)
              public static Tensor swishJvp(Tensor dx, Tensor dbeta, Tensor out, Tensor x, Tensor beta) {
                Tensor s = x.mul(beta).sigmoid();
                Tensor ds = s.mul(s.neg().add(1));
                return dx.mul(s.add(x.mul(beta).mul(ds))).add(dbeta.mul(x.square().mul(ds)));
              }

              @Differentiable
              public static Tensor useSwish(@Domain(shape = {2, 3}) Tensor x,
                  @Domain(min = 0.5, max = 2, shape = {3}) Tensor b, int n) {
                Tensor h = x;
                for (int i = 0; i < n; i++) {
                  h = swish(h, b).add(x);
                }
                return h.square().sum();
              }
            }
            """)));
    assertThat(c).succeededWithoutWarnings();
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      DiffChecks.assertAll(l.loadClass("app.RulesDiffChecks"));
    }
  }
}
