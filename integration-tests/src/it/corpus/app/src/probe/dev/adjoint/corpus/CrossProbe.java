package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the generated forms of CrossClass (which calls the lib jar's ScalarCorpus and TensorCorpus) and of the lib
 * jar's TensorCorpus.thermometerLoss (which calls the base jar's Thermometer), bit for bit.
 */
public final class CrossProbe {
  private CrossProbe() {}

  public static String run() throws ReflectiveOperationException {
    List<String> out = new ArrayList<>();
    Tensor x = Tensor.of(new float[][] {{0.5f, -1.25f, 2f}, {1f, 0.25f, -0.75f}});
    Tensor w = Tensor.of(new float[][] {{1.5f, 0.75f}, {-0.5f, 0.25f}, {2f, -1f}});
    Tensor b = Tensor.of(0.25f, -0.5f);
    print(out, "scaledAffine", CrossClassDiff.scaledAffineValueAndGrad(x, w, b, 0.75));
    print(out, "reservedNames", CrossClassDiff.reservedNamesValueAndGrad(Tensor.of(0.5f, -1f), Tensor.of(2f, 3f),
        1.5));
    Tensor tU = Tensor.of(35.7f, 55.9f, 58.2f);
    Tensor tC = Tensor.of(0.5f, 14f, 15f);
    print(out, "thermometerLoss", TensorCorpusDiff.thermometerLossValueAndGrad(tU, tC, Tensor.of(0.25f),
        Tensor.of(-1f)));
    Tensor xs = x.requiresGrad(true);
    Tensor y = CrossClassDiff.scaledAffine(xs, w.requiresGrad(true), b.requiresGrad(true), 0.75).sum();
    y.backward();
    out.add("tracked " + bits(y) + " x.grad " + bits(xs.grad()) + " w.grad " + bits(w.grad()));
    return String.join("\n", out);
  }

  static void print(List<String> out, String label, Object value) throws ReflectiveOperationException {
    if (value instanceof Record r) {
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        print(out, label + "." + c.getName(), c.getAccessor().invoke(r));
      }
    } else if (value instanceof Tensor t) {
      out.add(label + " " + bits(t));
    } else if (value instanceof Double d) {
      out.add(label + " " + Long.toHexString(Double.doubleToLongBits(d)) + " (" + d + ")");
    } else {
      out.add(label + " " + value);
    }
  }

  static String bits(Tensor t) {
    if (t == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(java.util.Arrays.toString(t.shape()));
    for (float v : t.toFloatArray()) {
      sb.append(' ').append(Integer.toHexString(Float.floatToIntBits(v)));
    }
    return sb.append(" (").append(t).append(')').toString();
  }
}
