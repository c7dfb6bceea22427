/**
 * The processor's steps, one per annotation: {@link dev.adjoint.processor.step.DerivativeStep}
 * registers user rules, {@link dev.adjoint.processor.step.DifferentiableStep} runs the pipeline per
 * method and writes one companion per class. Input: the round's annotated elements. Output: generated
 * sources and diagnostics.
 */
package dev.adjoint.processor.step;
