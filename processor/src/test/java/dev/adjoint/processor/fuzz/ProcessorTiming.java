package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.AdjointProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Benchmark main (not a test): the processor's time per {@code @Differentiable} method on the fuzzer's
 * programs, and its share of javac's total time. Compiles the same batches of generated classes three
 * ways in one JVM — without annotation processing, with the processor (timing its {@code process}
 * calls), again without — and reports medians over the batches after a warm-up.
 *
 * <p>Run: {@code mvn -pl processor test-compile exec:exec -Dexec.skip=false -Dexec.executable=java
 * -Dexec.classpathScope=test -Dexec.args="-cp %classpath dev.adjoint.processor.fuzz.ProcessorTiming 600 50"}
 * (programs, programs per batch).
 */
public final class ProcessorTiming {
  private ProcessorTiming() {}

  /** Counts the time spent inside the wrapped processor. */
  private static final class Timed extends AbstractProcessor {
    final AdjointProcessor inner = new AdjointProcessor();
    long nanos;

    @Override
    public synchronized void init(ProcessingEnvironment env) {
      long t = System.nanoTime();
      super.init(env);
      inner.init(env);
      nanos += System.nanoTime() - t;
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return inner.getSupportedAnnotationTypes();
    }

    @Override
    public Set<String> getSupportedOptions() {
      return inner.getSupportedOptions();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return inner.getSupportedSourceVersion();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      long t = System.nanoTime();
      try {
        return inner.process(annotations, round);
      } finally {
        nanos += System.nanoTime() - t;
      }
    }
  }

