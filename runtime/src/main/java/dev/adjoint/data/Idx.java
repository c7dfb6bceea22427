package dev.adjoint.data;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and FashionMNIST: a big-endian header (two zero bytes, a type
 * byte, 0x08 for unsigned bytes, and the number of dimensions), one 32-bit big-endian size per
 * dimension, then the elements. Image files have magic {@code 0x00000803} ({@code (n, rows, cols)}),
 * label files {@code 0x00000801} ({@code (n)}). Files may be gzip-compressed (recognised by their first
 * bytes, whatever their name) or raw.
 *
 * <p>Everything is checked before use: the magic, and the data length against the sizes in the header,
 * so a truncated or corrupt download fails here with a message that says what was expected, not later
 * with an index error.
 */
public final class Idx {
  /** The magic number of an IDX file of unsigned-byte images {@code (n, rows, cols)}. */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** The magic number of an IDX file of unsigned-byte labels {@code (n)}. */
  public static final int LABELS_MAGIC = 0x00000801;

  private Idx() {}

  /** The contents of an IDX file: its sizes and its unsigned-byte elements, row-major. */
  public record Data(int[] dims, byte[] values) {
    /** The number of items (the first size). */
    public int count() {
      return dims[0];
    }
  }

  /**
   * Reads {@code file} and checks that its magic is {@code expectedMagic}; {@code hint} (how to get the
   * right file) is added to every error message.
   */
  public static Data read(Path file, int expectedMagic, String hint) {
    String what = expectedMagic == IMAGES_MAGIC ? "an IDX image file (magic 0x00000803, sizes n×rows×cols)"
        : expectedMagic == LABELS_MAGIC ? "an IDX label file (magic 0x00000801, size n)"
        : String.format(Locale.ROOT, "an IDX file with magic 0x%08x", expectedMagic);
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DatasetException("Idx.read: " + file + " does not exist; expected " + what + ". " + hint, e);
    } catch (IOException e) {
      throw new DatasetException("Idx.read: cannot read " + file + " (" + e + "); expected " + what + ". " + hint, e);
    }
    byte[] bytes = raw;
    if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1f && (raw[1] & 0xFF) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
        bytes = in.readAllBytes();
      } catch (EOFException e) {
        throw new DatasetException("Idx.read: " + file + " is a truncated gzip file (it ends before the compressed "
            + "stream does); expected " + what + ". The file is damaged: " + hint, e);
      } catch (ZipException e) {
        throw new DatasetException("Idx.read: " + file + " is a corrupt gzip file (" + e.getMessage() + "); expected "
            + what + ". The file is damaged: " + hint, e);
      } catch (IOException e) {
        throw new DatasetException("Idx.read: cannot decompress " + file + " (" + e + "); expected " + what + ". "
            + hint, e);
      }
    }
    if (bytes.length < 4) {
      throw new DatasetException("Idx.read: " + file + " holds only " + bytes.length + " bytes, too short for an IDX "
          + "header; expected " + what + ". " + hint);
    }
    int magic = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
    if (magic != expectedMagic) {
      throw new DatasetException(String.format(Locale.ROOT, "Idx.read: %s starts with magic number 0x%08x; expected "
          + "%s. %s", file, magic, what, hint));
    }
    int ndim = bytes[3] & 0xFF;
    int header = 4 + 4 * ndim;
    if (bytes.length < header) {
      throw new DatasetException("Idx.read: " + file + " is truncated inside its header (" + bytes.length
          + " bytes, the header of " + what + " has " + header + "). " + hint);
    }
    int[] dims = new int[ndim];
    long n = 1;
    for (int d = 0; d < ndim; d++) {
      int o = 4 + 4 * d;
      dims[d] = ((bytes[o] & 0xFF) << 24) | ((bytes[o + 1] & 0xFF) << 16) | ((bytes[o + 2] & 0xFF) << 8)
          | (bytes[o + 3] & 0xFF);
      if (dims[d] < 0) {
        throw new DatasetException("Idx.read: " + file + " has a negative size in its header; expected " + what
            + ". " + hint);
      }
      n *= dims[d];
    }
    long have = bytes.length - (long) header;
    if (have != n) {
      throw new DatasetException("Idx.read: " + file + (have < n ? " is truncated" : " has trailing bytes") + ": its "
          + "header gives sizes " + Arrays.toString(dims) + ", that is " + n + " bytes of data, but it holds " + have
          + ". " + hint);
    }
    return new Data(dims, Arrays.copyOfRange(bytes, header, bytes.length));
  }
}
