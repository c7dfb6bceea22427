package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the one-way streets one-way, from the runtime's sources: a class graph (imports, fully qualified
 * names, and same-package simple names in code, comments and strings removed) must have no cycle that
 * crosses packages, and the layers must not reach back ({@code rules} never into recording or {@code nn},
 * {@code autograd} never into {@code dev.adjoint} beyond the value type). {@code dev.adjoint.Tensor} is the
 * value type every layer passes around, so references to it are not edges: it is both the facade (it calls
 * the rules) and the data (the rules take it), which Java cannot put in two packages.
 */
class PackageCyclesTest {
  private static final String VALUE_TYPE = "dev.adjoint.Tensor";
  private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.adjoint(?:\\.[a-z][a-z0-9]*)*\\.[A-Z]\\w*");
  private static final Pattern WORD = Pattern.compile("\\b[A-Z]\\w*\\b");

  @Test
  void runtimeClassesHaveNoCycleAcrossPackages() throws IOException {
    Map<String, String> sources = read(Path.of("src/main/java"));
    assertTrue(sources.size() > 80, "found " + sources.size() + " classes under src/main/java");
    Map<String, Set<String>> graph = graph(sources);
    assertEquals(List.of(), crossPackageCycles(graph), "cycles between packages (class → class, ...)");
  }

  @Test
  void layersDoNotReachBack() throws IOException {
    Map<String, Set<String>> graph = graph(read(Path.of("src/main/java")));
    List<String> wrong = new ArrayList<>();
    graph.forEach((from, tos) -> {
      for (String to : tos) {
        boolean back = from.startsWith("dev.adjoint.rules.")
            && (to.startsWith("dev.adjoint.nn.") || to.equals("dev.adjoint.Autograd")
                || to.equals("dev.adjoint.InPlace") || to.equals("dev.adjoint.autograd.Row")
                || to.equals("dev.adjoint.autograd.Node") || to.equals("dev.adjoint.autograd.Engine"))
            || from.startsWith("dev.adjoint.autograd.") && packageOf(to).equals("dev.adjoint")
            || from.startsWith("dev.adjoint.kernel.") && !to.startsWith("dev.adjoint.kernel.")
            || from.startsWith("dev.adjoint.annotation.") && !to.startsWith("dev.adjoint.annotation.");
        if (back) {
          wrong.add(from + " → " + to);
        }
      }
    });
    assertEquals(List.of(), wrong);
  }

  /**
   * Coarser than classes: the packages themselves import one another one way only (issue 13: {@code Tensor ↔
   * rules ↔ autograd} and {@code nn ↔ rules} in circles). An edge {@code p → q} is any class of p referring to a
   * class of q, the value type {@code Tensor} excepted.
   */
  @Test
  void packagesHaveNoCycle() throws IOException {
    Map<String, Set<String>> packages = new TreeMap<>();
    graph(read(Path.of("src/main/java"))).forEach((from, tos) -> {
      Set<String> out = packages.computeIfAbsent(packageOf(from) + ".P", k -> new TreeSet<>());
      for (String to : tos) {
        if (!packageOf(to).equals(packageOf(from))) {
          out.add(packageOf(to) + ".P");
        }
      }
    });
    assertTrue(packages.get("dev.adjoint.rules.P").contains("dev.adjoint.autograd.P"), "the graph has edges: "
        + packages);
    assertEquals(List.of(), crossPackageCycles(packages), "packages in a cycle (each shown as <package>.P)");
  }

