package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.meta.DerivativeMetadata;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model zoo compiled into a jar, then an application compiled against the jar: every way the processor
 * composes across classes (static tensor and {@code double} methods, a loop, {@code wrt}, a library
 * {@code @Derivative} rule, modules nested two deep, a record) reads the zoo's derivative metadata from
 * its class files, and must give the same generated code and the same values, gradients and parameters,
 * bit for bit, as the zoo and the application compiled together.
 */
class SeparateCompilationTest {
  static final List<String> ZOO = List.of("Layers", "Block", "Mlp", "Affine");
  static final List<String> APP = List.of("Net", "Fns", "Probe");

  static List<JavaFileObject> zoo() {
    return ZOO.stream().map(n -> JavaFileObjects.forResource("inputs/zoo/lib/zoo/" + n + ".java")).toList();
  }

  static List<JavaFileObject> app() {
    return APP.stream().map(n -> JavaFileObjects.forResource("inputs/zoo/app/app/" + n + ".java")).toList();
  }

  @Test
  void theZooInAJarComposesLikeOneCompilation(@TempDir Path dir) throws Exception {
    Compilation lib = Libraries.compile(new AdjointProcessor(), List.of(), List.of(), zoo());
    assertThat(lib).succeededWithoutWarnings();
    Path jar = Libraries.jar(lib, dir.resolve("zoo.jar"), name -> true);
    Compilation app = Libraries.compile(new AdjointProcessor(), List.of(jar), List.of(), app());
    assertThat(app).succeededWithoutWarnings();

    List<JavaFileObject> all = new ArrayList<>(zoo());
    all.addAll(app());
    Compilation single = Libraries.compile(new AdjointProcessor(), List.of(), List.of(), all);
    assertThat(single).succeededWithoutWarnings();

    for (String generated : List.of("app.NetDiff", "app.FnsDiff")) {
      assertEquals(Libraries.source(single, generated), Libraries.source(app, generated), generated);
    }
    for (String generated : List.of("zoo.LayersDiff", "zoo.BlockDiff", "zoo.MlpDiff", "zoo.AffineDiff")) {
      assertEquals(Libraries.source(single, generated), Libraries.source(lib, generated), generated);
    }
    String separate;
    try (URLClassLoader l = Libraries.loader(jar, Libraries.classes(app, dir.resolve("app")))) {
      separate = probe(l);
    }
    String together;
    try (URLClassLoader l = Libraries.loader(Libraries.classes(single, dir.resolve("single")))) {
      together = probe(l);
    }
    assertEquals(together, separate);
    // the probe saw every form: gradients of the nested zoo modules' parameters, the record's, the rule's
    for (String line : List.of("net.gradient.mlpFcWeight", "net.gradient.mlpBlockScale", "net.gradient.headScale",
        "net.gradient.affineW", "parameter mlp.fc.weight", "parameter head.scale", "fGrad.x", "unrolled.gradient.w")) {
      assertTrue(separate.contains(line), () -> line + " missing from\n" + separate);
    }
    assertTrue(!separate.contains("grad null"), () -> "a parameter without gradient:\n" + separate);
  }

  /** {@code l.Lib} with the given members. */
  private static JavaFileObject lib(String... members) {
    List<String> lines = new ArrayList<>(List.of("package l;", "import dev.adjoint.annotation.Differentiable;", "public final class Lib {", "  private Lib() {}"));
    lines.addAll(List.of(members));
    lines.add("}");
    return Compile.source("l.Lib", lines.toArray(String[]::new));
  }

  private static final String SQ = "  @Differentiable public static double sq(double x) { return x * x; }";
  private static final String CUBE = "  @Differentiable public static double cube(double x) { return x * x * x; }";

  /** {@code t.App}, whose {@code f} calls {@code Lib.<call>(x)}. */
  private static JavaFileObject app(String call) {
    return Compile.source("t.App", "package t;", "import dev.adjoint.annotation.Differentiable;", "import l.Lib;",
        "final class App {", "  @Differentiable static double f(double x) {", "    return Lib." + call + "(x) + 1;",
        "  }", "}");
  }

