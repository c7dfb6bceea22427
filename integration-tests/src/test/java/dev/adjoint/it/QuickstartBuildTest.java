package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs in the verify phase, after maven-invoker-plugin generated a project from the quickstart archetype and
 * built it (src/it/quickstart): what the generation and the generated project's build did.
 */
class QuickstartBuildTest {
  static final Path DIR = Path.of("target", "it", "quickstart");
  static final Path PROJECT = DIR.resolve("thermometer");

  static String log() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (var logs = Files.list(DIR)) {
      for (Path p : logs.filter(p -> p.getFileName().toString().startsWith("build")).sorted().toList()) {
        sb.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  @Test
  void theArchetypeGaveAModelATrainingLoopAndATestInThePackage() {
    for (String f : new String[] {"pom.xml", "README.md", "src/main/java/com/example/thermometer/Thermometer.java",
        "src/main/java/com/example/thermometer/Train.java",
        "src/test/java/com/example/thermometer/ThermometerTest.java"}) {
      assertTrue(Files.isRegularFile(PROJECT.resolve(f)), f);
    }
  }

  @Test
  void theGeneratedPomDependsOnThisBuildsVersion() throws IOException {
    String pom = Files.readString(PROJECT.resolve("pom.xml"));
    assertTrue(pom.contains("<adjoint.version>" + System.getProperty("adjoint.version") + "</adjoint.version>"), pom);
    assertTrue(pom.contains("<groupId>com.example</groupId>") && pom.contains("<artifactId>thermometer</artifactId>"));
  }

  @Test
  void theProcessorWroteThermometerDiff() {
    assertTrue(Files.isRegularFile(
        PROJECT.resolve("target/generated-sources/annotations/com/example/thermometer/ThermometerDiff.java")));
  }

  @Test
  void itsTestsRanOnJdk25WithoutWarningsAndItTrained() throws IOException {
    String log = log();
    assertTrue(log.contains("Toolchain in maven-compiler-plugin: JDK["), "javac from the selected toolchain");
    assertTrue(log.contains("Toolchain in maven-surefire-plugin: JDK["), "tests on the selected toolchain");
    assertTrue(log.contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0"), "ThermometerTest's two tests");
    assertFalse(log.contains("[WARNING] /"), "a javac warning in the generated project's build");
    assertTrue(log.contains("Epoch 5000, Loss 2.927"), "exec:exec ran the training loop to the book's loss");
    assertTrue(log.contains("w = 5.367"), "the fitted slope");
  }
}
