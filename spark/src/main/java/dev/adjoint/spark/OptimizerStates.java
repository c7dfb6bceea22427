package dev.adjoint.spark;

import dev.adjoint.Tensor;
import dev.adjoint.optim.StateDict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Saving and loading an optimizer's state ({@link dev.adjoint.optim.StateDict}, PyTorch's
 * {@code optimizer.state_dict()}) as bytes or as an atomic file, which {@code optim.StateDict} leaves to its
 * caller. Every value the optimizers put in a state dict round-trips exactly: tensors (float32 bits and
 * dtype), {@code Long} step counters, {@code Float} and {@code Double} scalars, {@code double[]} betas,
 * booleans, strings, {@code null}, lists and maps.
 *
 * <pre>
 * big-endian (java.io.DataOutput)
 * 8 bytes  magic "ADJOPTIM";  u32 format version = 1
 * value    the param groups (a list of string-keyed maps)
 * value    the state (a map from parameter index to a string-keyed map)
 * 4 bytes  CRC-32 of every byte before it
 * value =  u8 tag, then: 0 null | 1 boolean | 2 int | 3 long | 4 float | 5 double | 6 UTF string |
 *          7 double[] (u32 n, n doubles) | 8 tensor (u8 dtype 0 float32 / 1 int64, u8 ndim, i32 sizes,
 *          float32 elements) | 9 list (u32 n, n values) | 10 map with string keys (u32 n, n × (UTF key, value))
 *          | 11 map with int keys (u32 n, n × (i32 key, value)) | 12 tensor shape only (as 8 without elements)
 * </pre>
 *
 * <p>{@link #save} writes a temporary file beside the target, forces it to disk and renames it over the
 * target, as {@link dev.adjoint.nn.StateDict#save} does, so a crash leaves the old file or the new one.
 */
public final class OptimizerStates {
  /** The 8 bytes every optimizer state file starts with. */
  public static final String MAGIC = "ADJOPTIM";
  /** The format version this class writes and reads. */
  public static final int VERSION = 1;

  private OptimizerStates() {}

  /** The bytes of {@code dict}, tensors included. */
  public static byte[] encode(StateDict dict) {
    return encode(dict, true);
  }

  /**
   * The bytes of {@code dict}; without {@code payload}, tensors keep their dtype and shape but not their
   * elements ({@link #decode} gives zeros), which is how a structure is shipped when its buffers travel
   * separately.
   */
  static byte[] encode(StateDict dict, boolean payload) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
      out.writeInt(VERSION);
      writeValue(out, dict.paramGroups(), payload);
      out.writeByte(11);
      out.writeInt(dict.state().size());
      for (var e : dict.state().entrySet()) {
        out.writeInt(e.getKey());
        writeValue(out, e.getValue(), payload);
      }
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Parses bytes written by {@link #encode}; {@code source} names them in error messages. */
  public static StateDict decode(byte[] bytes, String source) throws IOException {
    String where = "OptimizerStates.load: " + source + ": ";
    if (bytes.length < 16 || !new String(bytes, 0, 8, StandardCharsets.ISO_8859_1).equals(MAGIC)) {
      throw new IOException(where + "not an Adjoint optimizer state file (expected the magic bytes \"" + MAGIC
          + "\")");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ((bytes[bytes.length - 4] & 0xFF) << 24) | ((bytes[bytes.length - 3] & 0xFF) << 16)
        | ((bytes[bytes.length - 2] & 0xFF) << 8) | (bytes[bytes.length - 1] & 0xFF);
    if (stored != (int) crc.getValue()) {
      throw new IOException(where + String.format(java.util.Locale.ROOT,
          "checksum mismatch (the file says %08x, its contents give %08x): the file is corrupt or truncated",
          stored, (int) crc.getValue()));
    }
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes, 8, bytes.length - 12))) {
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(where + "format version " + version + " is not supported (this Adjoint reads version "
            + VERSION + ")");
      }
      Object groups = readValue(in, where);
      Object state = readValue(in, where);
      if (!(groups instanceof List<?> gl) || !(state instanceof Map<?, ?> sm)) {
        throw new IOException(where + "expected a list of param groups and a map of states");
      }
      List<Map<String, Object>> paramGroups = new ArrayList<>();
      for (Object g : gl) {
        paramGroups.add(stringMap(g, where));
      }
      Map<Integer, Map<String, Object>> st = new LinkedHashMap<>();
      for (var e : sm.entrySet()) {
        st.put((Integer) e.getKey(), stringMap(e.getValue(), where));
      }
      if (in.available() != 0) {
        throw new IOException(where + in.available() + " unexpected bytes after the state");
      }
      return new StateDict(paramGroups, st);
    } catch (EOFException e) {
      throw new IOException(where + "the records end early", e);
    }
  }

  /** Writes {@code dict} to {@code file} atomically (temporary file, force, rename). */
  public static void save(StateDict dict, Path file) throws IOException {
    dev.adjoint.nn.StateDict.writeAtomically(file, encode(dict));
  }

  /** Reads a file written by {@link #save} (checksum checked). */
  public static StateDict load(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "OptimizerStates.load: no such file");
    }
    return decode(bytes, file.toString());
  }

  /**
   * Calls {@code visitor} with every tensor of {@code dict}'s per-parameter state, in a fixed order (parameter
   * index, then key order). Throws for a tensor inside a list ({@code LBFGS}'s histories), which has no
   * counterpart across replicas.
   */
  static void forEachStateTensor(StateDict dict, String optimizer, Consumer<Tensor> visitor) {
    for (var e : dict.state().entrySet()) {
      for (var kv : e.getValue().entrySet()) {
        if (kv.getValue() instanceof Tensor t) {
          visitor.accept(t);
        } else if (kv.getValue() instanceof List<?>) {
          throw new IllegalArgumentException("parameter averaging: " + optimizer + " keeps a list in its state ('"
              + kv.getKey() + "' of parameter " + e.getKey() + "), which cannot be averaged across partitions; "
              + "use synchronous training (averageEvery(1)) for this optimizer");
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stringMap(Object o, String where) throws IOException {
    if (!(o instanceof Map<?, ?> m)) {
      throw new IOException(where + "expected a map, found " + (o == null ? "null" : o.getClass().getSimpleName()));
    }
    return (Map<String, Object>) m;
  }

  private static void writeValue(DataOutputStream out, Object v, boolean payload) throws IOException {
    switch (v) {
      case null -> out.writeByte(0);
      case Boolean b -> {
        out.writeByte(1);
        out.writeBoolean(b);
      }
      case Integer i -> {
        out.writeByte(2);
        out.writeInt(i);
      }
      case Long l -> {
        out.writeByte(3);
        out.writeLong(l);
      }
      case Float f -> {
        out.writeByte(4);
        out.writeInt(Float.floatToRawIntBits(f));
      }
      case Double d -> {
        out.writeByte(5);
        out.writeLong(Double.doubleToRawLongBits(d));
      }
      case String s -> {
        out.writeByte(6);
        out.writeUTF(s);
      }
      case double[] a -> {
        out.writeByte(7);
        out.writeInt(a.length);
        for (double d : a) {
          out.writeLong(Double.doubleToRawLongBits(d));
        }
      }
      case Tensor t -> {
        out.writeByte(payload ? 8 : 12);
        out.writeByte(t.dtype() == Tensor.DType.INT64 ? 1 : 0);
        out.writeByte(t.dim());
        for (int s : t.shape()) {
          out.writeInt(s);
        }
        if (payload) {
          float[] data = t.storage();
          for (int i = 0; i < t.numel(); i++) {
            out.writeInt(Float.floatToRawIntBits(data[i]));
          }
        }
      }
      case List<?> l -> {
        out.writeByte(9);
        out.writeInt(l.size());
        for (Object o : l) {
          writeValue(out, o, payload);
        }
      }
      case Map<?, ?> m -> {
        out.writeByte(10);
        out.writeInt(m.size());
        for (var e : m.entrySet()) {
          if (!(e.getKey() instanceof String k)) {
            throw new IllegalArgumentException("OptimizerStates.save: map key " + e.getKey() + " is not a string");
          }
          out.writeUTF(k);
          writeValue(out, e.getValue(), payload);
        }
      }
      default -> throw new IllegalArgumentException("OptimizerStates.save: cannot store a value of type "
          + v.getClass().getName() + " (" + v + ")");
    }
  }

  private static Object readValue(DataInputStream in, String where) throws IOException {
    int tag = in.readUnsignedByte();
    return switch (tag) {
      case 0 -> null;
      case 1 -> in.readBoolean();
      case 2 -> in.readInt();
      case 3 -> in.readLong();
      case 4 -> Float.intBitsToFloat(in.readInt());
      case 5 -> Double.longBitsToDouble(in.readLong());
      case 6 -> in.readUTF();
      case 7 -> {
        double[] a = new double[count(in, where)];
        for (int i = 0; i < a.length; i++) {
          a[i] = Double.longBitsToDouble(in.readLong());
        }
        yield a;
      }
      case 8, 12 -> {
        int dtype = in.readUnsignedByte();
        int[] shape = new int[in.readUnsignedByte()];
        long numel = 1;
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.readInt();
          if (shape[d] < 0) {
            throw new IOException(where + "a tensor has a negative size");
          }
          numel *= shape[d];
        }
        if (tag == 8 && 4 * numel > in.available()) {
          throw new IOException(where + "a tensor of " + numel + " elements runs past the end of the file");
        }
        float[] data = new float[(int) numel];
        if (tag == 8) {
          for (int i = 0; i < data.length; i++) {
            data[i] = Float.intBitsToFloat(in.readInt());
          }
        }
        yield Tensor.wrap(data, shape, dtype == 1 ? Tensor.DType.INT64 : Tensor.DType.FLOAT32);
      }
      case 9 -> {
        int n = count(in, where);
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          l.add(readValue(in, where));
        }
        yield l;
      }
      case 10 -> {
        int n = count(in, where);
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          String k = in.readUTF();
          m.put(k, readValue(in, where));
        }
        yield m;
      }
      case 11 -> {
        int n = count(in, where);
        Map<Integer, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          int k = in.readInt();
          m.put(k, readValue(in, where));
        }
        yield m;
      }
      default -> throw new IOException(where + "unknown value tag " + tag);
    };
  }

  private static int count(DataInputStream in, String where) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException(where + "a count of " + Integer.toUnsignedString(n) + " runs past the end of the file");
    }
    return n;
  }
}
