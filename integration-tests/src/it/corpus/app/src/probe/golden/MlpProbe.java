package golden;

import dev.adjoint.Adjoint;
import dev.adjoint.Tensor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the generated forms of the golden Mlp, whose Block field comes from the lib jar, bit for bit. */
public final class MlpProbe {
  private MlpProbe() {}

  public static String run() throws ReflectiveOperationException {
    Adjoint.manualSeed(17);
    List<String> out = new ArrayList<>();
    Mlp net = new Mlp(3, 4, 2);
    Tensor batch = Tensor.of(new float[][] {{0.5f, -1f, 2f}, {1f, 0.25f, -0.75f}});
    MlpDiff.ForwardPullback pullback = MlpDiff.forwardPullback(net, batch);
    print(out, "forward", pullback.value());
    print(out, "gradient", pullback.backward(Tensor.onesLike(pullback.value())));
    Tensor y = MlpDiff.forward(net, batch).sum();
    y.backward();
    for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
      out.add("parameter " + p.getKey() + " " + bits(p.getValue()) + " grad " + bits(p.getValue().grad()));
    }
    return String.join("\n", out);
  }

  static void print(List<String> out, String label, Object value) throws ReflectiveOperationException {
    if (value instanceof Record r) {
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        print(out, label + "." + c.getName(), c.getAccessor().invoke(r));
      }
    } else if (value instanceof Tensor t) {
      out.add(label + " " + bits(t));
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
