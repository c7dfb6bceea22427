package dev.adjoint.spark;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/** A small classifier (8 → 16 → ReLU → 3) and synthetic data for it: fast enough for many Spark jobs per test. */
final class TinyNet extends Module {
  static final int IN = 8;
  static final int CLASSES = 3;

  private final Sequential layers = registerModule("layers",
      new Sequential(new Linear(IN, 16), new ReLU(), new Linear(16, CLASSES)));

  @Override
  public Tensor forward(Tensor x) {
    return layers.forward(x);
  }

  /** {@code n} samples whose class is the largest of three fixed projections of the input, plus noise. */
  static List<Sample> data(int n, long seed) {
    Generator g = new Generator(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = new float[IN];
      for (int j = 0; j < IN; j++) {
        x[j] = (float) g.nextGaussian();
      }
      float a = x[0] + x[1] - x[2];
      float b = x[3] - x[4] + 0.5f * x[5];
      float c = x[6] + x[7] - x[0];
      int label = a >= b && a >= c ? 0 : b >= c ? 1 : 2;
      out.add(Sample.of(x, label));
    }
    return out;
  }
}
