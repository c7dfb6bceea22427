package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Tensor#toString()} against PyTorch's {@code str()} of the tensors in goldens/format.json:
 * 0-D, 1-D, 2-D, 3-D, int-valued floats, scientific mode, negatives, non-finite values, summarised
 * tensors above 1000 elements, INT64 index tensors, empty tensors, requiresGrad and gradFn suffixes.
 * The only allowed differences are the Java names {@code requiresGrad=true} and {@code gradFn=<X>}.
 * 120 "fuzz" cases (random scales 1e-6..1e9, shapes, rounding, zeros) probe the mode and width choice.
 */
class TensorFormatterTest {

  @TestFactory
  List<DynamicTest> matchesPyTorchStr() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : Goldens.load("format.json").getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("id").getAsString(), () -> {
        Tensor t = Goldens.tensor(c.get("tensor"));
        if (c.has("op")) {
          t.requiresGrad(true);
          t = switch (c.get("op").getAsString()) {
            case "mul2" -> t.mul(2.0);
            case "add1" -> t.add(1.0);
            case "mean" -> t.mean();
            default -> throw new AssertionError(c.get("op"));
          };
        } else if (c.get("requiresGrad").getAsBoolean()) {
          t.requiresGrad(true);
        }
        assertEquals(Goldens.javaNames(c.get("str").getAsString()), t.toString());
      }));
    }
    assertTrue(tests.size() >= 30, "format.json holds the cases");
    return tests;
  }

  @Test
  void gradFnWinsOverRequiresGrad() {
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    assertEquals("tensor([1., 2.], requiresGrad=true)", x.toString());
    assertEquals("tensor([2., 4.], gradFn=<MulBackward0>)", x.mul(2.0).toString());
    assertEquals("tensor([3., 4.], gradFn=<AddBackward0>)", x.add(Tensor.of(2f, 2f)).toString());
  }

  @Test
  void detachedAndNoGradResultsPrintNoSuffix() {
    Tensor x = Tensor.of(0.5f, -1f).requiresGrad(true);
    assertEquals("tensor([ 0.5000, -1.0000])", x.detach().toString());
    try (var g = Autograd.noGrad()) {
      assertEquals("tensor([1.5000, 0.0000])", x.add(1.0).toString());
    }
  }
}
