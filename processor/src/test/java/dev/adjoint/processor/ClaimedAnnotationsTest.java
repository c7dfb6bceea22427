package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.TypeElement;
import org.junit.jupiter.api.Test;

/**
 * A consumer compiling with {@code -Xlint:all} (processing lint included) gets no "No processor claimed
 * any of these annotations" for Adjoint's annotations or the {@code @Generated} on the classes it writes,
 * and a processor running after Adjoint still sees every other annotation.
 */
class ClaimedAnnotationsTest {
  /** Records the annotations it is offered, claiming none, as a processor placed after Adjoint. */
  static final class Recorder extends Compile.StarProcessor {
    final Set<String> offered = new TreeSet<>();

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      annotations.forEach(a -> offered.add(a.getQualifiedName().toString()));
      return true; // claims the rest, so javac's lint only sees what Adjoint left unclaimed
    }
  }

  @Test
  void adjointsAnnotationsAreClaimedUnderXlintAll() {
    Compilation c = javac().withProcessors(new AdjointProcessor())
        .withOptions("-Xlint:all", "--release", "25")
        .compile(JavaFileObjects.forResource("inputs/golden/Softplus.java"));
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("golden.SoftplusDiff");
  }

  @Test
  void otherAnnotationsStillReachLaterProcessors() {
    Recorder recorder = new Recorder();
    Compilation c = javac().withProcessors(new AdjointProcessor(), recorder)
        .withOptions("-Xlint:all", "--release", "25")
        .compile(Compile.source("t.Mixed",
            "package t;",
            "import dev.adjoint.annotation.Differentiable;",
            "final class Mixed {",
            "  @Differentiable @Deprecated static double f(double x) {",
            "    return x * x;",
            "  }",
            "  @FunctionalInterface interface Fn { double apply(double x); }",
            "}"));
    assertThat(c).succeeded();
    assertEquals(Set.of("java.lang.Deprecated", "java.lang.FunctionalInterface"), recorder.offered);
  }

  @Test
  void aStarProcessorBeforeAdjointStillGeneratesWhatAMethodWaitsFor() {
    Compilation c = javac().withProcessors(new DeferralTest.GenProcessor(), new AdjointProcessor())
        .withOptions("-Xlint:all").compile(DeferralTest.SOURCE);
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("t.UsesGenDiff").contentsAsUtf8String().contains("Gen.K");
  }

  /** A test source set: no Adjoint annotation, one of another library's (JUnit's {@code @Test} in a real one). */
  private static final javax.tools.JavaFileObject PLAIN = Compile.source("t.PlainTest",
      "package t;",
      "final class PlainTest {",
      "  @interface Check {}",
      "  @Check void f() {}",
      "}");

  /**
   * Outsider 10, C1: javac counts an option as recognised only from a processor it called, and it calls Adjoint only
   * for its annotations: {@code -Aadjoint.checks=true} on sources without them is javac's warning (why the README
   * puts options in the {@code default-compile} execution). {@code -Aadjoint.claim=false} makes Adjoint support
   * {@code "*"}, so it runs on any sources and its option is recognised.
   */
  @Test
  void anOptionOnSourcesWithoutAdjointsAnnotationsIsRecognisedOnlyWhenAdjointRuns() {
    Compilation checks = javac().withProcessors(new AdjointProcessor())
        .withOptions("-Xlint:all", "-Xlint:-processing", "-Aadjoint.checks=true").compile(PLAIN);
    assertThat(checks).hadWarningContaining("The following options were not recognized by any processor:"
        + " '[adjoint.checks]'");
    Compilation claim = javac().withProcessors(new AdjointProcessor())
        .withOptions("-Xlint:all", "-Xlint:-processing", "-Aadjoint.claim=false").compile(PLAIN);
    assertThat(claim).succeededWithoutWarnings();
    Compilation both = javac().withProcessors(new AdjointProcessor())
        .withOptions("-Xlint:all", "-Xlint:-processing", "-Aadjoint.claim=false", "-Aadjoint.checks=true")
        .compile(PLAIN);
    assertThat(both).succeededWithoutWarnings();
  }

  @Test
  void withClaimFalseAdjointRunsOnEverythingAndLaterProcessorsStillSeeAll() {
    Recorder recorder = new Recorder();
    Compilation c = javac().withProcessors(new AdjointProcessor(), recorder)
        .withOptions("-Xlint:all", "--release", "25", "-Aadjoint.claim=false")
        .compile(Compile.source("t.Mixed",
            "package t;",
            "import dev.adjoint.annotation.Differentiable;",
            "final class Mixed {",
            "  @Differentiable @Deprecated static double f(double x) {",
            "    return x * x;",
            "  }",
            "}"));
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("t.MixedDiff");
    // Adjoint claimed nothing: the later processor was offered its annotations too
    assertTrue(recorder.offered.containsAll(Set.of("dev.adjoint.annotation.Differentiable", "java.lang.Deprecated",
        "javax.annotation.processing.Generated")), recorder.offered.toString());
  }

  @Test
  void claimFalseLeavesThemUnclaimed() {
    Compilation c = javac().withProcessors(new AdjointProcessor())
        .withOptions("-Xlint:all", "-Aadjoint.claim=false")
        .compile(JavaFileObjects.forResource("inputs/golden/Softplus.java"));
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining("No processor claimed any of these annotations");
  }
}
