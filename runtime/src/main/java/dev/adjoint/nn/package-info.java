/**
 * Neural-network building blocks ({@code torch.nn}): {@link dev.adjoint.nn.Module} and its library modules
 * ({@link dev.adjoint.nn.Linear}, {@link dev.adjoint.nn.ReLU}, {@link dev.adjoint.nn.Sequential},
 * {@link dev.adjoint.nn.Flatten}, {@link dev.adjoint.nn.Dropout}), losses as modules, the functional forms
 * in {@link dev.adjoint.nn.F}, and state files ({@link dev.adjoint.nn.StateDict}).
 */
package dev.adjoint.nn;
