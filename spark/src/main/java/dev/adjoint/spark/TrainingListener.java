package dev.adjoint.spark;

/**
 * Progress of {@link SparkTrainer#fit}, called on the driver's thread (a progress bar, a log line, a learning
 * rate scheduler's {@code step()}). An exception thrown here stops training; the last checkpoint stays.
 */
public interface TrainingListener {
  /** Training starts, or resumes at {@code globalStep} (0 for a fresh start). */
  default void onStart(int epochs, int stepsPerEpoch, long globalStep) {}

  /** A step finished and the driver's optimizer has updated the parameters. */
  default void onStep(StepInfo step) {}

  /** An epoch finished. */
  default void onEpochEnd(EpochMetrics metrics) {}
}
