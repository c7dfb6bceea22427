/**
 * Seeds 000–002: thermometer calibration with hand-derived, finite-difference and generated gradients,
 * trained with {@code zero_()}/{@code noGrad}, {@code SGD} and {@code Adam}, with a train/validation split.
 */
package dev.adjoint.samples.thermometer;
