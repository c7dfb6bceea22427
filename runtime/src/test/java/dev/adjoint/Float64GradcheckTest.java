package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor.DType;
import dev.adjoint.rules.NormRules;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Autograd#gradcheck} (PyTorch's tolerances: central differences in float64 against the analytical
 * Jacobian, row by row) on every float64 rule, at the inputs of its float64 golden cases: every row of the rule
 * table away from its kinks ({@link RuleGradientTest.Domain#KINK} rows are subgradients, checked against PyTorch
 * only), with respect to all its floating tensor arguments. Not checked, by definition: {@code bce_edges} (inputs
 * at 0 and 1, where the function's domain ends) and an embedding with a padding index (PyTorch's gradient leaves the
 * padding row out although the forward reads it).
 */
class Float64GradcheckTest {
  @TestFactory
  Stream<DynamicTest> gradcheckOnEveryFloat64Rule() {
    Map<String, JsonObject> cases = new LinkedHashMap<>();
    for (JsonElement e : Goldens.load("rules_f64.json").getAsJsonArray("cases")) {
      cases.put(e.getAsJsonObject().get("id").getAsString(), e.getAsJsonObject());
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (RuleGradientTest.RuleSpec spec : RuleGradientTest.TABLE) {
      if (spec.domain() == RuleGradientTest.Domain.KINK) {
        continue;
      }
      for (String id : spec.cases()) {
        JsonObject c = cases.get(id);
        boolean padded = spec.op().startsWith("F.embedding")
            && RuleGradientTest.goldenArgs(c)[2] instanceof Integer pad && pad != NormRules.NO_PADDING;
        if (id.equals("bce_edges") || padded) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(id + " " + spec.op(), () -> check(spec.op(), c)));
      }
    }
    return tests.stream();
  }

  static void check(String op, JsonObject c) {
    Method m = RuleGradientTest.publicOps().get(op);
    Object[] args = RuleGradientTest.goldenArgs(c);
    // the floating tensors (alone or in a list) are gradcheck's inputs; slot[i] says where each goes
    List<Tensor> inputs = new ArrayList<>();
    List<int[]> slot = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof Tensor t && t.dtype() == DType.FLOAT64) {
        inputs.add(t.requiresGrad(true));
        slot.add(new int[] {i, -1});
      } else if (args[i] instanceof List<?> l) {
        for (int k = 0; k < l.size(); k++) {
          inputs.add(((Tensor) l.get(k)).requiresGrad(true));
          slot.add(new int[] {i, k});
        }
      }
    }
    if (inputs.isEmpty()) {
      return;
    }
    assertTrue(Autograd.gradcheck(x -> {
      Object[] a = args.clone();
      for (int j = 0; j < x.length; j++) {
        int[] s = slot.get(j);
        if (s[1] < 0) {
          a[s[0]] = x[j];
        } else {
          List<Object> l = new ArrayList<>((List<?>) a[s[0]]);
          l.set(s[1], x[j]);
          a[s[0]] = l;
        }
      }
      return (Tensor) RuleGradientTest.call(m, a);
    }, inputs.toArray(new Tensor[0])), op);
  }
}
