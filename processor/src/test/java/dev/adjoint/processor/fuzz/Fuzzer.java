package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.fuzz.Ast.Program;
import dev.adjoint.processor.fuzz.BatchCompiler.Diag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Generates programs from a seed, compiles them in batches with the processor, runs the oracles,
 * classifies each failure, and shrinks one program per distinct failure.
 */
public final class Fuzzer {
  private static final Pattern ADJOINT_TAG = Pattern.compile("\\[Adjoint/(\\w+)]");
  private static final long RUN_TIMEOUT_SECONDS = 20;

  /** What to run. */
  public record Config(long seed, int count, Set<Feature> features, int batchSize, long shrinkSeconds) {}

  /** A distinct failure: the first program that hit it, shrunk, and how many programs hit it. */
  public record Finding(Failure failure, Program original, Program shrunk, Failure shrunkFailure, int occurrences) {
    /** The report of this finding with the shrunk program's source. */
    public String describe(int programs) {
      return failure.kind().description + " [" + failure.key() + "], " + occurrences + " of " + programs
          + " programs\n  " + shrunkFailure.detail() + "\nShrunk program (" + shrunk.className() + "):\n"
          + Printer.methodsOnly(shrunk);
    }
  }

  /** The result of a run. */
  public record Report(int programs, int passed, Map<Failure.Kind, Integer> counts, List<Finding> findings,
      Oracles.Stats stats, double seconds) {
    /** A summary line. */
    public String summary() {
      return programs + " programs in " + String.format("%.1f", seconds) + " s (CPU "
          + String.format("%.1f", stats.cpuSeconds) + " s, "
          + String.format("%.1f", programs / seconds) + "/s), " + passed + " passed, failures " + counts
          + ", " + stats.points + " points checked, " + stats.skippedPoints + " skipped (non-finite or huge), "
          + stats.notBitIdentical + " double and " + stats.floatNotBitIdentical
          + " float values within tolerance but not bit-identical, " + stats.fdSkipped
          + " central differences skipped (kinks), " + stats.jvps + " JVPs checked against dual numbers, "
          + stats.hvps + " HVPs checked against central differences of the gradient and for symmetry ("
          + stats.hvpsThroughCalls + " scalar ones through a call of the helper; "
          + "tensor ones: " + stats.hvpsGenerated + " generated, " + stats.hvpsEager + " eager double backward; "
          + stats.hvpFdSkipped + " skipped at kinks, " + stats.hvpSymmetryOnly + " for symmetry only (detach), "
          + stats.hvpFloat32 + " tensor programs in float32 (item() of float64 throws), "
          + stats.hvpSkipped + " tensor programs skipped" + (stats.hvpSkipReasons.isEmpty() ? ""
          : ": " + stats.hvpSkipReasons) + ")";
    }
  }

  private final Config config;
  private final Oracles.Stats stats = new Oracles.Stats();
  private ExecutorService executor = newExecutor();
  private int shrinkNames;

  /** A fuzzer for one run. */
  public Fuzzer(Config config) {
    this.config = config;
  }

  /**
   * The CPU time of this process (every thread: compiling, running, JIT, GC), which waiting for a core does not
   * add to.
   */
  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  /** Program number {@code index} of seed {@code seed}. */
  public static Program program(long seed, int index, Set<Feature> features) {
    long programSeed = seed * 1_000_003L + index;
    String name = "P" + Long.toHexString(seed).toUpperCase() + "_" + index;
    return new Generator(programSeed, features).generate(name);
  }

