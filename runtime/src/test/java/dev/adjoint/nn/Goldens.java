package dev.adjoint.nn;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test resources written by {@code runtime/src/test/python/nn_goldens.py}. */
public final class Goldens {
  private Goldens() {}

  /** The path of a file under {@code src/test/resources/goldens}. */
  public static Path path(String name) {
    try {
      return Path.of(Goldens.class.getResource("/goldens/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing golden " + name + "; run runtime/src/test/python/nn_goldens.py", e);
    }
  }

  /** A JSON golden. */
  public static JsonObject json(String name) {
    try {
      return JsonParser.parseString(Files.readString(path(name))).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first 1280 training and 1000 test images of FashionMNIST, in IDX format. */
  public static Path miniFashionMnist() {
    return path("fashion-mnist-mini");
  }
}
