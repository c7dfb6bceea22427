package dev.adjoint.data;

import dev.adjoint.Tensor;

/** One sample of a {@link Dataset}: the input {@code x} and its target {@code y}. */
public record Example(Tensor x, Tensor y) {}
