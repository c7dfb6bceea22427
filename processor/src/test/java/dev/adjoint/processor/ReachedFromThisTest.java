package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The outside user's silent lost gradients: a parameter read through a getter of this, and layers reached
 * through a ModuleList (or a Sequential) in a {@code wrt = "this"} module, were taken for constants (no
 * gradient, no diagnostic). Both are {@code [Adjoint/LostGradient]} now; what stays legal still compiles.
 */
class ReachedFromThisTest {
  private static JavaFileObject module(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.Linear;",
        "import dev.adjoint.nn.Module;",
        "import dev.adjoint.nn.ModuleList;",
        "public final class M extends Module {",
        "  final Tensor weight = Tensor.of(0.5f, -0.25f, 1f);",
        "  final ModuleList layers = new ModuleList(new Linear(3, 3), new Linear(3, 3));",
        "  final Linear head = new Linear(3, 1);",
        "  public M() {",
        "    super(MDiff.MEMBERS);",
        "  }",
        "  Tensor weight() {",
        "    return weight;",
        "  }",
        "  int width() {",
        "    return 3;",
        "  }",
        "  @Override",
        "  public Tensor forward(Tensor x) {",
        "    return MDiff.run(this, x);",
        "  }",
        "  @Differentiable(wrt = \"this\")",
        "  public Tensor run(Tensor x) {"));
    lines.addAll(List.of(body));
    lines.addAll(List.of("  }", "}"));
    return Compile.source("t.M", lines.toArray(String[]::new));
  }

  @Test
  void aParameterReadThroughAGetterIsAnError() {
    JavaFileObject src = module("return head.forward(x.mul(weight())).sum();");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.LOST_GRADIENT.format("M.weight()", "M (this)",
        "Read the field itself, or mark weight() @Differentiable so that its derivative is written too"))
        .inFile(src).onLineContaining("x.mul(weight())");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aLayerReachedThroughAModuleListIsAnError() {
    JavaFileObject src = module("Tensor h = x;", "for (int i = 0; i < layers.size(); i++) {",
        "  h = layers.get(i).forward(h).relu();", "}", "return head.forward(h);");
    Compilation c = Compile.compile(List.of(), src);
    // the container's own message (FINDINGS11 §8), as the for-each over it gets: ModuleContainerTest
    assertThat(c).hadErrorContaining(Message.MODULE_CONTAINER.prefix() + "layers.get(i).forward(h)")
        .inFile(src).onLineContaining("layers.get(i).forward(h)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void theSameLayerHeldInALocalIsAnErrorToo() {
    JavaFileObject src = module("Module first = layers.get(0);", "return head.forward(first.forward(x));");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.LOST_GRADIENT.prefix() + "Module.forward(Tensor)")
        .inFile(src).onLineContaining("first.forward(x)");
  }

  @Test
  void fieldsReadDirectlyAndPassiveGettersStillCompile() {
    JavaFileObject src = module("Tensor h = x.mul(weight).add(weight.detach());",
        "return head.forward(h.mul(width()));");
    assertThat(Compile.compile(List.of("-Xlint:all"), src)).succeededWithoutWarnings();
  }
}
