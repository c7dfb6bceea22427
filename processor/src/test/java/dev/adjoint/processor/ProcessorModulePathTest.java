package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor as a module: javac finds it through its descriptor's {@code provides} on
 * {@code --processor-module-path} (no class path, no {@code META-INF/services} lookup by class path), and the user's
 * module compiles against the runtime as the named module {@code dev.adjoint.runtime}.
 */
class ProcessorModulePathTest {
  private static Path location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String path(Path... entries) {
    return Stream.of(entries).map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }

  @Test
  void descriptorsNameTheModulesAndProvideTheProcessor() {
    ModuleDescriptor processor = ModuleFinder.of(location(AdjointProcessor.class)).findAll().iterator().next()
        .descriptor();
    assertEquals("dev.adjoint.processor", processor.name());
    assertFalse(processor.isAutomatic());
    assertTrue(processor.exports().isEmpty(), "the processor exports nothing: " + processor.exports());
    assertEquals(Set.of("dev.adjoint.processor.AdjointProcessor"), processor.provides().stream()
        .filter(p -> p.service().equals("javax.annotation.processing.Processor"))
        .flatMap(p -> p.providers().stream()).collect(Collectors.toSet()));

    ModuleDescriptor runtime = ModuleFinder.of(location(Tensor.class)).findAll().iterator().next().descriptor();
    assertEquals("dev.adjoint.runtime", runtime.name());
    assertFalse(runtime.isAutomatic());
    Set<String> exported = runtime.exports().stream().map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    assertTrue(exported.contains("dev.adjoint") && exported.contains("dev.adjoint.nn"), exported.toString());
    assertFalse(exported.contains("dev.adjoint.kernel.vector"), "the Vector API kernels stay internal");
    assertTrue(runtime.requires().stream().anyMatch(r -> r.name().equals("jdk.incubator.vector")
        && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)), "the Vector API is optional");
  }

  @Test
  void aModularUserCompilesWithTheProcessorOnTheProcessorModulePath(@TempDir Path dir) throws IOException, ClassNotFoundException {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("demo"));
    Files.writeString(src.resolve("module-info.java"), """
        module demo {
          requires transitive dev.adjoint.runtime;
          requires static transitive java.compiler;
          exports demo;
        }
        """);
    Files.writeString(src.resolve("demo/Quadratic.java"), """
        package demo;

        import dev.adjoint.Tensor;
        import dev.adjoint.annotation.Differentiable;

        /** A loss. */
        public final class Quadratic {
          private Quadratic() {}

          /** Squared error of a scaled input. */
          @Differentiable
          public static Tensor loss(Tensor a, Tensor x, Tensor y) {
            Tensor r = a.mul(x).sub(y);
            return r.mul(r).sum();
          }
        }
        """);
    Path runtime = location(Tensor.class);
    Path ejmlCore = location(DMatrixRMaj.class);
    Path ejmlDense = location(CommonOps_DDRM.class);
    Path out = dir.resolve("out");
    Path gen = dir.resolve("gen");
    List<String> args = new ArrayList<>(List.of("--release", "25", "-Xlint:all", "-Werror",
        "--module-path", path(runtime, ejmlCore, ejmlDense),
        "--processor-module-path", path(location(AdjointProcessor.class), runtime, ejmlCore, ejmlDense,
            location(JavaFile.class)),
        "-d", out.toString(), "-s", gen.toString(),
        src.resolve("module-info.java").toString(), src.resolve("demo/Quadratic.java").toString()));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc = ToolProvider.getSystemJavaCompiler().run(null, log, log, args.toArray(String[]::new));
    assertEquals(0, rc, log.toString(StandardCharsets.UTF_8));
    assertEquals("", log.toString(StandardCharsets.UTF_8).strip(), "no diagnostics under -Xlint:all");
    Path generated = gen.resolve("demo/QuadraticDiff.java");
    assertTrue(Files.exists(generated), "the processor, found as a module, wrote QuadraticDiff");
    assertTrue(Files.readString(generated).contains("lossPullback"), "a reverse-mode companion");
    assertTrue(Files.exists(out.resolve("demo/QuadraticDiff.class")));

    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(
        ModuleLayer.boot().configuration().resolve(ModuleFinder.of(out, runtime, ejmlCore, ejmlDense),
            ModuleFinder.of(), Set.of("demo")), ClassLoader.getSystemClassLoader());
    Module demo = layer.findModule("demo").orElseThrow();
    assertTrue(demo.canRead(layer.findModule("dev.adjoint.runtime").orElseThrow()));
    assertNotNull(Class.forName(demo, "demo.QuadraticDiff"));
  }
}
