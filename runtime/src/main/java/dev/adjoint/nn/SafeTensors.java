package dev.adjoint.nn;

import dev.adjoint.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files, the format
 * in which Hugging Face and PyTorch users exchange weights ({@code safetensors.torch.save_file(model.state_dict(),
 * path)} and {@code load_file}):
 *
 * <pre>
 * 8 bytes   u64 little-endian N, the length of the header
 * N bytes   JSON header, UTF-8, padded with spaces:
 *           {"__metadata__": {"format": "pt", ...},                         optional, string values
 *            "fc1.weight": {"dtype": "F32", "shape": [512, 784], "data_offsets": [0, 1605632]}, ...}
 * rest      the tensors' little-endian bytes, row-major; offsets are relative to the start of this
 *           part, which they cover exactly, without gaps or overlaps
 * </pre>
 *
 * <pre>{@code
 * SafeTensors.save(model.stateDict(), Path.of("model.safetensors"));
 * model.loadStateDict(SafeTensors.load(Path.of("model.safetensors")));
 * }</pre>
 *
 * <p><b>Writing</b> gives exactly the bytes of {@code safetensors.torch.save_file} for the same tensors
 * (tensors ordered by dtype alignment, then name; the header padded to 8 bytes): float32 tensors as
 * {@code F32}, float64 tensors as {@code F64}, index tensors ({@link Tensor.DType#INT64}) as {@code I64}. The
 * file is written to a temporary file and renamed over the target, like {@link StateDict#save}.
 *
 * <p><b>Reading</b> never changes a value silently: {@code F32}, {@code F16} and {@code BF16} become float32
 * tensors exactly; {@code F64} becomes a float64 tensor (as {@code load_file} gives), or, when rounding is asked
 * for ({@link #load(Path, boolean)}, PyTorch's {@code .float()}), a float32 one; the integer dtypes and {@code BOOL} become {@link Tensor.DType#INT64} tensors when every value is within
 * ±2^24, which float32 storage holds exactly, and throw otherwise. {@code U16}, {@code U32}, {@code U64}
 * and the 8-bit float formats are refused with the list of supported dtypes. The header is parsed by a
 * small strict parser of exactly this shape (see {@code docs/DECISIONS.md}): duplicate names, unknown
 * fields, offsets that do not match a tensor's size, gaps, overlaps and trailing bytes are errors that
 * name the file and the tensor.
 */
public final class SafeTensors {
  /** The largest header the reference implementation accepts (100 MB). */
  static final long MAX_HEADER = 100_000_000;
  private static final String METADATA = "__metadata__";

  private SafeTensors() {}

  /** A safetensors file's contents: the tensors in file (offset) order and the {@code __metadata__} strings. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    /** Unmodifiable copies. */
    public Contents {
      tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  /** The element types of the format, with their sizes in bytes; the order is the reference writer's. */
  enum Dtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), F64(8),
    I64(8), U64(8);

    final int size;

    Dtype(int size) {
      this.size = size;
    }
  }

  // --------------------------------------------------------------------------------------------
  // Writing

  /** Writes {@code tensors} to {@code file}, without metadata. */
  public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
    save(tensors, Map.of(), file);
  }

  /** Writes {@code tensors} and the {@code __metadata__} strings (none if empty) to {@code file}, atomically. */
  public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
    StateDict.writeAtomically(file, encode(tensors, metadata));
  }

  /** The bytes of a safetensors file holding {@code tensors} and {@code metadata} (in its iteration order). */
  public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
    record Entry(String name, byte[] utf8, Tensor t, Dtype dtype) {}
    List<Entry> entries = new ArrayList<>();
    for (var e : tensors.entrySet()) {
      if (e.getKey().equals(METADATA)) {
        throw new IllegalArgumentException("SafeTensors.save: a tensor cannot be named " + METADATA);
      }
      Tensor t = e.getValue();
      entries.add(new Entry(e.getKey(), e.getKey().getBytes(StandardCharsets.UTF_8), t,
          switch (t.dtype()) {
            case INT64 -> Dtype.I64;
            case FLOAT64 -> Dtype.F64;
            default -> Dtype.F32;
          }));
    }
    // the reference writer's order: larger dtype first (by its enum order), then by name (bytes)
    entries.sort(Comparator.comparing((Entry en) -> en.dtype()).reversed()
        .thenComparing(Entry::utf8, Arrays::compareUnsigned));
    StringBuilder h = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      quote(h, METADATA).append(":{");
      String sep = "";
      for (var m : metadata.entrySet()) {
        quote(h.append(sep), m.getKey()).append(':');
        quote(h, m.getValue());
        sep = ",";
      }
      h.append('}');
    }
    long offset = 0;
    for (Entry en : entries) {
      if (h.length() > 1) {
        h.append(',');
      }
      long size = (long) en.t().numel() * en.dtype().size;
      quote(h, en.name()).append(":{\"dtype\":\"").append(en.dtype().name()).append("\",\"shape\":[");
      int[] shape = en.t().shape();
      for (int d = 0; d < shape.length; d++) {
        h.append(d == 0 ? "" : ",").append(shape[d]);
      }
      h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + size).append("]}");
      offset += size;
    }
    h.append('}');
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (header.length + 7) / 8 * 8;
    long total = 8L + padded + offset;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("SafeTensors.save: the file would have " + total
          + " bytes; files above 2 GiB are not supported");
    }
    ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(padded).put(header);
    for (int i = header.length; i < padded; i++) {
      b.put((byte) ' ');
    }
    for (Entry en : entries) {
      int n = en.t().numel();
      if (en.dtype() == Dtype.F64) {
        b.asDoubleBuffer().put(en.t().toDoubleArray(), 0, n);
        b.position(b.position() + 8 * n);
        continue;
      }
      float[] data = en.t().storage();
      if (en.dtype() == Dtype.I64) {
        for (int i = 0; i < n; i++) {
          b.putLong((long) data[i]);
        }
      } else {
        b.asFloatBuffer().put(data, 0, n);
        b.position(b.position() + 4 * n);
      }
    }
    return b.array();
  }

  /** Appends {@code s} as a JSON string, escaped as serde_json escapes (quote, backslash, control characters). */
  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  // --------------------------------------------------------------------------------------------
  // Reading

  /** Reads the tensors of a safetensors file ({@code F64} as float64 tensors, see the class comment). */
  public static Map<String, Tensor> load(Path file) throws IOException {
    return read(file, false).tensors();
  }

  /** Reads the tensors; with {@code roundFloat64} true, F64 values round to the nearest float32. */
  public static Map<String, Tensor> load(Path file, boolean roundFloat64) throws IOException {
    return read(file, roundFloat64).tensors();
  }

  /** Reads the tensors and the metadata of a safetensors file. */
  public static Contents read(Path file, boolean roundFloat64) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "SafeTensors.load: no such file");
    }
    return decode(bytes, file.toString(), roundFloat64);
  }

  /** Parses the bytes of a safetensors file; {@code source} names it in error messages. */
  public static Contents decode(byte[] bytes, String source, boolean roundFloat64) throws IOException {
    String where = "SafeTensors.load: " + source + ": ";
    if (bytes.length < 8) {
      throw new IOException(where + "file is truncated: " + bytes.length + " bytes, a safetensors file has at least 8");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);
    if (n < 0 || n > MAX_HEADER || n > bytes.length - 8) {
      throw new IOException(where + "not a safetensors file: the first 8 bytes give a header length of "
          + Long.toUnsignedString(n) + " but the file has " + bytes.length + " bytes"
          + (n > MAX_HEADER ? " (and headers above " + MAX_HEADER + " bytes are refused)" : ""));
    }
    String json = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    if (!json.startsWith("{")) {
      throw new IOException(where + "not a safetensors file: the header does not start with '{'");
    }
    Map<String, Object> header;
    try {
      header = new HeaderParser(json).parseHeader();
    } catch (IllegalArgumentException e) {
      throw new IOException(where + "malformed header: " + e.getMessage(), e);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    record Info(String name, Dtype dtype, int[] shape, long begin, long end) {}
    List<Info> infos = new ArrayList<>();
    for (var e : header.entrySet()) {
      if (e.getKey().equals(METADATA)) {
        for (var m : asObject(e.getValue(), where + METADATA).entrySet()) {
          if (!(m.getValue() instanceof String s)) {
            throw new IOException(where + METADATA + " value '" + m.getKey() + "' is not a string");
          }
          metadata.put(m.getKey(), s);
        }
        continue;
      }
      String name = e.getKey();
      String what = where + "tensor '" + name + "'";
      Map<String, Object> info = asObject(e.getValue(), what);
      for (String k : info.keySet()) {
        if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
          throw new IOException(what + " has an unknown field '" + k + "' (expected dtype, shape, data_offsets)");
        }
      }
      if (!(info.get("dtype") instanceof String dt)) {
        throw new IOException(what + " has no dtype string");
      }
      Dtype dtype;
      try {
        dtype = Dtype.valueOf(dt);
      } catch (IllegalArgumentException x) {
        throw new IOException(what + " has dtype " + dt + ", which is not a safetensors dtype");
      }
      long[] shapeL = longs(info.get("shape"), what + " shape", -1);
      long[] offsets = longs(info.get("data_offsets"), what + " data_offsets", 2);
      int[] shape = new int[shapeL.length];
      long numel = 1;
      for (int d = 0; d < shape.length; d++) {
        if (shapeL[d] > Integer.MAX_VALUE) {
          throw new IOException(what + " has a size above 2^31 in " + Arrays.toString(shapeL));
        }
        shape[d] = (int) shapeL[d];
        numel *= shape[d];
      }
      if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != numel * dtype.size) {
        throw new IOException(what + " of dtype " + dt + " and shape " + Arrays.toString(shape) + " needs "
            + numel * dtype.size + " bytes, but its data_offsets " + Arrays.toString(offsets) + " give "
            + (offsets[1] - offsets[0]));
      }
      infos.add(new Info(name, dtype, shape, offsets[0], offsets[1]));
    }
    infos.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
    long dataStart = 8 + n;
    long dataLength = bytes.length - dataStart;
    long expected = 0;
    for (Info info : infos) {
      if (info.begin() != expected) {
        throw new IOException(where + "tensor '" + info.name() + "' starts at byte " + info.begin() + " of the data, "
            + (info.begin() < expected ? "overlapping the tensor before it" : "leaving a gap") + " (expected "
            + expected + ")");
      }
      expected = info.end();
    }
    if (expected != dataLength) {
      throw new IOException(where + "the tensors cover " + expected + " bytes of data, but the file holds "
          + dataLength + (expected > dataLength ? " (truncated?)" : ""));
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Info info : infos) {
      tensors.put(info.name(), convert(b, (int) (dataStart + info.begin()), info.dtype(), info.shape(),
          where + "tensor '" + info.name() + "' (" + info.dtype() + ")", roundFloat64));
    }
    return new Contents(tensors, metadata);
  }

  private static final long INT_EXACT = 1L << 24;

  private static Tensor convert(ByteBuffer b, int at, Dtype dtype, int[] shape, String what, boolean roundFloat64)
      throws IOException {
    int numel = 1;
    for (int s : shape) {
      numel *= s;
    }
    float[] out = new float[numel];
    boolean integer = false;
    switch (dtype) {
      case F32 -> {
        for (int i = 0; i < numel; i++) {
          out[i] = b.getFloat(at + 4 * i);
        }
      }
      case F64 -> {
        if (!roundFloat64) {
          // a float64 tensor, exact (safetensors.torch.load_file's dtype)
          double[] d = new double[numel];
          for (int i = 0; i < numel; i++) {
            d[i] = b.getDouble(at + 8 * i);
          }
          return Tensor.wrap(d, shape);
        }
        for (int i = 0; i < numel; i++) {
          out[i] = (float) b.getDouble(at + 8 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < numel; i++) {
          out[i] = Float.float16ToFloat(b.getShort(at + 2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < numel; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(at + 2 * i) & 0xFFFF) << 16);
        }
      }
      case I64, I32, I16, I8, U8, BOOL -> {
        integer = true;
        for (int i = 0; i < numel; i++) {
          long v = switch (dtype) {
            case I64 -> b.getLong(at + 8 * i);
            case I32 -> b.getInt(at + 4 * i);
            case I16 -> b.getShort(at + 2 * i);
            case I8 -> b.get(at + i);
            default -> b.get(at + i) & 0xFF;
          };
          if (dtype == Dtype.BOOL && v > 1) {
            throw new IOException(what + ": element " + i + " is " + v + ", not a bool (0 or 1)");
          }
          if (Math.abs(v) > INT_EXACT) {
            throw new IOException(what + ": element " + i + " = " + v + " is outside ±2^24, which Adjoint's int64 "
                + "tensors (float32 storage) hold exactly");
          }
          out[i] = v;
        }
      }
      default -> throw new IOException(what + ": dtype " + dtype + " is not supported (Adjoint reads F32, F64, F16, "
          + "BF16, I64, I32, I16, I8, U8 and BOOL)");
    }
    return Tensor.wrap(out, shape, integer ? Tensor.DType.INT64 : Tensor.DType.FLOAT32);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asObject(Object v, String what) throws IOException {
    if (!(v instanceof Map<?, ?>)) {
      throw new IOException(what + " is not a JSON object");
    }
    return (Map<String, Object>) v;
  }

  private static long[] longs(Object v, String what, int length) throws IOException {
    if (!(v instanceof List<?> list) || (length >= 0 && list.size() != length)) {
      throw new IOException(what + " is not " + (length >= 0 ? "an array of " + length + " integers" : "an array"));
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long l)) {
        throw new IOException(what + " element " + i + " is not a non-negative integer: " + list.get(i));
      }
      out[i] = l;
    }
    return out;
  }

  /**
   * A strict JSON parser for the header: objects (no duplicate keys), arrays, strings (all escapes) and
   * non-negative integers; anything else (fractions, negative numbers, literals) is an error, because no
   * valid header holds it. Trailing spaces are the format's padding.
   */
  static final class HeaderParser {
    private final String s;
    private int i;

    HeaderParser(String s) {
      this.s = s;
    }

    Map<String, Object> parseHeader() {
      skipSpace();
      Object v = value(0);
      skipSpace();
      if (i != s.length()) {
        throw error("unexpected text after the header object");
      }
      if (!(v instanceof Map<?, ?>)) {
        throw error("the header is not an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) v;
      return m;
    }

    private Object value(int depth) {
      if (depth > 4) {
        throw error("nesting deeper than a safetensors header has");
      }
      skipSpace();
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
          i++;
          return m;
        }
        while (true) {
          skipSpace();
          int keyAt = i;
          String key = string();
          skipSpace();
          expect(':');
          if (m.put(key, value(depth + 1)) != null) {
            i = keyAt;
            throw error("duplicate key \"" + key + "\"");
          }
          skipSpace();
          if (peek() == ',') {
            i++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      if (c == '[') {
        i++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
          i++;
          return list;
        }
        while (true) {
          list.add(value(depth + 1));
          skipSpace();
          if (peek() == ',') {
            i++;
          } else {
            expect(']');
            return list;
          }
        }
      }
      if (c == '"') {
        return string();
      }
      if (c >= '0' && c <= '9') {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
        }
        if (i - start > 1 && s.charAt(start) == '0') {
          throw error("a number with a leading zero");
        }
        if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
          throw error("a fractional number, where only sizes and offsets (integers) belong");
        }
        try {
          return Long.parseLong(s.substring(start, i));
        } catch (NumberFormatException e) {
          throw error("an integer above 2^63");
        }
      }
      throw error("unexpected '" + c + "'");
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c < 0x20) {
          throw error("a control character in a string");
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= s.length()) {
          throw error("unterminated escape");
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw error("a short \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException x) {
              throw error("a bad \\u escape");
            }
            i += 4;
          }
          default -> throw error("an unknown escape \\" + e);
        }
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private void skipSpace() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\r'
          || s.charAt(i) == '\t')) {
        i++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at character " + i);
    }
  }
}
