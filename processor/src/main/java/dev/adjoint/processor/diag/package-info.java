/**
 * Diagnostics: the {@link dev.adjoint.processor.diag.Message} catalogue (tag, kind, template) and the
 * reporter that places each message on the narrowest tree. Input: problems collected by the front end
 * and the analyses in a {@link dev.adjoint.processor.diag.ValidationReport}. Output: javac errors and warnings.
 */
package dev.adjoint.processor.diag;
