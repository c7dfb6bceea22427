/**
 * Symbolic shapes: {@link dev.adjoint.shape.Dim} (a size: a constant, a product of symbols, or unknown),
 * {@link dev.adjoint.shape.SymShape}, the {@link dev.adjoint.shape.Unifier} that equates sizes (binding a symbol
 * to a size records a constraint the generated code checks at method entry) and
 * {@link dev.adjoint.shape.ShapeRules}, one shape function per primitive row, keyed by the row's method. The
 * annotation processor evaluates them on {@code @Shape}s at compile time; {@code ShapeRulesTest} evaluates them on
 * constant shapes against the eager operations (same result shape, an error where the operation throws).
 * {@link dev.adjoint.shape.ShapeGuard} is what generated code calls for the checks left to run time.
 * {@link dev.adjoint.shape.Shapes} is the concrete shape arithmetic (element counts, broadcasting, strides) the
 * operations, rules and modules share; it lives here, not beside {@code Tensor}, so that {@code rules} and
 * {@code nn} need nothing of the root package but the value type (no package cycle, {@code PackageCyclesTest}).
 *
 * <p>Stage: metadata of the rows. Depends on nothing but {@code Tensor} (for {@code ShapeGuard}).
 */
package dev.adjoint.shape;
