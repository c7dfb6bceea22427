package dev.adjoint.shape;

import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The checks the processor leaves to run time: a size equation that {@code @Shape}s state symbolically
 * ({@code N = 784}) is tested once at the entry of the generated method, naming the user's line.
 */
public final class ShapeGuard {
  private ShapeGuard() {}

  /**
   * Throws unless {@code ok}.
   *
   * @param ok the equation's value on the actual sizes
   * @param where the user's file, line and statement, with the equation and the declared shapes
   * @param names the inputs the equation reads, as {@code name: tensor} pairs
   * @throws IllegalArgumentException naming {@code where} and the actual shapes
   */
  public static void require(boolean ok, String where, Object... names) {
    if (ok) {
      return;
    }
    List<String> actual = new ArrayList<>();
    for (int i = 0; i + 1 < names.length; i += 2) {
      Tensor t = (Tensor) names[i + 1];
      actual.add(names[i] + " has shape " + Arrays.toString(t.shape()));
    }
    throw new IllegalArgumentException(where + ", but " + String.join(", ", actual));
  }
}
