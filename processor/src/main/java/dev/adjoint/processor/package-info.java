/**
 * The Adjoint annotation processor. {@link dev.adjoint.processor.AdjointProcessor} drives the
 * stages in {@code step}; the stages in order are {@code front} (parse and lower), {@code validate},
 * {@code ir}, {@code analysis}, {@code reverse}, {@code simplify} and {@code emit}, with {@code rules}
 * (rule lookup) and {@code diag} (messages) beside them. See {@code processor/README.md}.
 */
package dev.adjoint.processor;
