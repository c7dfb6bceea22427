package dev.adjoint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.nn.Goldens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader and FashionMNIST on the shipped mini dataset, and every error message a user can meet. */
class FashionMnistTest {
  @TempDir Path dir;

  private static final String HINT = "Install FashionMNIST with `sudo apt-get install dataset-fashion-mnist` (files "
      + "go to /usr/share/datasets/fashion-mnist) or pass the directory holding train-images-idx3-ubyte.gz, "
      + "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.";

  private static byte[] gunzip(Path p) throws IOException {
    try (var in = new GZIPInputStream(Files.newInputStream(p))) {
      return in.readAllBytes();
    }
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    var bos = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(bos)) {
      out.write(raw);
    }
    return bos.toByteArray();
  }

  /** Copies the mini dataset into the temp dir, so a test can damage one file. */
  private Path copyMini() throws IOException {
    Path mini = Goldens.miniFashionMnist();
    for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
      Files.copy(mini.resolve(f), dir.resolve(f));
    }
    return dir;
  }

  @Test
  void readsImagesScaledToUnitIntervalAndInt64Labels() {
    var train = new FashionMNIST(Goldens.miniFashionMnist(), true);
    assertEquals(1280, train.size());
    assertEquals(1000, new FashionMNIST(Goldens.miniFashionMnist(), false).size());
    Example e = train.get(0);
    assertArrayEquals(new int[] {1, 28, 28}, e.x().shape());
    assertEquals(0, e.y().dim());
    assertEquals(Tensor.DType.INT64, e.y().dtype());
    // FashionMNIST's first training image is an ankle boot (class 9)
    assertEquals(9, (int) e.y().item());
    assertEquals("Ankle boot", FashionMNIST.CLASSES.get(train.label(0)));
    float max = 0;
    for (float v : e.x().storage()) {
      assertTrue(v >= 0 && v <= 1);
      max = Math.max(max, v);
    }
    assertEquals(1f, max);
    Batch b = train.batch(new int[] {0, 5});
    assertArrayEquals(new int[] {2, 1, 28, 28}, b.x().shape());
    assertEquals(Tensor.DType.INT64, b.y().dtype());
    assertArrayEquals(e.x().storage(), Arrays.copyOf(b.x().storage(), 784));
  }

  @Test
  void toTensorDividesByTwoFiftyFiveInFloat() {
    assertEquals(0f, ToTensor.pixel((byte) 0));
    assertEquals(1f, ToTensor.pixel((byte) 255));
    assertEquals(128 / 255f, ToTensor.pixel((byte) 128));
  }

  @Test
  void rawUncompressedFilesWorkToo() throws IOException {
    Path mini = Goldens.miniFashionMnist();
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), gunzip(mini.resolve("t10k-images-idx3-ubyte.gz")));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), gunzip(mini.resolve("t10k-labels-idx1-ubyte.gz")));
    var raw = new FashionMNIST(dir, false);
    var gz = new FashionMNIST(mini, false);
    assertArrayEquals(gz.get(999).x().storage(), raw.get(999).x().storage());
  }

  @Test
  void aMissingDatasetSaysHowToInstallIt() {
    Path nowhere = dir.resolve("no-such-dir");
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(nowhere, true));
    assertEquals("FashionMNIST: dataset directory " + nowhere + " does not exist; expected a directory holding "
        + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        + "t10k-labels-idx1-ubyte.gz. " + HINT, e.getMessage());
  }

  @Test
  void aMissingFileIsNamed() throws IOException {
    copyMini();
    Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(dir, true));
    assertEquals("FashionMNIST: " + dir.resolve("train-labels-idx1-ubyte.gz") + " does not exist (nor "
        + "train-labels-idx1-ubyte); expected train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        + "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in " + dir + ". " + HINT, e.getMessage());
  }

  @Test
  void aTruncatedGzipFileIsReported() throws IOException {
    copyMini();
    Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(dir, false));
    assertEquals("Idx.read: " + f + " is a truncated gzip file (it ends before the compressed stream does); "
        + "expected an IDX image file (magic 0x00000803, sizes n×rows×cols). The file is damaged: " + HINT,
        e.getMessage());
  }

  @Test
  void aCorruptGzipFileIsReported() throws IOException {
    copyMini();
    Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(f);
    for (int i = 100; i < 200; i++) {
      bytes[i] = (byte) 0xFF;
    }
    Files.write(f, bytes);
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(dir, false));
    assertTrue(e.getMessage().startsWith("Idx.read: " + f + " is a corrupt gzip file ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("expected an IDX image file (magic 0x00000803, sizes n×rows×cols). "
        + "The file is damaged: " + HINT), e.getMessage());
  }

  @Test
  void truncatedDataInsideAValidGzipIsReported() throws IOException {
    copyMini();
    Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
    byte[] raw = gunzip(f);
    Files.write(f, gzip(Arrays.copyOf(raw, raw.length - 784)));
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(dir, false));
    assertEquals("Idx.read: " + f + " is truncated: its header gives sizes [1000, 28, 28], that is 784000 bytes of "
        + "data, but it holds 783216. " + HINT, e.getMessage());
  }

  @Test
  void swappedFilesFailOnTheMagicNumber() throws IOException {
    copyMini();
    Files.copy(dir.resolve("t10k-labels-idx1-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte.gz"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(dir, false));
    assertEquals("Idx.read: " + dir.resolve("t10k-images-idx3-ubyte.gz") + " starts with magic number 0x00000801; "
        + "expected an IDX image file (magic 0x00000803, sizes n×rows×cols). " + HINT, e.getMessage());
  }

  @Test
  void imagesAndLabelsMustAgreeInCount() throws IOException {
    copyMini();
    // the training labels (1280) next to the test images (1000)
    Files.copy(dir.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var e = assertThrows(DatasetException.class, () -> new FashionMNIST(dir, false));
    assertEquals("FashionMNIST: in " + dir + " the t10k images hold 1000 items but the labels 1280; the files do "
        + "not belong together. " + HINT, e.getMessage());
  }
}