  /** Runs the configured programs. */
  public Report run() {
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    Map<Failure.Kind, Integer> counts = new EnumMap<>(Failure.Kind.class);
    Map<String, Finding> findings = new LinkedHashMap<>();
    Map<String, Failure> firstFailures = new LinkedHashMap<>();
    Map<String, Program> firstPrograms = new LinkedHashMap<>();
    Map<String, Integer> occurrences = new LinkedHashMap<>();
    int passed = 0;
    for (int from = 0; from < config.count(); from += config.batchSize()) {
      List<Program> batch = new ArrayList<>();
      for (int i = from; i < Math.min(config.count(), from + config.batchSize()); i++) {
        batch.add(program(config.seed(), i, config.features()));
      }
      Map<String, Failure> results = evaluate(batch);
      for (Program p : batch) {
        Failure f = results.get(p.className());
        if (f == null) {
          passed++;
          continue;
        }
        counts.merge(f.kind(), 1, Integer::sum);
        String id = f.kind() + "/" + f.key();
        occurrences.merge(id, 1, Integer::sum);
        if (!firstFailures.containsKey(id) || size(p) < size(firstPrograms.get(id))) {
          firstFailures.put(id, f);
          firstPrograms.put(id, p);
        }
      }
    }
    for (String id : firstFailures.keySet()) {
      Program p = firstPrograms.get(id);
      Failure f = firstFailures.get(id);
      Program shrunk = shrink(p, f);
      Failure shrunkFailure = shrunk == p ? f : evaluate(List.of(shrunk)).get(shrunk.className());
      findings.put(id, new Finding(f, p, shrunk, shrunkFailure == null ? f : shrunkFailure, occurrences.get(id)));
    }
    executor.shutdownNow();
    double seconds = (System.nanoTime() - start) / 1e9;
    stats.cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    List<Finding> sorted = new ArrayList<>(findings.values());
    sorted.sort(Comparator.comparing((Finding x) -> x.failure().kind()).thenComparing(x -> -x.occurrences()));
    return new Report(config.count(), passed, counts, sorted, stats, seconds);
  }

  private static int size(Program p) {
    return Printer.methodsOnly(p).length();
  }

  // ---------------------------------------------------------------- shrinking

  /** The smallest variant of p found in the time budget that still fails as f does. */
  Program shrink(Program p, Failure f) {
    long deadline = System.nanoTime() + config.shrinkSeconds() * 1_000_000_000L;
    Program best = p;
    while (System.nanoTime() < deadline) {
      List<Program> candidates = Shrinker.candidates(best);
      if (candidates.isEmpty()) {
        break;
      }
      Program next = null;
      for (int from = 0; from < candidates.size() && next == null && System.nanoTime() < deadline; from += 40) {
        List<Program> chunk = new ArrayList<>();
        for (Program c : candidates.subList(from, Math.min(candidates.size(), from + 40))) {
          chunk.add(new Program("S" + shrinkNames++, c.kind(), c.main(), c.helper(), c.shapes()));
        }
        Map<String, Failure> results = evaluate(chunk);
        for (Program c : chunk) {
          if (f.sameAs(results.get(c.className())) && validJava(c)) {
            next = c;
            break;
          }
        }
      }
      if (next == null) {
        break;
      }
      best = next;
    }
    return best;
  }

  /**
   * Whether javac accepts the program without the processor. Only compile-time failures need the check:
   * a program that ran was valid.
   */
  private static boolean validJava(Program p) {
    Path dir = tempDir();
    try {
      return BatchCompiler.compile(Map.of(p.className(), Printer.source(p)), dir, false).success();
    } finally {
      delete(dir);
    }
  }

  // ---------------------------------------------------------------- compile and check

  /** Compiles the programs together and checks them: a failure per failing program's class name. */
  Map<String, Failure> evaluate(List<Program> programs) {
    Map<String, Failure> results = new LinkedHashMap<>();
    List<Program> remaining = new ArrayList<>(programs);
    for (int round = 0; !remaining.isEmpty(); round++) {
      Map<String, String> sources = new LinkedHashMap<>();
      for (Program p : remaining) {
        sources.put(p.className(), Printer.source(p));
      }
      Path dir = tempDir();
      try {
        BatchCompiler.Result result = BatchCompiler.compile(sources, dir);
        Map<String, Failure> compileFailures = classify(result.diagnostics(), sources.keySet());
        boolean anyError = compileFailures.values().stream().anyMatch(f -> f.kind() != Failure.Kind.GENERATED_WARNING);
        if (result.success()) {
          runAll(remaining, result.classes(), compileFailures, results);
          return results;
        }
        if (!anyError) {
          if (remaining.size() == 1) {
            boolean uncaught = result.diagnostics().stream().anyMatch(d -> BatchCompiler.UNCAUGHT.equals(d.code()));
            results.put(remaining.get(0).className(), uncaught
                ? new Failure(Failure.Kind.INTERNAL_ERROR, "uncaught exception", result.diagnostics().toString())
                : new Failure(Failure.Kind.GENERATED_DOES_NOT_COMPILE, "unattributed", result.diagnostics().toString()));
            return results;
          }
          // javac failed without naming a culprit: compile one by one
          for (Program p : remaining) {
            results.putAll(evaluate(List.of(p)));
          }
          return results;
        }
        List<Program> next = new ArrayList<>();
        for (Program p : remaining) {
          Failure f = compileFailures.get(p.className());
          if (f != null && f.kind() != Failure.Kind.GENERATED_WARNING) {
            results.put(p.className(), f);
          } else {
            next.add(p);
          }
        }
        remaining = next;
      } finally {
        delete(dir);
      }
    }
    return results;
  }

