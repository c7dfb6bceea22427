package app;

import dev.adjoint.Tensor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs every generated form of the application and prints each value and gradient bit for bit. */
public final class Probe {
  private Probe() {}

  public static String run() throws ReflectiveOperationException {
    List<String> out = new ArrayList<>();
    Tensor x = Tensor.of(0.5f, -1.25f, 2f);
    Tensor w = Tensor.of(1.5f, 0.75f, -0.5f);
    Tensor b = Tensor.of(0.25f);
    print(out, "loss", FnsDiff.lossValueAndGrad(x, w, b));
    print(out, "f", FnsDiff.fValueAndGrad(0.75, -0.5));
    print(out, "fGrad", FnsDiff.fGrad(0.75, -0.5));
    print(out, "unrolled", FnsDiff.unrolledValueAndGrad(x, w, b, 3));
    Net net = new Net();
    Tensor batch = Tensor.of(new float[][] {{0.5f, -1f, 2f}, {1f, 0.25f, -0.75f}});
    print(out, "net", NetDiff.forwardValueAndGrad(net, batch));
    // the tracked forward: one node, loss.backward() reaches every parameter across the jars
    Tensor y = NetDiff.forward(net, batch);
    y.backward();
    for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
      out.add("parameter " + p.getKey() + " " + bits(p.getValue()) + " grad " + bits(p.getValue().grad()));
    }
    out.add("affine.w grad " + bits(net.affine.w().grad()));
    return String.join("\n", out);
  }

  private static void print(List<String> out, String label, Object value) throws ReflectiveOperationException {
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

  private static String bits(Tensor t) {
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
