package dev.adjoint.samples;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch values exported by {@code src/test/python/export_goldens.py} into
 * {@code src/test/resources/goldens/}.
 */
public final class Goldens {
  private Goldens() {}

  /** {@code goldens/<name>.json} from the test class path. */
  public static JsonObject load(String name) {
    String path = "/goldens/" + name + ".json";
    try (InputStream in = Goldens.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path
            + "; regenerate it with /usr/bin/python3 samples/src/test/python/export_goldens.py");
      }
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON array of strings. */
  public static List<String> strings(JsonElement array) {
    List<String> out = new ArrayList<>();
    array.getAsJsonArray().forEach(e -> out.add(e.getAsString()));
    return out;
  }

  /** A JSON array of numbers as float32. */
  public static float[] floats(JsonElement array) {
    var a = array.getAsJsonArray();
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsFloat();
    }
    return out;
  }

  /** PyTorch's {@code str(tensor)} spelled as Adjoint's {@code toString()}. */
  public static String javaSpelling(String pytorch) {
    return pytorch.replace("requires_grad=True", "requiresGrad=true").replace("grad_fn=", "gradFn=");
  }
}
