/**
 * Data-parallel training of Adjoint modules on Apache Spark: {@link dev.adjoint.spark.SparkTrainer} (synchronous
 * steps with gradients added in a fixed tree by {@code treeAggregate}, or parameter averaging every K local
 * steps), examples as {@link dev.adjoint.spark.Sample}s, atomic checkpoints and resume, progress through a
 * {@link dev.adjoint.spark.TrainingListener}. Spark is a {@code provided} dependency; the runtime does not know
 * this module.
 */
package dev.adjoint.spark;
