package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The consumer project that the integration test builds has README.md's pom, character for character,
 * so what the README shows is what is tested.
 */
class ReadmeSnippetTest {
  static final String HEADING = "## Using Adjoint from another Maven project";
  static final Path README = Path.of("..", "README.md");
  static final Path CONSUMER_POM = Path.of("src", "it", "consumer", "pom.xml");

  /** The first ```xml block after the heading. */
  static String readmePom() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int section = readme.indexOf(HEADING);
    assertTrue(section >= 0, "README.md has no section '" + HEADING + "'");
    int open = readme.indexOf("```xml\n", section);
    assertTrue(open >= 0, "no ```xml block after '" + HEADING + "'");
    int start = open + "```xml\n".length();
    int end = readme.indexOf("```", start);
    return readme.substring(start, end);
  }

  @Test
  void theReadmeShowsTheConsumerPomVerbatim() throws IOException {
    assertEquals(Files.readString(CONSUMER_POM, StandardCharsets.UTF_8), readmePom(),
        "README.md's consumer pom and " + CONSUMER_POM + " differ: change both (the integration test builds the"
            + " latter)");
  }

  @Test
  void theReadmeImportsThisVersionsBom() throws IOException {
    String bom = "<artifactId>adjoint-bom</artifactId>\n        <version>" + System.getProperty("adjoint.version")
        + "</version>";
    assertTrue(readmePom().contains(bom), "README.md's pom should import " + bom);
  }
}
