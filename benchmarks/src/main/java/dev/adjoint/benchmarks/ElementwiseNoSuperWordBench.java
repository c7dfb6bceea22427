package dev.adjoint.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ElementwiseBench}'s benchmarks in JVMs started with {@code -XX:-UseSuperWord}: C2 compiles the
 * scalar reference loops one element per instruction, as written. Run it with {@code -p impl=scalar}; it
 * gives "the scalar loop" of the kernel targets, beside {@link ElementwiseBench}'s {@code scalar}, which
 * C2 auto-vectorises where it can ({@code add}, {@code addRow}).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:-UseSuperWord"})
public class ElementwiseNoSuperWordBench extends ElementwiseBench {}
