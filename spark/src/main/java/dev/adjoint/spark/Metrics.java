package dev.adjoint.spark;

/**
 * Loss and accuracy over a set of examples.
 *
 * @param loss the mean loss per example
 * @param accuracy the fraction of examples whose highest output is the target class ({@code NaN} when the
 *     targets are not class indices)
 * @param examples how many examples were seen
 */
public record Metrics(double loss, double accuracy, long examples) {}
