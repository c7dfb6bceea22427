package dev.adjoint.spark;

/**
 * One finished step, as the driver reports it to a {@link TrainingListener}.
 *
 * @param epoch the epoch, from 1
 * @param step the step within the epoch, from 1
 * @param stepsPerEpoch how many steps the epoch has
 * @param globalStep steps since the start of training, across epochs and restarts
 * @param loss the step's mean loss per example
 * @param examples the examples the step used
 */
public record StepInfo(int epoch, int step, int stepsPerEpoch, long globalStep, double loss, long examples) {}
