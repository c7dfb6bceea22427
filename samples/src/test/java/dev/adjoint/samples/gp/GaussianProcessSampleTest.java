package dev.adjoint.samples.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.samples.Goldens;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GP sample prints PyTorch's numbers (gp_regression.py → goldens/gp_regression.json), to 1e-8 relative. */
class GaussianProcessSampleTest {
  private static final double RTOL = 1e-8;

  private static void close(double want, double got, String what) {
    assertTrue(Math.abs(want - got) <= RTOL * Math.abs(want), what + ": PyTorch " + want + ", ours " + got);
  }

  @Test
  void fittedHyperparametersAndLikelihoodEqualPyTorch() {
    JsonObject g = Goldens.load("gp_regression");
    JsonArray xs = g.getAsJsonArray("testX");
    double[] testX = new double[xs.size()];
    for (int i = 0; i < testX.length; i++) {
      testX[i] = xs.get(i).getAsDouble();
    }
    GaussianProcessSample.Result r = GaussianProcessSample.fit(testX);
    close(g.get("lengthscale").getAsDouble(), r.lengthscale(), "lengthscale");
    close(g.get("signalStd").getAsDouble(), r.signalStd(), "signal std");
    close(g.get("noiseStd").getAsDouble(), r.noiseStd(), "noise std");
    close(g.get("logMarginalLikelihood").getAsDouble(), r.logMarginalLikelihood(), "log marginal likelihood");
    for (int i = 0; i < testX.length; i++) {
      close(g.getAsJsonArray("mean").get(i).getAsDouble(), r.mean()[i], "posterior mean at " + testX[i]);
      close(g.getAsJsonArray("std").get(i).getAsDouble(), r.std()[i], "posterior std at " + testX[i]);
    }
  }

  @Test
  void theGeneratedLikelihoodPassesGradcheck() {
    double[][] xy = GaussianProcessSample.data();
    Tensor x = Tensor.of(DType.FLOAT64, xy[0]).slice(0, 0, 8);
    Tensor sqDist = x.unsqueeze(1).sub(x.unsqueeze(0)).square();
    Tensor y = Tensor.of(DType.FLOAT64, xy[1]).slice(0, 0, 8).reshape(8, 1);
    Tensor eye = GaussianProcessSample.eye(8);
    assertTrue(Autograd.gradcheck(p -> GaussianProcessDiff.negLogMarginalLikelihood(p[0], p[1], p[2], sqDist, eye, y),
        Tensor.scalar(0.3, DType.FLOAT64).requiresGrad(true), Tensor.scalar(0.1, DType.FLOAT64).requiresGrad(true),
        Tensor.scalar(-1.0, DType.FLOAT64).requiresGrad(true)));
  }

  @Test
  void mainWritesThePlot(@TempDir Path dir) throws Exception {
    GaussianProcessSample.main(new String[] {dir.toString()});
    Path png = dir.resolve("gp_posterior.png");
    assertTrue(Files.size(png) > 10_000, "the plot has content");
    assertEquals("PNG", new String(Files.readAllBytes(png), 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
  }
}
