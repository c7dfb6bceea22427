/**
 * Stage 7 (fuse): {@link dev.adjoint.processor.fuse.FusionPlanner} rewrites an elementwise chain
 * ending in a full reduction as a per-element {@code double} function, which the emitter runs in one
 * loop (forward and backward together, nothing allocated per element). Input: an IR
 * {@code Function}. Output: a {@link dev.adjoint.processor.fuse.Fused} plan, or nothing.
 */
package dev.adjoint.processor.fuse;
