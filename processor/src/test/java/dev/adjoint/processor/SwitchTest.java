package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code switch} statements and expressions on an int selector are read as the if/else-if chain they mean
 * (the gradients are checked in the samples' {@code SwitchJavaTest}); what that reading cannot express is an
 * error at its line, never a different program.
 */
class SwitchTest {
  private static JavaFileObject source(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class S {",
        "  @Differentiable",
        "  static double f(double x, int k, String mode) {"));
    lines.addAll(List.of(body));
    lines.addAll(List.of("  }", "}"));
    return Compile.source("t.S", lines.toArray(String[]::new));
  }

  @Test
  void armsColonGroupsAndSwitchExpressionsCompileWithoutWarnings() {
    JavaFileObject src = source(
        "double y;",
        "switch (k) {",
        "  case 0 -> y = x * x;",
        "  case 1, 2 -> {",
        "    y = Math.sin(x);",
        "    y = y * k;",
        "  }",
        "  default -> y = -x;",
        "}",
        "switch (k + 1) {",
        "  case 1:",
        "  case 2:",
        "    y = y * 3;",
        "    break;",
        "  case 3:",
        "    return y;",
        "  default:",
        "    y = y + x;",
        "}",
        "double w = switch (k) {",
        "  case 0 -> x * 2;",
        "  case 1 -> {",
        "    double t = x * x;",
        "    yield t + 1;",
        "  }",
        "  case 2 -> throw new IllegalArgumentException(\"k \" + k);",
        "  default -> Math.exp(x);",
        "};",
        "return w * y;");
    Compilation c = Compile.compile(List.of("-Xlint:all"), src);
    assertThat(c).succeededWithoutWarnings();
  }

  @Test
  void aSwitchOfOnlyDefaultAndASelectorCastFromADouble() {
    // the first generated a second declaration of the variable its default arm assigns (javac refused it)
    JavaFileObject src = source("switch (k) {", "  default -> x = 2 * x;", "}",
        "double w = switch ((int) x) {", "  default -> x * 3;", "};", "switch ((int) x) {", "  case 1 -> x = x * 2;",
        "  default -> { }", "}", "return x + w;");
    assertThat(Compile.compile(List.of("-Xlint:all"), src)).succeededWithoutWarnings();
  }

  static Stream<Arguments> unsupported() {
    return Stream.of(
        Arguments.of("a String selector", "switch (mode)", Message.UNSUPPORTED_STATEMENT,
            "'switch' on a java.lang.String selector (only an int or enum selector, with constant labels, is read"
                + " here; use if/else with equals)",
            new String[] {"switch (mode) {", "  case \"a\" -> x = x * 2;", "  default -> x = x + 1;", "}",
                "return x;"}),
        Arguments.of("a String selector of a switch expression", "switch (mode)", Message.UNSUPPORTED_EXPRESSION,
            "'switch' on a java.lang.String selector (only an int or enum selector, with constant labels, is read"
                + " here; use if/else with equals)",
            new String[] {"double w = switch (mode) {", "  case \"a\" -> x * 2;", "  default -> x + 1;", "};",
                "return w;"}),
        Arguments.of("a fall-through", "case 0:", Message.UNSUPPORTED_STATEMENT,
            "'switch' with a case that falls through into the next (end the case with 'break;', or write"
                + " 'case 1 -> ...')",
            new String[] {"switch (k) {", "  case 0:", "    x = x * 2;", "  case 1:", "    x = x + 1;", "    break;",
                "  default:", "    x = -x;", "}", "return x;"}),
        Arguments.of("a break before the end of an arm", "break;", Message.UNSUPPORTED_STATEMENT,
            "'break' out of a 'switch' before the end of its case (use if/else inside the case instead)",
            new String[] {"switch (k) {", "  case 0 -> {", "    if (x > 0) {", "      break;", "    }",
                "    x = x * 2;", "  }", "  default -> x = -x;", "}", "return x;"}),
        Arguments.of("a yield inside an if", "yield x * 2;", Message.UNSUPPORTED_STATEMENT,
            "'yield' other than as the last statement of a 'switch' expression's case",
            new String[] {"double w = switch (k) {", "  case 0 -> {", "    if (x > 0) {", "      yield x * 2;",
                "    }", "    yield x;", "  }", "  default -> x;", "};", "return w;"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupported")
  void whatTheChainCannotSayIsAnErrorAtItsLine(String name, String line, Message message, String detail,
      String[] body) {
    JavaFileObject src = source(body);
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(message.format(detail)).inFile(src).onLineContaining(line);
    assertThat(c).hadErrorCount(1);
  }
}
