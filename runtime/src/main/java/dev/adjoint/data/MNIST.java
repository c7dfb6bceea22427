package dev.adjoint.data;

import java.nio.file.Path;

/**
 * LeCun's MNIST digits ({@code torchvision.datasets.MNIST} with {@code transform=ToTensor()}), read from a
 * directory holding its four IDX files (gzip or raw). Nothing is downloaded.
 */
public final class MNIST extends IdxImageDataset {
  static final String HINT = "Pass the directory holding MNIST's " + fileList() + ".";

  /** The training ({@code train}) or test split from the directory {@code root}. */
  public MNIST(Path root, boolean train) {
    super(root, train, HINT);
  }
}
