package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;

/**
 * The thermometer readings of seeds 000–002: {@code t_c} in degrees Celsius and {@code t_u} in the
 * thermometer's unknown units. Each call returns a fresh tensor, so a sample cannot change another's data.
 */
public final class ThermometerData {
  private static final float[] T_C = {0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f};
  private static final float[] T_U = {35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f};

  private ThermometerData() {}

  /** {@code t_c}: the temperatures in Celsius. */
  public static Tensor tC() {
    return Tensor.of(T_C.clone());
  }

  /** {@code t_u}: the readings in unknown units. */
  public static Tensor tU() {
    return Tensor.of(T_U.clone());
  }

  /** {@code t_un = 0.1 * t_u}: the readings scaled to the range of {@code t_c}, as the seeds normalise them. */
  public static Tensor tUn() {
    return tU().mul(0.1);
  }
}
