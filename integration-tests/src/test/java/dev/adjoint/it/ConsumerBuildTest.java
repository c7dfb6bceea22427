package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs in the verify phase, after maven-invoker-plugin built the consumer: what its build did, beyond
 * succeeding (which invoker:run checks).
 */
class ConsumerBuildTest {
  static final Path CONSUMER = Path.of("target", "it", "consumer");

  static String log() throws IOException {
    return Files.readString(CONSUMER.resolve("build.log"), StandardCharsets.UTF_8);
  }

  @Test
  void theProcessorWroteLineDiff() {
    assertTrue(Files.isRegularFile(CONSUMER.resolve("target/generated-sources/annotations/com/example/LineDiff.java")));
  }

  @Test
  void javacAndTheTestsRanOnTheToolchainsJdk25() throws IOException {
    String log = log();
    assertTrue(log.contains("Toolchain in maven-compiler-plugin: JDK["), "javac from the selected toolchain");
    assertTrue(log.contains("Toolchain in maven-surefire-plugin: JDK["), "tests on the selected toolchain");
  }

  @Test
  void theConsumersTestsRan() throws IOException {
    assertTrue(log().contains("Tests run: 4, Failures: 0, Errors: 0, Skipped: 0"), "LineTest's four tests");
  }

  @Test
  void javacWarnedAboutNothing() throws IOException {
    assertFalse(log().contains("[WARNING] /"), "a javac warning in the consumer's build.log");
  }
}
