package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor.DType;
import dev.adjoint.autograd.Grads;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every rule golden case (rules.json, indexing.json, layers.json: the {@link RuleGradientTest} table) run on
 * float64 tensors against PyTorch 1.13 in float64 ({@code f64_rule_goldens.py} → goldens/rules_f64.json):
 * the same inputs and upstream, widened exactly. The result and every gradient must be FLOAT64 and equal
 * PyTorch's to 1e-8 relative to the tensor's largest magnitude, so an op without a float64 path (it throws)
 * or one that computes in float32 (an error near 1e-7) fails; the node keeps PyTorch's name.
 */
class Float64RuleGoldenTest {
  static final double RTOL = 1e-8;

  static List<JsonObject> cases() {
    List<JsonObject> l = new ArrayList<>();
    for (JsonElement e : Goldens.load("rules_f64.json").getAsJsonArray("cases")) {
      l.add(e.getAsJsonObject());
    }
    return l;
  }

  @TestFactory
  Stream<DynamicTest> everyRuleCaseMatchesPyTorchInFloat64() {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("id").getAsString() + " "
        + c.get("call").getAsString(), () -> check(c)));
  }

  /** The float64 file covers every case of the float32 ones and every op of the rule table. */
  @Test
  void everyRuleTableOpHasFloat64Cases() {
    Set<String> f64 = new TreeSet<>();
    Set<String> ids = new TreeSet<>();
    for (JsonObject c : cases()) {
      f64.add(c.get("call").getAsString());
      ids.add(c.get("id").getAsString());
    }
    assertEquals(RuleGradientTest.goldens().keySet(), ids, "the float64 goldens are the float32 cases");
    for (RuleGradientTest.RuleSpec spec : RuleGradientTest.TABLE) {
      assertTrue(f64.contains(spec.op()), spec.op() + " has float64 cases");
    }
    Set<String> missing = new TreeSet<>(RuleGradientTest.primitives().keySet());
    missing.removeAll(f64);
    missing.removeAll(Float64Rows.CHECKED_THERE);
    assertEquals(Set.of(), missing, "@Primitive operations without a float64 golden case");
  }

  /** inplace.json's in-place cases in float64: result, node, and the gradients of self and the operand. */
  @TestFactory
  Stream<DynamicTest> everyInPlaceOpMatchesPyTorchInFloat64() {
    JsonObject ops = Goldens.load("rules_f64.json").getAsJsonObject("inplace");
    assertEquals(InPlaceGoldenTest.G.getAsJsonObject("ops").keySet(), ops.keySet(), "every in-place case");
    return ops.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
      JsonObject o = c.getValue().getAsJsonObject();
      boolean selfGrad = o.get("self_requires_grad").getAsBoolean();
      Tensor x = Goldens.tensor(o.get("self")).requiresGrad(selfGrad);
      Tensor w0 = InPlaceGoldenTest.tensorOrNull(o, "operand");
      Tensor w = w0 == null ? null : w0.requiresGrad(true);
      List<Double> p = new ArrayList<>();
      o.getAsJsonArray("params").forEach(e -> p.add(e.getAsDouble()));
      Tensor t = selfGrad ? InPlaceGoldenTest.cloneOf(x) : x;
      Tensor r = InPlaceGoldenTest.call(o.get("method").getAsString(), t, w, p);
      assertTrue(r == t, "returns this");
      assertEquals(o.get("grad_fn").getAsString(), t.gradFn().name());
      close(Goldens.tensor(o.get("out")), t, "out");
      t.backward(Goldens.tensor(o.get("upstream")));
      Tensor selfGradGolden = InPlaceGoldenTest.tensorOrNull(o, "self_grad");
      if (selfGradGolden != null) {
        close(selfGradGolden, x.grad(), "self grad");
      }
      Tensor operandGrad = InPlaceGoldenTest.tensorOrNull(o, "operand_grad");
      if (operandGrad != null) {
        close(operandGrad, w.grad(), "operand grad");
      }
    }));
  }

  static void check(JsonObject c) {
    String op = c.get("call").getAsString();
    Method m = RuleGradientTest.publicOps().get(op);
    assertNotNull(m, op + " is a public op");
    Object[] args = RuleGradientTest.goldenArgs(c);
    Object[] leaves = args.clone();
    for (int i = 0; i < leaves.length; i++) {
      if (leaves[i] instanceof Tensor t && t.dtype() == DType.FLOAT64) {
        leaves[i] = t.copy().requiresGrad(true);
      } else if (leaves[i] instanceof List<?> l) {
        List<Tensor> fresh = new ArrayList<>();
        for (Object o : l) {
          fresh.add(((Tensor) o).copy().requiresGrad(true));
        }
        leaves[i] = fresh;
      }
    }
    Tensor out = (Tensor) RuleGradientTest.call(m, leaves);
    String torchNode = c.get("gradFn").getAsString();
    boolean matmul = op.startsWith("matmul") || op.startsWith("F.linear");
    if (torchNode.equals("NoneType")) {
      assertEquals(null, out.gradFn(), "PyTorch returns the input itself (a leaf)");
    } else if (!matmul || !RuleGradientTest.MATMUL_VIEW_NODES.contains(torchNode)) {
      assertEquals(torchNode, out.gradFn().name(), "the node's name, as PyTorch shows it");
    }
    close(Goldens.tensor(c.get("out")), out, "forward");
    Tensor upstream = Goldens.tensor(c.get("upstream"));
    Grads direct = null;
    JsonArray grads = c.getAsJsonArray("grads");
    for (int i = 0; i < leaves.length; i++) {
      if (leaves[i] instanceof Double && !grads.get(i).isJsonNull() && direct == null) {
        Method vjp = RuleGradientTest.vjpOf(m);
        Object[] vjpArgs = new Object[leaves.length + 2];
        vjpArgs[0] = upstream;
        vjpArgs[1] = out;
        System.arraycopy(leaves, 0, vjpArgs, 2, leaves.length);
        try (var g = Autograd.noGrad()) {
          direct = (Grads) RuleGradientTest.call(vjp, vjpArgs);
        }
      }
    }
    out.backward(upstream);
    for (int i = 0; i < leaves.length; i++) {
      if (grads.get(i).isJsonNull()) {
        continue;
      }
      JsonObject o = grads.get(i).getAsJsonObject();
      if (o.has("tensors")) {
        JsonArray ts = o.getAsJsonArray("tensors");
        List<?> l = (List<?>) leaves[i];
        for (int k = 0; k < ts.size(); k++) {
          close(Goldens.tensor(ts.get(k)), gradOf((Tensor) l.get(k)), "gradient of input " + i + "[" + k + "]");
        }
      } else if (leaves[i] instanceof Tensor t) {
        close(Goldens.tensor(o.get("tensor")), gradOf(t), "gradient of input " + i);
      } else if (leaves[i] instanceof Double) {
        Tensor dg = direct.get(i);
        assertNotNull(dg, op + ": the adjoint gives double input " + i + " a gradient");
        Tensor want = Goldens.tensor(o.get("tensor"));
        close(want, dg.dim() == 0 ? dg : dg.reshape(want.shape()), "gradient of double input " + i);
      }
    }
  }

  static Tensor gradOf(Tensor leaf) {
    return leaf.grad() == null ? Tensor.zeros(leaf.shape(), DType.FLOAT64) : leaf.grad();
  }

  static void close(Tensor want, Tensor got, String what) {
    assertNotNull(got, what + ": missing");
    if (want.dtype() == DType.FLOAT64) {
      assertEquals(DType.FLOAT64, got.dtype(), what + ": dtype");
    } else {
      assertEquals(want.dtype(), got.dtype(), what + ": dtype");
    }
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    double[] w = want.toDoubleArray();
    double[] g = got.toDoubleArray();
    double scale = 0;
    for (double v : w) {
      scale = Math.max(scale, Double.isFinite(v) ? Math.abs(v) : 0);
    }
    for (int i = 0; i < w.length; i++) {
      if (Double.isNaN(w[i]) || Double.isInfinite(w[i])) {
        assertEquals(w[i], g[i], what + " [" + i + "]");
        continue;
      }
      double err = Math.abs(w[i] - g[i]);
      assertTrue(err <= RTOL * Math.max(scale, 1e-300), what + " [" + i + "]: PyTorch " + w[i] + ", ours " + g[i]
          + " (|difference| " + err + " > " + RTOL + " × " + scale + ")");
    }
  }
}
