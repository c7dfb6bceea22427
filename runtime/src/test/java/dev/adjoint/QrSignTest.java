package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.gson.JsonObject;
import dev.adjoint.linalg.Linalg;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code Linalg.qr} returns PyTorch's Q and R themselves, signs included (qr_signs.json, from
 * qr_sign_goldens.py). The linalg goldens compare a sign-invariant loss, so they could not see that the last
 * column of a square matrix came out reflected: LAPACK leaves a column with nothing below the diagonal alone,
 * EJML reflects it (found from outside on a 3×3).
 */
class QrSignTest {
  @TestFactory
  Stream<DynamicTest> qAndRAreLapacks() {
    JsonObject cases = Goldens.load("qr_signs.json");
    return cases.entrySet().stream().map((Map.Entry<String, com.google.gson.JsonElement> e) ->
        DynamicTest.dynamicTest(e.getKey(), () -> {
          JsonObject c = e.getValue().getAsJsonObject();
          Linalg.Qr qr = Linalg.qr(Goldens.tensor(c.get("a")));
          assertArrayEquals(Goldens.tensor(c.get("q")).toDoubleArray(), qr.q().toDoubleArray(), 1e-12, "Q");
          assertArrayEquals(Goldens.tensor(c.get("r")).toDoubleArray(), qr.r().toDoubleArray(), 1e-12, "R");
        }));
  }
}
