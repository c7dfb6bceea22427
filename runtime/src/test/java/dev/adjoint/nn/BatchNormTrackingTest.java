package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch norm's {@code num_batches_tracked} (outsider 10, D3): a buffer counted in each training forward, the
 * cumulative average it drives for {@code momentum=None}, saved and loaded with the state dict, so that a PyTorch
 * state dict with batch norms loads strictly ({@code batchnorm_utils.json} and {@code safetensors/batchnorm.safetensors},
 * written by {@code batchnorm_utils_goldens.py}).
 */
class BatchNormTrackingTest {
  static final JsonObject GOLDEN = Goldens.json("batchnorm_utils.json");

  /** The golden's network: conv → batch norm 2d → relu → flatten → linear → batch norm 1d. */
  static final class Net extends Module {
    final Conv2d conv = registerModule("conv", new Conv2d(1, 2, 3));
    final BatchNorm2d bn = registerModule("bn", new BatchNorm2d(2));
    final Linear fc = registerModule("fc", new Linear(8, 3));
    final BatchNorm1d bn1 = registerModule("bn1", new BatchNorm1d(3));

    @Override
    public Tensor forward(Tensor x) {
      return bn1.forward(fc.forward(bn.forward(conv.forward(x)).relu().flatten(1, -1)));
    }
  }

  @Test
  void theCountAndTheRunningStatisticsFollowPyTorchWithAndWithoutMomentum() {
    int cases = 0;
    for (JsonElement e : GOLDEN.getAsJsonArray("tracking")) {
      JsonObject c = e.getAsJsonObject();
      String id = c.get("id").getAsString();
      Double momentum = c.get("momentum").isJsonNull() ? null : c.get("momentum").getAsDouble();
      Module bn = id.startsWith("bn2d") ? new BatchNorm2d(3, 1e-5, momentum, true)
          : new BatchNorm1d(3, 1e-5, momentum, true);
      Tensor count = bn.namedBuffers().get("num_batches_tracked");
      assertEquals(Tensor.DType.INT64, count.dtype(), id);
      assertEquals(0, count.shape().length, id + ": a 0-d count");
      int step = 0;
      for (JsonElement s : c.getAsJsonArray("steps")) {
        JsonObject o = s.getAsJsonObject();
        Tensor y = bn.call(LayerGoldenTest.tensor(o.get("x")));
        String at = id + " step " + step++;
        LayerGoldenTest.close(LayerGoldenTest.tensor(o.get("y")), y, at + " output");
        LayerGoldenTest.close(LayerGoldenTest.tensor(o.get("runningMean")), bn.namedBuffers().get("running_mean"),
            at + " running mean");
        LayerGoldenTest.close(LayerGoldenTest.tensor(o.get("runningVar")), bn.namedBuffers().get("running_var"),
            at + " running var");
        assertEquals(o.getAsJsonObject("numBatchesTracked").getAsJsonArray("data").get(0).getAsLong(),
            (long) count.item(), at + " num_batches_tracked");
      }
      bn.eval();
      Tensor y = bn.call(LayerGoldenTest.tensor(c.get("evalX")));
      LayerGoldenTest.close(LayerGoldenTest.tensor(c.get("evalY")), y, id + " eval output");
      assertEquals(3, (long) count.item(), id + ": evaluation does not count");
      assertTrue(bn.toString().contains(momentum == null ? "momentum=None" : "momentum=0.1"), bn.toString());
      cases++;
    }
    assertEquals(6, cases);
  }

  @Test
  void noGradTrainingForwardsCountAsInPyTorch() {
    BatchNorm1d bn = new BatchNorm1d(2);
    Tensor x = Tensor.of(new float[][] {{1, 2}, {3, 5}});
    Autograd.noGrad(() -> bn.forward(x));
    bn.forward(x);
    assertEquals(2f, bn.numBatchesTracked().item());
  }

  @Test
  void aPyTorchStateDictWithBatchNormsLoadsStrictly(@TempDir Path dir) throws Exception {
    JsonObject s = GOLDEN.getAsJsonObject("state");
    Map<String, Tensor> torch = SafeTensors.load(Goldens.path("safetensors/batchnorm.safetensors"));
    Net net = new Net();
    List<String> keys = new ArrayList<>();
    s.getAsJsonArray("keys").forEach(k -> keys.add(k.getAsString()));
    assertEquals(keys, List.copyOf(net.stateDict().keySet()), "PyTorch's state_dict keys, in its order");
    var result = net.loadStateDict(torch);
    assertEquals(List.of(), result.missingKeys());
    assertEquals(List.of(), result.unexpectedKeys());
    for (var e : s.getAsJsonObject("numBatchesTracked").entrySet()) {
      assertEquals(e.getValue().getAsLong(), (long) net.stateDict().get(e.getKey()).item(), e.getKey());
      assertEquals(Tensor.DType.INT64, net.stateDict().get(e.getKey()).dtype(), e.getKey());
    }
    net.eval();
    LayerGoldenTest.close(LayerGoldenTest.tensor(s.get("y")), net.call(LayerGoldenTest.tensor(s.get("x"))),
        "eval output after loading");

    // saved and read back in both formats, the count included
    SafeTensors.save(net.stateDict(), dir.resolve("net.safetensors"));
    Net again = new Net();
    again.loadStateDict(SafeTensors.load(dir.resolve("net.safetensors")));
    assertEquals(2f, again.bn.numBatchesTracked().item());
    net.save(dir.resolve("net.state"));
    Net third = new Net();
    third.load(dir.resolve("net.state"));
    assertEquals(2f, third.bn1.numBatchesTracked().item());

    // toDouble() converts floating-point state only, as module.double() does
    third.toDouble();
    assertEquals(Tensor.DType.INT64, third.bn.numBatchesTracked().dtype());
    assertEquals(Tensor.DType.FLOAT64, third.bn.runningMean().dtype());
    third.train();
    third.call(LayerGoldenTest.tensor(s.get("x")).toDouble());
    assertEquals(3f, third.bn.numBatchesTracked().item());
  }

  @Test
  void aStateDictWithoutTheCountLoadsStrictlyAndResetsIt() {
    Net net = new Net();
    net.call(Tensor.randn(new dev.adjoint.Generator(3), 4, 1, 4, 4));
    assertEquals(1f, net.bn.numBatchesTracked().item());
    Map<String, Tensor> old = new LinkedHashMap<>(new Net().stateDict());
    old.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
    var result = net.loadStateDict(old);
    assertEquals(List.of(), result.missingKeys(), "PyTorch fills a missing num_batches_tracked with 0");
    assertEquals(0f, net.bn.numBatchesTracked().item());
    assertEquals(0f, net.bn1.numBatchesTracked().item());
    // any other missing buffer is still an error
    old.remove("bn.running_mean");
    var e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(old));
    assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"bn.running_mean\"."), e.getMessage());
    assertArrayEquals(new String[] {"bn.running_mean"},
        net.loadStateDict(old, false).missingKeys().toArray(String[]::new));
  }
}
