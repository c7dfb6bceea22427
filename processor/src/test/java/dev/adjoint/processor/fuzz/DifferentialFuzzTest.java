package dev.adjoint.processor.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing of the processor: random {@code @Differentiable} programs, compiled with the
 * processor and checked against the user's method, dual numbers, central differences, eager autograd
 * and the tracked forward (see {@link Fuzzer}); the generated {@code fJvp} against the dual numbers, and the
 * generated {@code fHvp} against central differences of the generated gradient (float64) and for symmetry.
 *
 * <p>By default a fixed seed set runs with the features of {@link Feature#offInCi()} switched off.
 * {@code -Dadjoint.fuzz.seed=S -Dadjoint.fuzz.count=N} runs N programs from seed S instead;
 * {@code -Dadjoint.fuzz.features=all} switches every feature on, {@code -Dadjoint.fuzz.off=A,B} switches
 * features off, {@code -Dadjoint.fuzz.hvp=false} leaves out the fHvp checks, {@code -Dadjoint.fuzz.shrinkSeconds}
 * bounds the shrinking of each distinct failure.
 */
class DifferentialFuzzTest {
  /** The CI seed set: programs per seed. */
  private static final Map<Long, Integer> SEEDS = Map.of(20261202L, 350, 4L, 350, 5L, 300);

  @Test
  void generatedDerivativesAgreeWithIndependentOracles() {
    String seedProperty = System.getProperty("adjoint.fuzz.seed");
    String countProperty = System.getProperty("adjoint.fuzz.count");
    Set<Feature> features = Feature.fromProperties();
    long shrinkSeconds = Long.getLong("adjoint.fuzz.shrinkSeconds", 60);
    Map<Long, Integer> runs = seedProperty == null && countProperty == null ? SEEDS
        : Map.of(Long.getLong("adjoint.fuzz.seed", 1), Integer.getInteger("adjoint.fuzz.count", 1000));
    StringBuilder failures = new StringBuilder();
    int throughCalls = 0;
    for (Map.Entry<Long, Integer> run : runs.entrySet()) {
      Fuzzer.Report report = new Fuzzer(new Fuzzer.Config(run.getKey(), run.getValue(), features, 100, shrinkSeconds))
          .run();
      System.out.println("[fuzz] seed " + run.getKey() + ": " + report.summary());
      if (report.stats().jvps == 0 && report.programs() >= 100) {
        failures.append("\n---- seed ").append(run.getKey()).append(": no fJvp was checked");
      }
      if (Oracles.CHECK_HVP && report.stats().hvps == 0 && report.programs() >= 100) {
        failures.append("\n---- seed ").append(run.getKey()).append(": no fHvp was checked");
      }
      throughCalls += report.stats().hvpsThroughCalls;
      for (Fuzzer.Finding f : report.findings()) {
        failures.append("\n---- seed ").append(run.getKey()).append(": ").append(f.describe(report.programs()));
      }
    }
    if (Oracles.CHECK_HVP && runs == SEEDS && throughCalls == 0) {
      // the CI seeds have scalar programs whose main method calls the helper (fHvp through the callee's fHvp)
      failures.append("\n---- no fHvp through a call of the helper was checked");
    }
    if (!failures.isEmpty()) {
      fail("differential fuzzing found failures (features off: "
          + EnumSet.complementOf(EnumSet.copyOf(features)).stream().map(Enum::name).collect(Collectors.joining(", "))
          + "):" + failures);
    }
  }
}
