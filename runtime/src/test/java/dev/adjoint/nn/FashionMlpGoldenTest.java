package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.FashionMNIST;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's done-when on the tutorial's network (seed 004): from PyTorch's {@code torch.manual_seed(0)}
 * initialisation, the first 20 batch losses (SGD lr 1e-3, batch 64, no shuffle) on the first 1280
 * FashionMNIST training images match PyTorch's to 1e-4 relative.
 */
class FashionMlpGoldenTest {
  /** The tutorial's NeuralNetwork, with PyTorch's member names. */
  static final class NeuralNetwork extends Module {
    private final Flatten flatten = registerModule("flatten", new Flatten());
    private final Sequential linearReluStack = registerModule("linear_relu_stack", new Sequential(
        new Linear(28 * 28, 512), new ReLU(), new Linear(512, 512), new ReLU(), new Linear(512, 10)));

    @Override
    public Tensor forward(Tensor x) {
      return linearReluStack.forward(flatten.forward(x));
    }
  }

  static NeuralNetwork pytorchInit() throws IOException {
    NeuralNetwork model = new NeuralNetwork();
    model.load(Goldens.path("fashion_mlp_init.state"));
    return model;
  }

  static void sgdStep(Module model, double lr) {
    try (var g = Autograd.noGrad()) {
      for (Tensor p : model.parameters()) {
        p.add_(p.grad(), -lr);
      }
    }
  }

  @Test
  void parameterNamesAndShapesMatchPyTorch() throws IOException {
    JsonObject golden = Goldens.json("fashion_mlp.json");
    Map<String, Tensor> named = pytorchInit().namedParameters();
    List<String> names = new ArrayList<>(named.keySet());
    JsonArray params = golden.getAsJsonArray("params");
    assertEquals(params.size(), names.size());
    for (int i = 0; i < params.size(); i++) {
      JsonObject p = params.get(i).getAsJsonObject();
      assertEquals(p.get("name").getAsString(), names.get(i));
      JsonArray shape = p.getAsJsonArray("shape");
      int[] own = named.get(names.get(i)).shape();
      assertEquals(shape.size(), own.length);
      for (int d = 0; d < own.length; d++) {
        assertEquals(shape.get(d).getAsInt(), own[d]);
      }
    }
  }

  @Test
  void first20BatchLossesMatchPyTorch() throws IOException {
    JsonObject golden = Goldens.json("fashion_mlp.json");
    JsonArray expected = golden.getAsJsonArray("first20Losses");
    double lr = golden.get("lr").getAsDouble();
    NeuralNetwork model = pytorchInit();
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    var train = new DataLoader(new FashionMNIST(Goldens.miniFashionMnist(), true), 64);
    assertEquals(20, train.size());
    model.train();
    int batch = 0;
    for (Batch b : train) {
      Tensor loss = lossFn.forward(model.forward(b.x()), b.y());
      loss.backward();
      sgdStep(model, lr);
      model.zeroGrad();
      double want = expected.get(batch).getAsDouble();
      double got = loss.item();
      assertEquals(want, got, 1e-4 * Math.abs(want), "loss of batch " + batch);
      batch++;
    }
    assertEquals(20, batch);

    // evaluation on the first 1000 test images after those 20 steps, as the tutorial's test_loop computes it
    JsonObject mini = golden.getAsJsonObject("miniTestAfter20");
    double[] accLoss = evaluate(model, new DataLoader(new FashionMNIST(Goldens.miniFashionMnist(), false), 64));
    assertEquals(mini.get("avgLoss").getAsDouble(), accLoss[1], 1e-4 * mini.get("avgLoss").getAsDouble());
    // within 0.5 percentage points (a near-tie argmax may flip)
    assertEquals(mini.get("accuracy").getAsDouble(), accLoss[0], 0.005);
  }

  /** The tutorial's test_loop: accuracy and average batch loss. */
  static double[] evaluate(Module model, DataLoader loader) {
    model.eval();
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    double testLoss = 0;
    double correct = 0;
    try (var g = Autograd.noGrad()) {
      for (Batch b : loader) {
        Tensor pred = model.forward(b.x());
        assertTrue(!pred.requiresGrad());
        testLoss += lossFn.forward(pred, b.y()).item();
        correct += pred.argmax(1).eq(b.y()).sum().item();
      }
    }
    return new double[] {correct / loader.dataset().size(), testLoss / loader.size()};
  }
}
