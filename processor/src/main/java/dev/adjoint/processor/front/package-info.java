/**
 * Stage 2 (parse + model): {@link dev.adjoint.processor.front.BodyReader} reads a method body
 * through the {@code com.sun.source} Trees API and lowers it to ANF IR;
 * {@link dev.adjoint.processor.front.TypeResolver} resolves the types the subset needs without
 * attributing the body. Input: an {@code ExecutableElement}. Output: an IR {@code Function} and the
 * problems found, in a {@code ValidationReport}.
 */
package dev.adjoint.processor.front;
