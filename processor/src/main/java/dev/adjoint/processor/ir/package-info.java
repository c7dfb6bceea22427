/**
 * Stage 2 (model): the IR, immutable records and sealed interfaces independent of javac trees.
 *
 * <p>Input: built by {@code front.BodyReader}. Output: read by the analyses, the reverse transform and
 * the emitter. A {@link dev.adjoint.processor.ir.Function} holds a {@link dev.adjoint.processor.ir.Block}
 * of statements in A-normal form: each {@link dev.adjoint.processor.ir.Stmt.Assign} applies exactly one
 * {@link dev.adjoint.processor.ir.Op} to atomic {@link dev.adjoint.processor.ir.Operand}s, every
 * variable is assigned once, and every statement keeps its {@link dev.adjoint.processor.ir.Origin}.
 */
package dev.adjoint.processor.ir;
