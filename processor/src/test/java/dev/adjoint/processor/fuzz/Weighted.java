package dev.adjoint.processor.fuzz;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** One weighted alternative of a random choice; built lazily, so only the chosen one draws numbers. */
record Weighted<T>(int weight, Supplier<T> make) {
  /** Builds one alternative, chosen with probability proportional to its weight. */
  static <T> T choose(Random rnd, List<Weighted<T>> choices) {
    int total = 0;
    for (Weighted<T> c : choices) {
      total += c.weight();
    }
    int r = rnd.nextInt(total);
    for (Weighted<T> c : choices) {
      r -= c.weight();
      if (r < 0) {
        return c.make().get();
      }
    }
    throw new AssertionError();
  }
}
