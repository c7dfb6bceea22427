/**
 * Benchmarks: JMH classes and benchmark mains that time Adjoint against a baseline in the same run (a
 * PyTorch peer under {@code benchmarks/python}, another kernel, or the previous form). Figures and how to
 * run each are in {@code benchmarks/README.md}; tests never assert timings.
 */
package dev.adjoint.benchmarks;