  @Test
  void everyPackageHasAPackageInfo() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(Path.of("src/main/java/dev/adjoint"))) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        boolean hasJava;
        try (Stream<Path> files = Files.list(d)) {
          hasJava = files.anyMatch(f -> f.toString().endsWith(".java"));
        }
        if (hasJava && !Files.exists(d.resolve("package-info.java"))) {
          missing.add(d.toString());
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void theCheckFindsACycle() {
    Map<String, String> sources = new TreeMap<>();
    sources.put("dev.adjoint.rules.A", "package dev.adjoint.rules; import dev.adjoint.nn.B; class A { B b; }");
    sources.put("dev.adjoint.nn.B", "package dev.adjoint.nn; class B { dev.adjoint.rules.C c; }");
    sources.put("dev.adjoint.rules.C", "package dev.adjoint.rules; class C { A a; /* B */ String s = \"B\"; }");
    sources.put("dev.adjoint.nn.D", "package dev.adjoint.nn; class D { dev.adjoint.Tensor t; }");
    sources.put("dev.adjoint.Tensor", "package dev.adjoint; class Tensor { dev.adjoint.nn.D d; }");
    List<String> cycles = crossPackageCycles(graph(sources));
    assertEquals(List.of("[dev.adjoint.nn.B, dev.adjoint.rules.A, dev.adjoint.rules.C]"), cycles,
        "A → B → C → A crosses packages; D → Tensor → D does not count (the value type)");
  }

  /** Source text by fully qualified top-level class name. */
  private static Map<String, String> read(Path root) throws IOException {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
        if (!name.endsWith("package-info") && !name.endsWith("module-info")) {
          sources.put(name, Files.readString(p));
        }
      }
    }
    return sources;
  }

  /** Class → the project classes its code references (comments and string literals removed). */
  static Map<String, Set<String>> graph(Map<String, String> sources) {
    Map<String, Set<String>> byPackage = new HashMap<>();
    for (String c : sources.keySet()) {
      byPackage.computeIfAbsent(packageOf(c), k -> new TreeSet<>()).add(c);
    }
    Map<String, Set<String>> graph = new TreeMap<>();
    sources.forEach((c, text) -> {
      // char literals first ('"' would open a string), then strings, matched possessively (no backtracking stack)
      String code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ")
          .replaceAll("'(?:\\\\.|[^'\\\\])'", "' '")
          .replaceAll("\"(?:\\\\.|[^\"\\\\])*+\"", "\"\"");
      Set<String> to = new TreeSet<>();
      Matcher q = QUALIFIED.matcher(code);
      while (q.find()) {
        String ref = topLevel(q.group(), sources);
        if (ref != null) {
          to.add(ref);
        }
      }
      Set<String> words = new TreeSet<>();
      Matcher w = WORD.matcher(code);
      while (w.find()) {
        words.add(w.group());
      }
      for (String other : byPackage.get(packageOf(c))) {
        if (words.contains(other.substring(other.lastIndexOf('.') + 1))) {
          to.add(other);
        }
      }
      to.remove(c);
      to.remove(VALUE_TYPE);
      graph.put(c, to);
    });
    return graph;
  }

  /** The known top-level class a qualified name starts with ({@code a.b.C.D.m} → {@code a.b.C}). */
  private static String topLevel(String qualified, Map<String, String> sources) {
    String[] parts = qualified.split("\\.");
    StringBuilder b = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      b.append('.').append(parts[i]);
      if (sources.containsKey(b.toString())) {
        return b.toString();
      }
    }
    return null;
  }

  private static String packageOf(String c) {
    return c.substring(0, c.lastIndexOf('.'));
  }

  /** The strongly connected components (Tarjan) that hold classes of more than one package, sorted. */
  static List<String> crossPackageCycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<String> out = new ArrayList<>();
    int[] counter = {0};
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        strongConnect(v, graph, index, low, stack, onStack, counter, out);
      }
    }
    out.sort(null);
    return out;
  }

  private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, int[] counter, List<String> out) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!graph.containsKey(w)) {
        continue;
      }
      if (!index.containsKey(w)) {
        strongConnect(w, graph, index, low, stack, onStack, counter, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      TreeSet<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.stream().map(PackageCyclesTest::packageOf).distinct().count() > 1) {
        out.add(component.toString());
      }
    }
  }
}
