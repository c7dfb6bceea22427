package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Set;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** A type another processor generates in a later round resolves: the method waits for it. */
class DeferralTest {
  /** Generates {@code t.Gen} with a constant in its first round, like any code generator would. */
  static final class GenProcessor extends Compile.StarProcessor {
    private boolean done;

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      if (!done) {
        done = true;
        try (Writer w = processingEnv.getFiler().createSourceFile("t.Gen").openWriter()) {
          w.write("package t; public final class Gen { private Gen() {} public static final double K = 3; }");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return false;
    }
  }

  static final JavaFileObject SOURCE = Compile.source("t.UsesGen",
      "package t;",
      "import dev.adjoint.annotation.Differentiable;",
      "final class UsesGen {",
      "  @Differentiable static double f(double x) {",
      "    return x * Gen.K;",
      "  }",
      "}");

  @Test
  void waitsForAGeneratedType() {
    // GenProcessor supports "*" and comes after Adjoint: were @Differentiable (the round's only
    // annotation) claimed, javac would not call it. Placed before Adjoint it needs no option (ClaimedAnnotationsTest).
    Compilation c = javac().withProcessors(new AdjointProcessor(), new GenProcessor())
        .withOptions("-Xlint:all", "-Xlint:-processing", "-Aadjoint.claim=false").compile(SOURCE);
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("t.UsesGenDiff").contentsAsUtf8String().contains("return new FGradient(Gen.K);");
  }

  @Test
  void reportsInTheLastRoundIfItNeverAppears() {
    Compilation c = Compile.compile(java.util.List.of(), SOURCE);
    assertThat(c).hadErrorContaining(Message.UNRESOLVED.format("Gen")).inFile(SOURCE).onLineContaining("Gen.K");
    assertThat(c).hadErrorCount(1);
  }
}
