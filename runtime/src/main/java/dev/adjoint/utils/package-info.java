/**
 * Utilities over the autograd engine and {@code nn}, as PyTorch's {@code torch.utils}: {@link
 * dev.adjoint.utils.Checkpoint} trades compute for memory by recomputing a part of the forward in backward.
 */
package dev.adjoint.utils;
