package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDictTest {
  @TempDir Path dir;

  private static Sequential net(long seed) {
    Generator g = new Generator(seed);
    return new Sequential(new Linear(6, 4, true, g), new ReLU(), new Linear(4, 3, true, g));
  }

  @Test
  void roundTripRestoresEveryParameterExactly() throws IOException {
    Sequential a = net(1);
    Sequential b = net(2);
    Path file = dir.resolve("model.state");
    a.save(file);
    b.load(file);
    for (String name : a.namedParameters().keySet()) {
      assertArrayEquals(a.namedParameters().get(name).toFloatArray(), b.namedParameters().get(name).toFloatArray(),
          name);
      assertTrue(b.namedParameters().get(name).requiresGrad());
    }
    Map<String, Tensor> raw = StateDict.load(file);
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(raw.keySet()));
    // only the target remains: the temporary file was renamed over it
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void savingAgainReplacesTheFile() throws IOException {
    Path file = dir.resolve("m.state");
    net(1).save(file);
    Sequential c = net(3);
    c.save(file);
    Sequential d = net(4);
    d.load(file);
    assertArrayEquals(c.parameters().get(0).toFloatArray(), d.parameters().get(0).toFloatArray());
  }

  @Test
  void theFormatIsAsDocumented() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    s.put("w", Tensor.of(1f, 2f));
    byte[] bytes = StateDict.encode(s);
    // 16 header + (2 + 1 name + 1 dtype + 1 ndim + 4 size + 8 data) + 4 crc
    assertEquals(16 + 17 + 4, bytes.length);
    assertEquals("ADJSTATE", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
    assertArrayEquals(new byte[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 'w', 0, 1, 2, 0, 0, 0},
        Arrays.copyOfRange(bytes, 8, 25));
  }

  @Test
  void aFlippedByteFailsTheChecksum() throws IOException {
    Path file = dir.resolve("m.state");
    net(1).save(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);
    var e = assertThrows(IOException.class, () -> net(2).load(file));
    assertTrue(e.getMessage().startsWith("StateDict.load: " + file + ": checksum mismatch (the file says "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("the file is corrupt or truncated"), e.getMessage());
  }

  @Test
  void aTruncatedFileIsReported() throws IOException {
    Path file = dir.resolve("m.state");
    net(1).save(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
    var e = assertThrows(IOException.class, () -> StateDict.load(file));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    Files.write(file, Arrays.copyOf(bytes, 10));
    var e2 = assertThrows(IOException.class, () -> StateDict.load(file));
    assertEquals("StateDict.load: " + file + ": file is truncated: 10 bytes, an Adjoint state file has at least 20",
        e2.getMessage());
  }

  @Test
  void anotherFileTypeIsNamed() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "hello, this is not a model file");
    var e = assertThrows(IOException.class, () -> StateDict.load(file));
    assertEquals("StateDict.load: " + file + ": not an Adjoint state file (expected the magic bytes \"ADJSTATE\", "
        + "found \"hello, t\")", e.getMessage());
  }

  @Test
  void shapeMismatchAndMissingKeysAreListedAndNothingChanges() throws IOException {
    Path file = dir.resolve("m.state");
    net(1).save(file);
    Generator g = new Generator(5);
    Sequential other = new Sequential(new Linear(6, 5, true, g), new ReLU(), new Linear(5, 3, true, g), new ReLU(),
        new Linear(3, 1, true, g));
    float[] before = other.parameters().get(0).toFloatArray();
    var e = assertThrows(IllegalArgumentException.class, () -> other.load(file));
    assertEquals("loadStateDict: Error(s) in loading state_dict for Sequential:\n"
        + "\tMissing key(s) in state_dict: \"4.weight\", \"4.bias\".\n"
        + "\tsize mismatch for 0.weight: copying a param with shape [4, 6] from checkpoint, the shape in current "
        + "model is [5, 6].\n"
        + "\tsize mismatch for 0.bias: copying a param with shape [4] from checkpoint, the shape in current model "
        + "is [5].\n"
        + "\tsize mismatch for 2.weight: copying a param with shape [3, 4] from checkpoint, the shape in current "
        + "model is [3, 5].", e.getMessage());
    assertArrayEquals(before, other.parameters().get(0).toFloatArray());
  }

  @Test
  void readsTheFileWrittenByThePyTorchScript() throws IOException {
    Map<String, Tensor> s = StateDict.load(Goldens.path("fashion_mlp_init.state"));
    assertArrayEquals(new int[] {512, 784}, s.get("linear_relu_stack.0.weight").shape());
    // PyTorch's init bound for fan_in 784
    for (float v : s.get("linear_relu_stack.0.weight").storage()) {
      assertTrue(Math.abs(v) <= 1 / Math.sqrt(784));
    }
  }
}
