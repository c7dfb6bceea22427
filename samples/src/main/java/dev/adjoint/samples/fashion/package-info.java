/**
 * Seed 004: the FashionMNIST MLP, as the tutorial's eager {@code Sequential} network and as a
 * {@code @Differentiable} module whose backward the processor writes ({@code --compiled}).
 */
package dev.adjoint.samples.fashion;
