package dev.adjoint.spark;

/**
 * What one epoch of {@link SparkTrainer#fit} measured on the driver.
 *
 * @param epoch the epoch, from 1
 * @param steps the optimizer steps of the epoch (averaging rounds in parameter averaging)
 * @param train loss and accuracy over the epoch's training examples, each computed by the forward pass of its
 *     step (before that step's update), as PyTorch tutorials' running averages
 * @param seconds the wall time of the epoch on the driver
 */
public record EpochMetrics(int epoch, int steps, Metrics train, double seconds) {}
