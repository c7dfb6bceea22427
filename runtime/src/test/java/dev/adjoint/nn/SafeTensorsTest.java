package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * safetensors interchange against files written on the PyTorch side ({@code
 * src/test/python/safetensors_goldens.py}, whose writer is checked byte for byte against the {@code
 * safetensors} package): reading every dtype, loading a PyTorch model's weights into the same Adjoint
 * model, writing the same bytes, and every malformed file refused with a message naming the problem.
 */
class SafeTensorsTest {
  @TempDir Path dir;

  static Sequential mlp() {
    Generator g = new Generator(1);
    return new Sequential(new Linear(4, 3, true, g), new ReLU(), new Linear(3, 2, true, g));
  }

  static float[] floats(JsonArray a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsFloat();
    }
    return out;
  }

  @Test
  void pyTorchWeightsLoadIntoTheSameModelAndGiveItsOutput() throws IOException {
    JsonObject golden = Goldens.json("safetensors/mlp.json");
    var contents = SafeTensors.read(Goldens.path("safetensors/mlp.safetensors"), false);
    assertEquals(Map.of("format", "pt", "source", "safetensors_goldens.py \"mlp\""), contents.metadata());
    List<String> keys = new ArrayList<>();
    golden.getAsJsonArray("keys").forEach(k -> keys.add(k.getAsString()));
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), keys);
    Sequential model = mlp();
    var skipped = model.loadStateDict(contents.tensors());
    assertEquals(new Module.IncompatibleKeys(List.of(), List.of()), skipped);
    for (String k : keys) {
      assertArrayEquals(floats(golden.getAsJsonObject("values").getAsJsonArray(k)),
          model.stateDict().get(k).toFloatArray(), 0f, k);
    }
    JsonArray in = golden.getAsJsonArray("input");
    float[][] x = new float[in.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = floats(in.get(i).getAsJsonArray());
    }
    float[] y = model.forward(Tensor.of(x)).toFloatArray();
    JsonArray want = golden.getAsJsonArray("output");
    for (int i = 0; i < want.size(); i++) {
      float[] w = floats(want.get(i).getAsJsonArray());
      for (int j = 0; j < w.length; j++) {
        assertEquals(w[j], y[i * w.length + j], 1e-5 * Math.abs(w[j]) + 1e-7, "output " + i + "," + j);
      }
    }
  }

  @Test
  void writingGivesTheBytesOfTheSafetensorsPackage() throws IOException {
    Path file = Goldens.path("safetensors/mlp.safetensors");
    var contents = SafeTensors.read(file, false);
    Sequential model = mlp();
    model.loadStateDict(contents.tensors());
    // the state in the module's order (0.weight first); the writer sorts as the reference does
    assertArrayEquals(Files.readAllBytes(file), SafeTensors.encode(model.stateDict(), contents.metadata()));
    Path out = dir.resolve("sub/model.safetensors");
    SafeTensors.save(model.stateDict(), out);
    Sequential again = mlp();
    again.loadStateDict(SafeTensors.load(out));
    assertArrayEquals(model.parameters().get(0).toFloatArray(), again.parameters().get(0).toFloatArray());
    assertEquals(List.of("model.safetensors"), Files.list(out.getParent()).map(p -> p.getFileName().toString())
        .toList(), "no temporary file left behind");
  }

  @Test
  void everyDtypeReadsAsFloat32Float64OrInt64() throws IOException {
    JsonObject golden = Goldens.json("safetensors/dtypes.json");
    Map<String, Tensor> t = SafeTensors.load(Goldens.path("safetensors/dtypes.safetensors"));
    assertEquals(golden.keySet(), t.keySet());
    for (Map.Entry<String, JsonElement> e : golden.entrySet()) {
      JsonObject g = e.getValue().getAsJsonObject();
      Tensor got = t.get(e.getKey());
      JsonArray shape = g.getAsJsonArray("shape");
      int[] s = new int[shape.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = shape.get(i).getAsInt();
      }
      assertArrayEquals(s, got.shape(), e.getKey());
      String dtype = g.get("dtype").getAsString();
      assertArrayEquals(floats(g.getAsJsonArray("values")), got.to(Tensor.DType.FLOAT32).toFloatArray(), 0f,
          e.getKey());
      boolean integer = !dtype.startsWith("F") && !dtype.equals("BF16");
      // F64 reads as float64 (load_file's dtype), the other floats as float32, the integers as int64
      assertEquals(integer ? Tensor.DType.INT64 : dtype.equals("F64") ? Tensor.DType.FLOAT64 : Tensor.DType.FLOAT32,
          got.dtype(), e.getKey());
    }
  }

  @Test
  void int64TensorsRoundTripAsI64() throws IOException {
    Map<String, Tensor> state = new LinkedHashMap<>();
    state.put("w", Tensor.of(1.5f, -2f));
    state.put("idx", Tensor.wrap(new float[] {3, 0, -7}, new int[] {3}, Tensor.DType.INT64));
    byte[] bytes = SafeTensors.encode(state, Map.of());
    String header = new String(bytes, 8, (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
        StandardCharsets.UTF_8);
    assertEquals("{\"idx\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}", header.strip());
    var back = SafeTensors.decode(bytes, "memory", false).tensors();
    assertEquals(Tensor.DType.INT64, back.get("idx").dtype());
    assertArrayEquals(new float[] {3, 0, -7}, back.get("idx").toFloatArray());
    assertArrayEquals(new float[] {1.5f, -2f}, back.get("w").toFloatArray());
  }

  @Test
  void lossyValuesAreRefusedUnlessRoundingIsAskedFor() throws IOException {
    Path lossy = Goldens.path("safetensors/lossy.safetensors");
    var e = assertThrows(IOException.class, () -> SafeTensors.load(lossy));
    assertTrue(e.getMessage().startsWith("SafeTensors.load: " + lossy + ": tensor 'big' (I64): element 0 = 16777217 is "
        + "outside ±2^24"), e.getMessage());
    // float64 0.1 is read as a float64 tensor, exactly, and rounds to float32 on request
    Map<String, Tensor> f64only = new LinkedHashMap<>();
    byte[] bytes = withF64(0.1, 0.25);
    Tensor exact = SafeTensors.decode(bytes, "w.safetensors", false).tensors().get("weight");
    assertEquals(Tensor.DType.FLOAT64, exact.dtype());
    assertArrayEquals(new double[] {0.1, 0.25}, exact.toDoubleArray(), 0.0);
    f64only.putAll(SafeTensors.decode(bytes, "w.safetensors", true).tensors());
    assertEquals(Tensor.DType.FLOAT32, f64only.get("weight").dtype());
    assertArrayEquals(new float[] {0.1f, 0.25f}, f64only.get("weight").toFloatArray());
  }

  /** The outside user's finding: save threw "not implemented for FLOAT64"; now F64, the bytes load_file reads. */
  @Test
  void float64TensorsRoundTripExactlyAsF64() throws IOException {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("w", Tensor.wrap(new double[] {0.1, -1.0 / 3, 1e-300}, 3));
    t.put("b", Tensor.of(1.5f, -2f));
    byte[] bytes = SafeTensors.encode(t, Map.of());
    String header = new String(bytes, 8, (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(),
        StandardCharsets.UTF_8);
    assertTrue(header.contains("\"w\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}"), header);
    var back = SafeTensors.decode(bytes, "memory", false).tensors();
    assertEquals(Tensor.DType.FLOAT64, back.get("w").dtype());
    assertArrayEquals(t.get("w").toDoubleArray(), back.get("w").toDoubleArray(), 0.0);
    assertArrayEquals(new float[] {1.5f, -2f}, back.get("b").toFloatArray());
  }

  /** A file with one F64 tensor "weight", written the way the Python script writes it. */
  static byte[] withF64(double... values) {
    String h = "{\"weight\":{\"dtype\":\"F64\",\"shape\":[" + values.length + "],\"data_offsets\":[0,"
        + 8 * values.length + "]}}";
    return file(h, values.length * 8, b -> {
      for (double v : values) {
        b.putDouble(v);
      }
    });
  }

  static byte[] file(String header, int dataBytes, java.util.function.Consumer<ByteBuffer> data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    data.accept(b);
    return b.array();
  }

  static String error(String header, int dataBytes) {
    byte[] bytes = file(header, dataBytes, b -> {});
    return assertThrows(IOException.class, () -> SafeTensors.decode(bytes, "f", false)).getMessage();
  }

  @Test
  void malformedFilesAreRefusedNamingTheProblem() {
    String f32 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    assertEquals("SafeTensors.load: f: tensor 'a' of dtype F32 and shape [2] needs 8 bytes, but its data_offsets "
        + "[0, 12] give 12", error("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 12));
    assertEquals("SafeTensors.load: f: the tensors cover 8 bytes of data, but the file holds 9",
        error(f32 + "}", 9));
    assertEquals("SafeTensors.load: f: the tensors cover 8 bytes of data, but the file holds 4 (truncated?)",
        error(f32 + "}", 4));
    assertEquals("SafeTensors.load: f: tensor 'b' starts at byte 4 of the data, overlapping the tensor before it "
        + "(expected 8)", error(f32 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
    assertEquals("SafeTensors.load: f: tensor 'a' has dtype F31, which is not a safetensors dtype",
        error("{\"a\":{\"dtype\":\"F31\",\"shape\":[],\"data_offsets\":[0,4]}}", 4));
    assertEquals("SafeTensors.load: f: tensor 'a' (U16): dtype U16 is not supported (Adjoint reads F32, F64, F16, "
        + "BF16, I64, I32, I16, I8, U8 and BOOL)", error("{\"a\":{\"dtype\":\"U16\",\"shape\":[],\"data_offsets\":[0,2]}}", 2));
    assertEquals("SafeTensors.load: f: tensor 'a' has an unknown field 'stride' (expected dtype, shape, data_offsets)",
        error("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"stride\":[],\"data_offsets\":[0,4]}}", 4));
    assertEquals("SafeTensors.load: f: malformed header: duplicate key \"a\" at character 54",
        error(f32 + "," + f32.substring(1) + "}", 8));
    assertEquals("SafeTensors.load: f: malformed header: unexpected '-' at character 29",
        error("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8));
    assertEquals("SafeTensors.load: f: __metadata__ value 'n' is not a string",
        error("{\"__metadata__\":{\"n\":3}}", 0));
    byte[] text = "hello, this is not a safetensors file".getBytes(StandardCharsets.UTF_8);
    var e = assertThrows(IOException.class, () -> SafeTensors.decode(text, "notes.txt", false));
    assertTrue(e.getMessage().startsWith("SafeTensors.load: notes.txt: not a safetensors file: the first 8 bytes give a "
        + "header length of "), e.getMessage());
  }

  @Test
  void nonStrictLoadingReturnsTheKeysItSkippedAsPyTorch() throws IOException {
    Map<String, Tensor> state = new LinkedHashMap<>(SafeTensors.load(Goldens.path("safetensors/mlp.safetensors")));
    state.remove("2.bias");
    state.put("3.weight", Tensor.of(1f));
    state.put("extra", Tensor.of(2f));
    Sequential model = mlp();
    float[] bias2 = model.stateDict().get("2.bias").toFloatArray();
    var e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
    assertEquals("loadStateDict: Error(s) in loading state_dict for Sequential:\n"
        + "\tMissing key(s) in state_dict: \"2.bias\".\n"
        + "\tUnexpected key(s) in state_dict: \"3.weight\", \"extra\".", e.getMessage());
    var skipped = model.loadStateDict(state, false);
    assertEquals(List.of("2.bias"), skipped.missingKeys());
    assertEquals(List.of("3.weight", "extra"), skipped.unexpectedKeys());
    assertArrayEquals(state.get("0.weight").toFloatArray(), model.stateDict().get("0.weight").toFloatArray());
    assertArrayEquals(bias2, model.stateDict().get("2.bias").toFloatArray(), "a missing key keeps its value");
    state.put("0.bias", Tensor.of(1f, 2f));
    var e2 = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, false));
    assertEquals("loadStateDict: Error(s) in loading state_dict for Sequential:\n"
        + "\tsize mismatch for 0.bias: copying a param with shape [2] from checkpoint, the shape in current model "
        + "is [3].", e2.getMessage(), "a shape mismatch is an error even when not strict");
  }
}
