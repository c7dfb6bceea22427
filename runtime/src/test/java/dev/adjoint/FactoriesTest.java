package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor.DType;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The first-week factories {@code Tensor.eye} and {@code Tensor.linspace} against PyTorch 1.13 (goldens/factories.json,
 * from factory_goldens.py): shape, dtype and values to a few units in the last place of the bounds (PyTorch's
 * vectorised kernel rounds its steps its own way); their argument errors; and {@code Tensor.of(double...)} being float32 as {@code torch.tensor}.
 */
class FactoriesTest {

  @TestFactory
  Stream<DynamicTest> eyeLinspaceAndLogspaceMatchPyTorch() {
    JsonArray cases = Goldens.load("factories.json").getAsJsonArray("cases");
    return StreamSupport.stream(cases.spliterator(), false).map(JsonElement::getAsJsonObject)
        .map(c -> DynamicTest.dynamicTest(c.get("op").getAsString() + c.get("args") + " "
            + c.getAsJsonObject("out").get("dtype").getAsString(), () -> check(c)));
  }

  private static void check(JsonObject c) {
    JsonArray a = c.getAsJsonArray("args");
    Tensor expected = Goldens.tensor(c.get("out"));
    DType dtype = expected.dtype();
    String op = c.get("op").getAsString();
    Tensor actual = op.equals("eye") ? Tensor.eye(a.get(0).getAsInt(), a.get(1).getAsInt(), dtype)
        : op.equals("logspace") ? Tensor.logspace(a.get(0).getAsDouble(), a.get(1).getAsDouble(), a.get(2).getAsInt(),
            a.get(3).getAsDouble(), dtype)
        : Tensor.linspace(a.get(0).getAsDouble(), a.get(1).getAsDouble(), a.get(2).getAsInt(), dtype);
    assertEquals(dtype, actual.dtype());
    assertArrayEquals(expected.shape(), actual.shape());
    double[] e = expected.toDoubleArray();
    double[] v = actual.toDoubleArray();
    if (op.equals("logspace")) {
      // base^x: an exponent rounded to a few units in its last place moves the value by that, relative (times ln base)
      double rel = 16 * (dtype == DType.FLOAT64 ? 0x1p-52 : 0x1p-23);
      for (int i = 0; i < e.length; i++) {
        assertEquals(e[i], v[i], rel * Math.abs(e[i]), "element " + i);
      }
      return;
    }
    // PyTorch's vectorised linspace rounds differently from element to element (0 comes out as -3e-8 in float32,
    // 6e-17 in float64): a few units in the last place of the larger bound
    double scale = c.get("op").getAsString().equals("eye") ? 0
        : Math.max(Math.abs(a.get(0).getAsDouble()), Math.abs(a.get(1).getAsDouble()));
    double tol = 4 * (dtype == DType.FLOAT64 ? Math.ulp(scale) : Math.ulp((float) scale));
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], v[i], tol, "element " + i);
    }
    if (c.get("op").getAsString().equals("linspace") && e.length > 1) {
      assertEquals(a.get(1).getAsDouble(), v[v.length - 1], dtype == DType.FLOAT64 ? 0 : Math.ulp((float) scale),
          "the last value is end");
    }
  }

  @Test
  void theDefaultFormsAreFloat32AndCarryNoGradient() {
    Tensor eye = Tensor.eye(3);
    assertEquals(DType.FLOAT32, eye.dtype());
    assertArrayEquals(new int[] {3, 3}, eye.shape());
    assertEquals(3.0, eye.sum().itemDouble());
    assertFalse(eye.requiresGrad());
    assertEquals(DType.FLOAT32, Tensor.eye(2, 5).dtype());
    Tensor l = Tensor.linspace(-1, 1, 5);
    assertEquals(DType.FLOAT32, l.dtype());
    assertFalse(l.requiresGrad());
  }

  @Test
  void argumentErrorsNameTheOperation() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.eye(-1, 2)).getMessage().startsWith("eye:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -2)).getMessage()
        .startsWith("linspace:"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, 3, DType.INT64))
        .getMessage().contains("linspace"));
  }

  @Test
  void ofDoublesIsFloat32AsTorchTensor() {
    Tensor t = Tensor.of(0.1, 0.2);
    assertEquals(DType.FLOAT32, t.dtype());
    assertEquals((double) 0.1f, t.getDouble(0));
    assertEquals(0.1, Tensor.of(DType.FLOAT64, 0.1, 0.2).getDouble(0));
  }
}
