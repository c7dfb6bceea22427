package dev.adjoint.samples.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor;
import dev.adjoint.samples.Goldens;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Newton-CG sample against the same program in PyTorch 1.13 ({@code newton_cg.py} →
 * {@code goldens/newton_cg.json}): every Newton step's loss, gradient norm and CG iteration count, and the
 * final weights. Hessian-vector products come from double backward on both sides.
 */
class NewtonCgSampleTest {
  private static final JsonObject GOLDEN = Goldens.load("newton_cg");

  @Test
  void stepsAndSolutionAreThoseOfPyTorch() {
    Tensor[] xy = NewtonCgSample.data();
    Tensor[] w = new Tensor[1];
    List<NewtonCgSample.Step> steps = NewtonCgSample.solve(xy[0], xy[1], w);
    JsonArray expected = GOLDEN.getAsJsonArray("steps");
    assertEquals(expected.size(), steps.size());
    for (int k = 0; k < steps.size(); k++) {
      JsonObject e = expected.get(k).getAsJsonObject();
      NewtonCgSample.Step s = steps.get(k);
      double loss = e.get("loss").getAsDouble();
      assertEquals(loss, s.loss(), 1e-5 * loss, "loss at step " + k);
      double norm = e.get("grad_norm").getAsDouble();
      // near the optimum the gradient is float32 noise on both sides
      assertEquals(norm, s.gradNorm(), 1e-4 * norm + 2e-6, "gradient norm at step " + k);
      if (norm > 1e-4) {
        assertEquals(e.get("cg").getAsInt(), s.cgIterations(), "CG iterations at step " + k);
      }
    }
    assertArrayEquals(Goldens.floats(GOLDEN.get("w")), w[0].toFloatArray(), 1e-4f);
    assertEquals(GOLDEN.get("final_loss").getAsDouble(), NewtonCgSample.loss(xy[0], xy[1], w[0]).item(), 1e-6);
  }
}
