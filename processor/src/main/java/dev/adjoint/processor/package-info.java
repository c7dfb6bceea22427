/**
 * The Adjoint annotation processor. {@link dev.adjoint.processor.AdjointProcessor} drives the
 * stages in {@code step}, numbered as in {@code processor/README.md}: 0 {@code rules} (rule lookup),
 * 1 {@code validate}, 2 {@code front} (parse and lower into the {@code ir}), 3 {@code analysis}
 * (activity), 4 {@code reverse}, 5 {@code analysis} (to-be-recorded), 6 {@code simplify}, 7 {@code fuse}
 * and 8 {@code emit}, with {@code diag} (messages and the per-method report) beside them.
 */
package dev.adjoint.processor;
