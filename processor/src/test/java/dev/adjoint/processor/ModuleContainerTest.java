package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 18's containers and modes in generated code: a layer reached through a {@code ModuleList}, a
 * {@code ModuleDict} or a {@code Sequential} (a for-each over the list, a cast of what {@code get} returns) is an
 * error at its line with a fix-it a user can follow, never a constant; {@code F.maxPool2dWithIndices} and
 * {@code MaxPool2d.forwardWithIndices} name the call that gives the values; a {@code switch} on an enum (statement
 * and expression) and {@code ==} between constants of one enum are read as the if/else chain they mean (golden;
 * the gradients are checked in the samples' {@code ModeBlockTest}).
 */
class ModuleContainerTest {
  private static JavaFileObject module(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.F;",
        "import dev.adjoint.nn.Linear;",
        "import dev.adjoint.nn.MaxPool2d;",
        "import dev.adjoint.nn.Module;",
        "import dev.adjoint.nn.ModuleDict;",
        "import dev.adjoint.nn.ModuleList;",
        "import dev.adjoint.nn.Sequential;",
        "public final class M extends Module {",
        "  enum Mode { A, B, C }",
        "  final Mode mode = Mode.A;",
        "  final ModuleList layers = new ModuleList(new Linear(3, 3), new Linear(3, 3));",
        "  final ModuleDict dict = new ModuleDict().put(\"a\", new Linear(3, 3));",
        "  final Sequential seq = new Sequential(new Linear(3, 3));",
        "  final Linear head = new Linear(3, 1);",
        "  final MaxPool2d pool = new MaxPool2d(2);",
        "  public M() {",
        "    super(MDiff.MEMBERS);",
        "  }",
        "  @Differentiable(wrt = \"this\")",
        "  public Tensor run(Tensor x, Mode m) {"));
    lines.addAll(List.of(body));
    lines.addAll(List.of("  }", "}"));
    return Compile.source("t.M", lines.toArray(String[]::new));
  }

  private static String fix(String container) {
    return "@Differentiable code does not follow the modules a " + container + " holds, so their parameters would"
        + " get no gradient. Hold each layer in a field of its own and call them in turn (final Linear fc1 = new"
        + " Linear(...), fc2 = ...; then h = fc2.forward(fc1.forward(h).relu())), or keep the " + container
        + " and loop over it in a forward that is not @Differentiable, where eager autograd follows every layer";
  }

  @Test
  void aForEachOverAModuleListIsAnErrorWithAFix() {
    JavaFileObject src = module("Tensor h = x;", "for (Module l : layers) {", "  h = l.forward(h).relu();", "}",
        "return head.forward(h);");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("[Adjoint/ModuleContainer] for (Module l : layers): " + fix("ModuleList"))
        .inFile(src).onLineContaining("for (Module l : layers)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aForEachOverASequentialCallingCallIsAnErrorWithAFix() {
    JavaFileObject src = module("Tensor h = x;", "for (Module l : seq) {", "  h = l.call(h);", "}",
        "return head.forward(h);");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("for (Module l : seq): " + fix("Sequential"))
        .inFile(src).onLineContaining("for (Module l : seq)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aCastOfALayerOutOfAModuleListOrAModuleDictIsAnErrorWithAFix() {
    JavaFileObject list = module("Tensor h = ((Linear) layers.get(0)).forward(x);", "return head.forward(h);");
    Compilation c = Compile.compile(List.of(), list);
    assertThat(c).hadErrorContaining("the cast to Linear: " + fix("ModuleList")).inFile(list)
        .onLineContaining("((Linear) layers.get(0))");
    assertThat(c).hadErrorCount(1);
    JavaFileObject dict = module("Tensor h = ((Linear) dict.get(\"a\")).forward(x);", "return head.forward(h);");
    c = Compile.compile(List.of(), dict);
    assertThat(c).hadErrorContaining("the cast to Linear: " + fix("ModuleDict")).inFile(dict)
        .onLineContaining("((Linear) dict.get(\"a\"))");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aLayerOutOfAModuleDictCalledDirectlyLosesNoGradientSilently() {
    JavaFileObject src = module("Tensor h = dict.get(\"a\").call(x);", "return head.forward(h);");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.MODULE_CONTAINER.prefix() + "dict.get(\"a\").call(x): "
        + fix("ModuleDict")).inFile(src).onLineContaining("dict.get(\"a\").call(x)");
    assertThat(c).hadErrorCount(1);
  }

  /** FINDINGS11 §8: the indexed loop a PyTorch user writes first gets the for-each's message, at the call. */
  @Test
  void anIndexedLoopOverAModuleListIsAnErrorWithAFix() {
    JavaFileObject src = module("Tensor h = x;", "for (int i = 0; i < layers.size(); i++) {",
        "  h = layers.get(i).forward(h).tanh();", "}", "return head.forward(h);");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("[Adjoint/ModuleContainer] layers.get(i).forward(h): " + fix("ModuleList"))
        .inFile(src).onLineContaining("h = layers.get(i).forward(h).tanh();");
    assertThat(c).hadErrorCount(1);
  }

  /** FINDINGS11 §8: a Sequential field called as a block. */
  @Test
  void aSequentialFieldCalledAsABlockIsAnErrorWithAFix() {
    JavaFileObject src = module("return seq.forward(x).square().sum();");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("[Adjoint/ModuleContainer] seq.forward(x): " + fix("Sequential"))
        .inFile(src).onLineContaining("return seq.forward(x)");
    assertThat(c).hadErrorCount(1);
    JavaFileObject viaThis = module("return this.seq.call(x).sum();");
    c = Compile.compile(List.of(), viaThis);
    assertThat(c).hadErrorContaining("[Adjoint/ModuleContainer] this.seq.call(x): " + fix("Sequential"))
        .inFile(viaThis).onLineContaining("this.seq.call(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void maxPoolWithIndicesNamesTheCallThatGivesTheValues() {
    JavaFileObject src = module("Tensor p = F.maxPool2dWithIndices(x, new int[] {2}, new int[] {2}, new int[] {0},"
        + " new int[] {1}, false).values();", "return head.forward(p);");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("Write the values as F.maxPool2d(x, kernelSize, stride, padding, dilation,"
        + " ceilMode) (or a MaxPool2d field's forward); compute the indices, if you need them, outside the method")
        .inFile(src).onLineContaining("F.maxPool2dWithIndices");
    assertThat(c).hadErrorCount(1);
    JavaFileObject module = module("Tensor p = pool.forwardWithIndices(x).values();", "return head.forward(p);");
    c = Compile.compile(List.of(), module);
    assertThat(c).hadErrorContaining("MaxPool2d.forwardWithIndices(Tensor) returns values and indices together"
        + " (Tensor.ValuesIndices), which @Differentiable methods do not support. Write the values as the module's"
        + " forward(x); compute the indices, if you need them, outside the method").inFile(module)
        .onLineContaining("pool.forwardWithIndices(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aSwitchOnAnEnumAndEnumEqualityCompileWithoutWarnings(TestInfo info) {
    JavaFileObject src = module(
        "Tensor h = head.forward(x);",
        "switch (m) {",
        "  case A -> h = h.relu();",
        "  case B, C -> h = h.tanh();",
        "}",
        "if (m != Mode.B) {",
        "  h = h.mul(h);",
        "}",
        "return switch (mode) {",
        "  case A -> h.sum();",
        "  case B -> h.mul(2).sum();",
        "  default -> h.exp().sum();",
        "};");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "t.MDiff", info);
  }

  @Test
  void aStringSelectorIsStillAnError() {
    JavaFileObject src = module("String s = \"a\";", "switch (s) {", "  case \"a\" -> x = x.relu();",
        "  default -> x = x.tanh();", "}", "return head.forward(x);");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("'switch' on a java.lang.String selector (only an int or enum selector, with"
        + " constant labels, is read here; use if/else with equals)").inFile(src).onLineContaining("switch (s)");
  }
}