  private void runAll(List<Program> programs, Path classes, Map<String, Failure> compileFailures,
      Map<String, Failure> results) {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        Fuzzer.class.getClassLoader())) {
      for (Program p : programs) {
        Failure f = runWithTimeout(p, loader);
        if (f == null) {
          f = compileFailures.get(p.className());
        }
        if (f != null) {
          results.put(p.className(), f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Failure runWithTimeout(Program p, ClassLoader loader) {
    long seed = p.className().hashCode();
    Future<Failure> future = executor.submit(() -> Oracles.check(p, loader, seed, stats));
    try {
      return future.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      executor.shutdownNow();
      executor = newExecutor();
      return new Failure(Failure.Kind.RUNTIME_EXCEPTION, "timeout", "did not finish in " + RUN_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      return new Failure(Failure.Kind.RUNTIME_EXCEPTION, e.getCause().getClass().getSimpleName(),
          "the check threw " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ExecutorService newExecutor() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-check");
      t.setDaemon(true);
      return t;
    });
  }

  /** The compile failure of each program, most severe first: errors before warnings. */
  static Map<String, Failure> classify(List<Diag> diags, Set<String> classNames) {
    Map<String, Failure> out = new LinkedHashMap<>();
    for (Diag d : diags) {
      if (d.file() == null || !(d.isError() || d.isWarning())) {
        continue;
      }
      String file = d.file().replace(".java", "");
      boolean generated = file.endsWith("Diff") && classNames.contains(file.substring(0, file.length() - 4));
      String owner = generated ? file.substring(0, file.length() - 4) : file;
      Failure f = classifyOne(d, generated);
      if (f == null) {
        continue;
      }
      Failure previous = out.get(owner);
      if (previous == null || f.kind().ordinal() < previous.kind().ordinal() && previous.kind() != Failure.Kind.INTERNAL_ERROR
          || f.kind() == Failure.Kind.INTERNAL_ERROR) {
        out.put(owner, f);
      }
    }
    return out;
  }

  private static Failure classifyOne(Diag d, boolean generated) {
    String text = d + "";
    if (generated) {
      return new Failure(d.isError() ? Failure.Kind.GENERATED_DOES_NOT_COMPILE : Failure.Kind.GENERATED_WARNING,
          String.valueOf(d.code()), text);
    }
    Matcher m = ADJOINT_TAG.matcher(d.message());
    if (m.find()) {
      if (!d.isError()) {
        return null;
      }
      String tag = m.group(1);
      return tag.equals("InternalError")
          ? new Failure(Failure.Kind.INTERNAL_ERROR, tag, firstLines(text, 12))
          : new Failure(Failure.Kind.REJECTED, tag, text);
    }
    return new Failure(Failure.Kind.INVALID_PROGRAM, String.valueOf(d.code()), text);
  }

  private static String firstLines(String s, int n) {
    String[] lines = s.split("\n");
    return String.join("\n", java.util.Arrays.copyOf(lines, Math.min(n, lines.length)));
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("adjoint-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  /** Runs {@code -Dadjoint.fuzz.count} programs from {@code -Dadjoint.fuzz.seed} and prints the report. */
  public static void main(String[] args) {
    long seed = Long.getLong("adjoint.fuzz.seed", 1);
    int count = Integer.getInteger("adjoint.fuzz.count", 200);
    Set<Feature> features = Feature.fromProperties();
    Report r = new Fuzzer(new Config(seed, count, features, 100, Long.getLong("adjoint.fuzz.shrinkSeconds", 60)))
        .run();
    for (Finding f : r.findings()) {
      System.out.println("----\n" + f.describe(r.programs()));
    }
    System.out.println(r.summary());
    System.out.println("the user's methods threw: " + r.stats().plainThrew);
  }
}
