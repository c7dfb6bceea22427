package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.Dataset;
import dev.adjoint.data.Example;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.StateDict;
import dev.adjoint.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The single-JVM reference: the same samples through the runtime's own {@link DataLoader}, optimizer and model. */
final class SingleJvm {
  private SingleJvm() {}

  /** {@code samples} as a runtime dataset: inputs of {@code shape}, class-index targets. */
  static Dataset dataset(List<Sample> samples, int... shape) {
    return new Dataset() {
      @Override
      public int size() {
        return samples.size();
      }

      @Override
      public Example get(int i) {
        Sample s = samples.get(i);
        return new Example(Tensor.wrap(s.x().clone(), shape), Tensor.wrap(new float[] {s.y()[0]}, new int[0],
            Tensor.DType.INT64));
      }
    };
  }

  /** A deep copy of a module's state (the trainer's initial parameters, for the reference). */
  static Map<String, Tensor> copy(Map<String, Tensor> state) {
    try {
      return StateDict.decode(StateDict.encode(state), "copy");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Trains {@code model} for {@code steps} steps of {@code DataLoader(data, batch, shuffle, new Generator(seed))}. */
  static void train(Module model, Optimizer opt, Dataset data, int batch, long seed, int steps,
      dev.adjoint.spark.LossFunction loss) {
    var loader = new DataLoader(data, batch, true, new Generator(seed), false);
    int done = 0;
    while (done < steps) {
      for (Batch b : loader) {
        if (done == steps) {
          return;
        }
        opt.zeroGrad();
        loss.apply(model.forward(b.x()), b.y()).backward();
        opt.step();
        done++;
      }
    }
  }

  /** The first batch of {@code DataLoader(data, batch, shuffle, new Generator(seed))}. */
  static Batch firstBatch(Dataset data, int batch, long seed) {
    return new DataLoader(data, batch, true, new Generator(seed), false).iterator().next();
  }

  /** Every parameter's values (or gradients) as arrays, in {@code parameters()} order. */
  static List<float[]> values(Module m, boolean grads) {
    List<float[]> out = new ArrayList<>();
    for (Tensor p : m.parameters()) {
      out.add(grads ? p.grad().toFloatArray() : p.toFloatArray());
    }
    return out;
  }

  /** Asserts {@code max|a - b| <= rel * max|b|} for each array. */
  static void assertClose(List<float[]> expected, List<float[]> actual, double rel) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      float[] e = expected.get(i);
      float[] a = actual.get(i);
      assertEquals(e.length, a.length);
      double scale = 0;
      double diff = 0;
      for (int j = 0; j < e.length; j++) {
        scale = Math.max(scale, Math.abs(e[j]));
        diff = Math.max(diff, Math.abs(e[j] - a[j]));
      }
      assertTrue(scale > 0, "array " + i + " is all zeros: the comparison would prove nothing");
      assertTrue(diff <= rel * scale, "array " + i + ": max difference " + diff + " exceeds " + rel + " × " + scale);
    }
  }

  /** Asserts the arrays are equal bit for bit. */
  static void assertBitIdentical(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertTrue(Arrays.equals(expected.get(i), actual.get(i)), "array " + i + " differs");
    }
  }
}
