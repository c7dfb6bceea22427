/**
 * Data loading ({@code torch.utils.data} and the torchvision datasets a tutorial needs):
 * {@link dev.adjoint.data.Dataset}, {@link dev.adjoint.data.DataLoader} with seeded shuffling, and the
 * IDX image datasets {@link dev.adjoint.data.FashionMNIST} and {@link dev.adjoint.data.MNIST}, read from
 * local files with every error naming the file, what was expected and how to install the data.
 */
package dev.adjoint.data;
