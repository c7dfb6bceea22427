/**
 * Rule lookup: {@link dev.adjoint.processor.rules.RuleCatalog} reads {@code @Primitive} and
 * {@code @Derivative} from the runtime and the user's code through {@code Elements}. Input: method
 * elements. Output: {@link dev.adjoint.processor.ir.Callee}s naming the adjoint to call. It holds no
 * list of operations: the runtime's annotations are the one table.
 */
package dev.adjoint.processor.rules;
