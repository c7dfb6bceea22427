/**
 * Stage 4 (differentiate, forward mode): {@link dev.adjoint.processor.forward.TangentTransform} turns an IR
 * {@code Function} and its {@code Activity} into the forward sweep with tangents ({@code ir.TStmt}) that
 * {@code fJvp} runs. Input: ANF IR. Output: tangent IR plus the tangent of the result.
 */
package dev.adjoint.processor.forward;
