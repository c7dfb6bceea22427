/**
 * Stages 4–6 behind one entry: {@link dev.adjoint.processor.pipeline.Differentiation} runs the reverse
 * transform, the to-be-recorded analysis and dead-code removal for every output form that has a
 * backward (the pullback, {@code fGrad}, the fused element). Input: an IR function and its activity.
 * Output: forward and backward statements and what the forward saves.
 */
package dev.adjoint.processor.pipeline;
