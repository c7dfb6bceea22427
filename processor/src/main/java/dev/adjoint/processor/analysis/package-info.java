/**
 * Stage 3 (analyse): {@link dev.adjoint.processor.analysis.Activity} (varied × useful) decides which
 * values get adjoints; {@link dev.adjoint.processor.analysis.ToBeRecorded} decides which primal values
 * the backward reads and so the forward saves. Input: an IR {@code Function} (and, for ToBeRecorded,
 * its backward). Output: sets of variable names.
 */
package dev.adjoint.processor.analysis;
