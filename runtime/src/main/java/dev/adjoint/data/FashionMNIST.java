package dev.adjoint.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Zalando's FashionMNIST ({@code torchvision.datasets.FashionMNIST} with {@code transform=ToTensor()}):
 * 60,000 training and 10,000 test images of 28×28 grey pixels in 10 classes ({@link #CLASSES}).
 *
 * <p>Nothing is downloaded. By default the files are read from {@link #DEFAULT_ROOT}, where Debian's
 * package {@code dataset-fashion-mnist} installs them ({@code sudo apt-get install dataset-fashion-mnist});
 * any directory holding the four IDX files (gzip or raw) works too.
 */
public final class FashionMNIST extends IdxImageDataset {
  /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
  public static final Path DEFAULT_ROOT = Path.of("/usr/share/datasets/fashion-mnist");

  /** The class names, by label. */
  public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** What every error message says about getting the files. */
  static final String HINT = "Install FashionMNIST with `sudo apt-get install dataset-fashion-mnist` (files go to "
      + DEFAULT_ROOT + ") or pass the directory holding " + fileList() + ".";

  /** The training ({@code train}) or test split from {@link #DEFAULT_ROOT}. */
  public FashionMNIST(boolean train) {
    this(DEFAULT_ROOT, train);
  }

  /** The training ({@code train}) or test split from the directory {@code root}. */
  public FashionMNIST(Path root, boolean train) {
    super(root, train, HINT);
  }
}
