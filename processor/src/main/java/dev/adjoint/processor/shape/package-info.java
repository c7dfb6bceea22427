/**
 * Shapes at compile time: {@link dev.adjoint.processor.shape.ShapeInference} evaluates the runtime's shape
 * functions ({@code dev.adjoint.shape.ShapeRules}, one per row) over a method's IR from its {@code @Shape}s,
 * through the forward and, for user {@code @Derivative} rules, through the rule bodies the generated backward
 * calls; {@link dev.adjoint.processor.shape.TapeMemory} sizes what the forward saves.
 *
 * <p>Stage: after the front end, before the analyses. Input: an {@code ir.Function} and its element. Output:
 * {@code [Adjoint/ShapeMismatch]} problems, entry checks for the generated code, shapes for the report.
 */
package dev.adjoint.processor.shape;