  /** The fuzzer's first {@code programs} programs as sources (each passed through {@code edit}), in batches. */
  private static List<Map<String, String>> batches(int programs, int batch,
      java.util.function.UnaryOperator<String> edit) {
    List<Map<String, String>> batches = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    for (int i = 0; i < programs; i++) {
      Ast.Program p = Fuzzer.program(20261202L, i, Feature.all());
      current.put(p.className(), edit.apply(Printer.source(p)));
      if (current.size() == batch) {
        batches.add(current);
        current = new LinkedHashMap<>();
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /** Prints the figures; a third argument {@code shapes} compares the processor with and without shapes. */
  public static void main(String[] args) throws Exception {
    if (args.length > 2 && args[2].equals("shapes")) {
      shapes(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
      return;
    }
    int programs = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int methods = 0;
    for (int i = 0; i < programs; i++) {
      methods += Fuzzer.program(20261202L, i, Feature.all()).helper() == null ? 1 : 2;
    }
    List<Map<String, String>> batches = batches(programs, batch, src -> src);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path dir = Files.createTempDirectory("adjoint-timing");
    // warm-up: the first batch both ways, twice
    for (int w = 0; w < 2; w++) {
      compile(javac, batches.get(0), dir, null);
      compile(javac, batches.get(0), dir, new Timed());
    }
    List<Double> plainMs = new ArrayList<>();
    List<Double> withMs = new ArrayList<>();
    List<Double> processorMs = new ArrayList<>();
    List<Double> perMethodMs = new ArrayList<>();
    for (Map<String, String> b : batches) {
      int n = 0;
      for (String src : b.values()) {
        n += src.split("@Differentiable", -1).length - 1;
      }
      long t0 = System.nanoTime();
      compile(javac, b, dir, null);
      long t1 = System.nanoTime();
      Timed timed = new Timed();
      compile(javac, b, dir, timed);
      long t2 = System.nanoTime();
      plainMs.add((t1 - t0) / 1e6);
      withMs.add((t2 - t1) / 1e6);
      processorMs.add(timed.nanos / 1e6);
      perMethodMs.add(timed.nanos / 1e6 / n);
    }
    System.out.printf(Locale.ROOT, "%d programs (%d @Differentiable methods) in %d batches of %d, JDK %s, %d cores%n",
        programs, methods, batches.size(), batch, System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "per batch, median [min, max]: javac without processing %s ms; with the processor %s ms;"
        + " inside the processor %s ms%n", stats(plainMs), stats(withMs), stats(processorMs));
    System.out.printf(Locale.ROOT, "processor time per @Differentiable method: %s ms (generated code compiled by javac is"
        + " not included)%n", stats(perMethodMs));
    List<Double> share = new ArrayList<>();
    for (int i = 0; i < withMs.size(); i++) {
      share.add(100 * processorMs.get(i) / withMs.get(i));
    }
    System.out.printf(Locale.ROOT, "processor share of javac's total time with it: %s %%%n", stats(share));
  }

  /**
   * The processor's own time with {@code @Shape} inference on (the default) and off ({@code -Aadjoint.shapes=false})
   * on the same batches, alternating, in one JVM: per batch the ratio on/off. The fuzzer's programs carry no
   * {@code @Shape}, so this is what every unannotated method pays; the second set annotates each tensor parameter
   * {@code @Shape("N")}, so the inference has known shapes to carry.
   */
  static void shapes(int programs, int batch) throws Exception {
    for (boolean annotated : new boolean[] {false, true}) {
      List<Map<String, String>> batches = batches(programs, batch, src -> !annotated ? src
          : src.replace("import dev.adjoint.Tensor;", "import dev.adjoint.Tensor;\nimport dev.adjoint.annotation.Shape;")
              .replaceAll("([(,] *)Tensor ([a-z][A-Za-z0-9]*)([,)])", "$1@Shape(\"N\") Tensor $2$3"));
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      Path dir = Files.createTempDirectory("adjoint-shape-timing");
      List<String> off = List.of("-Aadjoint.shapes=false");
      for (int w = 0; w < 2; w++) {
        compile(javac, batches.get(0), dir, new Timed(), List.of());
        compile(javac, batches.get(0), dir, new Timed(), off);
      }
      List<Double> onMs = new ArrayList<>();
      List<Double> offMs = new ArrayList<>();
      List<Double> ratio = new ArrayList<>();
      for (Map<String, String> b : batches) {
        long bestOff = Long.MAX_VALUE;
        long bestOn = Long.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) { // alternating, the fastest of three each: the machine is shared
          Timed without = new Timed();
          compile(javac, b, dir, without, off);
          Timed with = new Timed();
          compile(javac, b, dir, with, List.of());
          bestOff = Math.min(bestOff, without.nanos);
          bestOn = Math.min(bestOn, with.nanos);
        }
        onMs.add(bestOn / 1e6);
        offMs.add(bestOff / 1e6);
        ratio.add((double) bestOn / bestOff);
      }
      System.out.printf(Locale.ROOT, "%s: %d programs in %d batches of %d; inside the processor per batch, median"
          + " [min, max]: shapes off %s ms, shapes on %s ms; ratio on/off %s%n",
          annotated ? "tensor parameters annotated @Shape(\"N\")" : "as generated (no @Shape)", programs,
          batches.size(), batch, stats(offMs), stats(onMs), stats(ratio));
    }
  }

  private static String stats(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", s.get(s.size() / 2), s.get(0), s.get(s.size() - 1));
  }

  private static void compile(JavaCompiler javac, Map<String, String> sources, Path dir, Timed processor)
      throws Exception {
    compile(javac, sources, dir, processor, List.of());
  }

  private static void compile(JavaCompiler javac, Map<String, String> sources, Path dir, Timed processor,
      List<String> extra) throws Exception {
    Path out = Files.createTempDirectory(dir, "b");
    List<JavaFileObject> units = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      String text = e.getValue();
      units.add(new SimpleJavaFileObject(java.net.URI.create("string:///" + Printer.PACKAGE + "/" + e.getKey()
          + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return text;
        }
      });
    }
    List<String> options = new ArrayList<>(List.of("--release", "25", "-Xlint:all", "-Xlint:-processing",
        "-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-s", out.toString(),
        "-implicit:none"));
    options.add(processor == null ? "-proc:none" : "-proc:full");
    options.addAll(extra);
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
      JavaCompiler.CompilationTask task = javac.getTask(new java.io.StringWriter(), files, d -> { }, options, null,
          units);
      if (processor != null) {
        task.setProcessors(List.of(processor));
      }
      task.call();
    }
  }
}
