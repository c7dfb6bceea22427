/**
 * Stage 4 (differentiate): {@link dev.adjoint.processor.reverse.ReverseTransform} turns an IR
 * {@code Function} and its {@code Activity} into backward statements ({@code ir.AStmt}) that call the
 * runtime's adjoints. Input: ANF IR. Output: adjoint IR plus the adjoint of each input.
 */
package dev.adjoint.processor.reverse;
