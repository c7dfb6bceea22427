package dev.adjoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the PyTorch goldens under {@code src/test/resources/goldens/}, written by
 * {@code src/test/python/make_goldens.py} (see its header for how to rerun it).
 */
final class Goldens {
  private Goldens() {}

  /** The parsed JSON of {@code goldens/<name>}. */
  static JsonObject load(String name) {
    String path = "/goldens/" + name;
    try (InputStream in = Goldens.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing golden " + path + ": run runtime/src/test/python/make_goldens.py");
      }
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tensor written by the script's {@code tj}: exact float32 (or float64) values, shape and dtype. */
  static Tensor tensor(JsonElement e) {
    JsonObject o = e.getAsJsonObject();
    int[] shape = ints(o.getAsJsonArray("shape"));
    JsonArray data = o.getAsJsonArray("data");
    if (o.get("dtype").getAsString().equals("float64")) {
      double[] v = new double[data.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = data.get(i).getAsDouble();
      }
      return Tensor.wrap(v, shape);
    }
    float[] d = new float[data.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) data.get(i).getAsDouble();
    }
    Tensor.DType dtype = switch (o.get("dtype").getAsString()) {
      case "int64" -> Tensor.DType.INT64;
      case "bool" -> Tensor.DType.BOOL;
      default -> Tensor.DType.FLOAT32;
    };
    return Tensor.wrap(d, shape, dtype);
  }

  static int[] ints(JsonArray a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).getAsInt();
    }
    return r;
  }

  /** PyTorch's str() with the Java names: the only differences the formatter is allowed. */
  static String javaNames(String torchStr) {
    return torchStr.replace("requires_grad=True", "requiresGrad=true").replace("grad_fn=<", "gradFn=<");
  }
}