  /** Compiles {@code app} with the processor against {@code jar}: one error at the call. */
  private static void onlyErrorAtTheCall(Path jar, JavaFileObject app, String call, String message) {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(jar), List.of(), List.of(app));
    assertThat(c).hadErrorContaining(message).inFile(app).onLineContaining("Lib." + call + "(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aClassCompiledWithoutTheProcessorIsNamedWithItsJar(@TempDir Path dir) {
    Compilation lib = Libraries.compile(null, List.of(), List.of("-proc:none"), List.of(lib(SQ)));
    assertThat(lib).succeeded();
    Path jar = Libraries.jar(lib, dir.resolve("plain.jar"), name -> true);
    onlyErrorAtTheCall(jar, app("sq"), "sq", Message.MISSING_DERIVATIVE.format("Lib.sq", jar, "LibDiff", "Lib", "sq"));
  }

  @Test
  void metadataOfAnotherFormatIsRefused(@TempDir Path dir) {
    JavaFileObject future = Compile.source("l.LibDiff", "package l;",
        "import dev.adjoint.annotation.AdjointGenerated;", "@AdjointGenerated(from = \"l.Lib\", version = 99)",
        "public final class LibDiff {}");
    Compilation lib = Libraries.compile(null, List.of(), List.of("-proc:none"), List.of(lib(SQ), future));
    assertThat(lib).succeeded();
    Path jar = Libraries.jar(lib, dir.resolve("future.jar"), name -> true);
    onlyErrorAtTheCall(jar, app("sq"), "sq", Message.STALE_METADATA.format("Lib.sq", "LibDiff", jar,
        "holds derivative metadata of format 99, and this processor reads format " + DerivativeMetadata.FORMAT, "Lib"));
  }

  @Test
  void aCompanionWithoutMetadataIsRefused(@TempDir Path dir) {
    JavaFileObject old = Compile.source("l.LibDiff", "package l;",
        "import dev.adjoint.annotation.AdjointGenerated;", "@AdjointGenerated(from = \"l.Lib\")",
        "public final class LibDiff {}");
    Compilation lib = Libraries.compile(null, List.of(), List.of("-proc:none"), List.of(lib(SQ), old));
    assertThat(lib).succeeded();
    Path jar = Libraries.jar(lib, dir.resolve("old.jar"), name -> true);
    onlyErrorAtTheCall(jar, app("sq"), "sq", Message.STALE_METADATA.format("Lib.sq", "LibDiff", jar,
        "was written by an Adjoint processor without derivative metadata (format 0; this processor reads format "
            + DerivativeMetadata.FORMAT + ")", "Lib"));
  }

  @Test
  void aClassRecompiledWithoutTheProcessorIsStale(@TempDir Path dir) {
    Compilation v1 = Libraries.compile(new AdjointProcessor(), List.of(), List.of(), List.of(lib(SQ)));
    assertThat(v1).succeededWithoutWarnings();
    Compilation v2 = Libraries.compile(null, List.of(), List.of("-proc:none"), List.of(lib(SQ, CUBE)));
    assertThat(v2).succeeded();
    // the new Lib.class beside the LibDiff.class its previous version left behind
    Path classes = Libraries.classes(v2, dir.resolve("v2"));
    Path jar = dir.resolve("stale.jar");
    Libraries.jar(v1, jar, name -> name.startsWith("l/LibDiff"));
    JavaFileObject app = app("cube");
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(classes, jar), List.of(), List.of(app));
    assertThat(c).hadErrorContaining(Message.STALE_METADATA.format("Lib.cube", "LibDiff", jar,
        "has no derivative of cube(double), so Lib was changed and compiled again without the Adjoint processor",
        "Lib")).inFile(app).onLineContaining("Lib.cube(x)");
    assertThat(c).hadErrorCount(1);
    // what still matches its metadata composes
    assertThat(Libraries.compile(new AdjointProcessor(), List.of(classes, jar), List.of(), List.of(app("sq"))))
        .succeededWithoutWarnings();
  }

  private static String probe(ClassLoader l) throws Exception {
    return (String) l.loadClass("app.Probe").getMethod("run").invoke(null);
  }
}
