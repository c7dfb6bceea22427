package dev.adjoint.nn;

import dev.adjoint.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Saving and loading named tensors ({@code torch.save(model.state_dict())} / {@code torch.load}) in the
 * Adjoint state format, version 1. The format is small on purpose, so any program can write it (the
 * project's PyTorch goldens script does, in a dozen lines of Python):
 *
 * <pre>
 * all integers little-endian
 * offset  size        field
 * 0       8           magic, the ASCII bytes "ADJSTATE"
 * 8       4           u32 format version = 1
 * 12      4           u32 count of tensors
 * then count records, in the order of the map (a module's namedParameters() order):
 *         2           u16 byte length L of the name
 *         L           the name, UTF-8 (e.g. "linear_relu_stack.0.weight")
 *         1           u8 dtype: 0 = float32, 1 = int64 values held as float32, 2 = float64
 *         1           u8 ndim
 *         4·ndim      i32 sizes, outermost first
 *         4·numel     float32 (IEEE 754, little-endian) elements, row-major (dtypes 0 and 1)
 *      or 8·numel     float64 elements, row-major (dtype 2)
 * end     4           u32 CRC-32 (java.util.zip.CRC32 = zlib.crc32) of every byte before it
 * </pre>
 *
 * <p>{@link #save} writes to a temporary file in the target's directory, forces it to disk, and renames it
 * over the target atomically, so a crash never leaves a half-written state where a good one was.
 * {@link #load} checks the length, magic, version and checksum before it builds any tensor; each failure
 * is an {@link IOException} that names the file and what was expected.
 */
public final class StateDict {
  /** The 8 bytes every state file starts with. */
  public static final String MAGIC = "ADJSTATE";
  /** The format version this class writes and reads. */
  public static final int VERSION = 1;

  private static final int HEADER = 16;
  private static final int TRAILER = 4;

  private StateDict() {}

  /** Writes {@code state} to {@code file} atomically (temporary file, force, rename). */
  public static void save(Map<String, Tensor> state, Path file) throws IOException {
    writeAtomically(file, encode(state));
  }

  /**
   * Replaces {@code file} by {@code bytes} so that a reader or a crash sees the old contents or the new
   * ones, never a mix: a temporary file in the same directory, forced to disk, then an atomic rename (a
   * plain replace where the file system has none). Creates the directory if needed. Used by every state
   * file the library writes ({@link #save}, {@link SafeTensors}, optimizer and checkpoint files).
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The bytes of a state file holding {@code state}. */
  public static byte[] encode(Map<String, Tensor> state) {
    long size = HEADER + TRAILER;
    for (var e : state.entrySet()) {
      size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 2 + 4L * e.getValue().dim()
          + elementBytes(e.getValue().dtype()) * (long) e.getValue().numel();
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("StateDict.save: the state needs " + size
          + " bytes; files above 2 GiB are not supported by format version " + VERSION);
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(VERSION).putInt(state.size());
    for (var e : state.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      if (name.length > 0xFFFF) {
        throw new IllegalArgumentException("StateDict.save: name longer than 65535 bytes: " + e.getKey());
      }
      Tensor t = e.getValue();
      b.putShort((short) name.length).put(name);
      b.put((byte) dtypeCode(t.dtype())).put((byte) t.dim());
      for (int s : t.shape()) {
        b.putInt(s);
      }
      if (t.dtype() == Tensor.DType.FLOAT64) {
        b.asDoubleBuffer().put(t.storageF64(), 0, t.numel());
        b.position(b.position() + 8 * t.numel());
      } else {
        b.asFloatBuffer().put(t.storage(), 0, t.numel());
        b.position(b.position() + 4 * t.numel());
      }
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Reads a state file: the tensors by name, in file order. */
  public static Map<String, Tensor> load(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "StateDict.load: no such file");
    }
    return decode(bytes, file.toString());
  }

  /** Parses the bytes of a state file; {@code source} names it in error messages. */
  public static Map<String, Tensor> decode(byte[] bytes, String source) throws IOException {
    String where = "StateDict.load: " + source + ": ";
    if (bytes.length < HEADER + TRAILER) {
      throw new IOException(where + "file is truncated: " + bytes.length + " bytes, an Adjoint state file has at least "
          + (HEADER + TRAILER));
    }
    String magic = new String(bytes, 0, 8, StandardCharsets.ISO_8859_1);
    if (!magic.equals(MAGIC)) {
      throw new IOException(where + "not an Adjoint state file (expected the magic bytes \"" + MAGIC
          + "\", found " + printable(magic) + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int version = b.getInt(8);
    if (version != VERSION) {
      throw new IOException(where + "format version " + Integer.toUnsignedString(version)
          + " is not supported (this Adjoint reads version " + VERSION + ")");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - TRAILER);
    int stored = b.getInt(bytes.length - TRAILER);
    if (stored != (int) crc.getValue()) {
      throw new IOException(where + String.format(Locale.ROOT, "checksum mismatch (the file says %08x, its "
          + "contents give %08x): the file is corrupt or truncated", stored, (int) crc.getValue()));
    }
    int count = b.getInt(12);
    b.position(HEADER);
    int end = bytes.length - TRAILER;
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try {
      for (int i = 0; i < count; i++) {
        int len = Short.toUnsignedInt(b.getShort());
        byte[] name = new byte[len];
        b.get(name);
        String key = new String(name, StandardCharsets.UTF_8);
        int dtype = b.get();
        int ndim = Byte.toUnsignedInt(b.get());
        if (dtype != 0 && dtype != 1 && dtype != 2) {
          throw new IOException(where + "tensor '" + key + "' has unknown dtype code " + dtype);
        }
        int[] shape = new int[ndim];
        long numel = 1;
        for (int d = 0; d < ndim; d++) {
          shape[d] = b.getInt();
          if (shape[d] < 0) {
            throw new IOException(where + "tensor '" + key + "' has a negative size in " + Arrays.toString(shape));
          }
          numel *= shape[d];
        }
        if ((dtype == 2 ? 8 : 4) * numel > end - b.position()) {
          throw new IOException(where + "tensor '" + key + "' of shape " + Arrays.toString(shape)
              + " runs past the end of the file");
        }
        Tensor t;
        if (dtype == 2) {
          double[] data = new double[(int) numel];
          b.asDoubleBuffer().get(data);
          b.position(b.position() + 8 * data.length);
          t = Tensor.wrap(data, shape);
        } else {
          float[] data = new float[(int) numel];
          b.asFloatBuffer().get(data);
          b.position(b.position() + 4 * data.length);
          t = Tensor.wrap(data, shape, dtype == 1 ? Tensor.DType.INT64 : Tensor.DType.FLOAT32);
        }
        if (out.put(key, t) != null) {
          throw new IOException(where + "tensor '" + key + "' appears twice");
        }
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException(where + "the records end early: the header promises " + count + " tensors", e);
    }
    if (b.position() != end) {
      throw new IOException(where + (end - b.position()) + " unexpected bytes after the " + count + " tensors");
    }
    return out;
  }

  private static int dtypeCode(Tensor.DType dtype) {
    return switch (dtype) {
      case FLOAT32, BOOL -> 0; // a BOOL tensor is saved as its 0/1 values in float32, as before float64
      case INT64 -> 1;
      case FLOAT64 -> 2;
    };
  }

  private static long elementBytes(Tensor.DType dtype) {
    return dtype == Tensor.DType.FLOAT64 ? 8 : 4;
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format(Locale.ROOT, "\\x%02x", (int) c));
    }
    return sb.append('"').toString();
  }
}
