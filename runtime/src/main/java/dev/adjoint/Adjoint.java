package dev.adjoint;

/** Library-wide settings ({@code torch.manual_seed}). */
public final class Adjoint {
  private Adjoint() {}

  /** Seeds the default generator used by {@code randn}, {@code rand}, {@code randperm}; returns it. */
  public static Generator manualSeed(long seed) {
    return Generator.defaultGenerator().manualSeed(seed);
  }
}
