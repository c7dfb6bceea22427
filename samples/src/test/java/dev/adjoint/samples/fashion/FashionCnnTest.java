package dev.adjoint.samples.fashion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.SafeTensors;
import dev.adjoint.optim.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's CNN sample: from PyTorch's {@code torch.manual_seed(0)} weights ({@code cnn_goldens.py}), the
 * eager network and the {@code @Differentiable} one each train 20 batches of the mini FashionMNIST set with
 * PyTorch's batch losses to 1e-4 relative; the generated backward gives the eager gradients bit for bit.
 */
class FashionCnnTest {
  static final Path GOLDENS = Path.of("..", "runtime", "src", "test", "resources", "goldens");

  static JsonObject golden() throws IOException {
    return JsonParser.parseString(Files.readString(GOLDENS.resolve("fashion_cnn.json"))).getAsJsonObject();
  }

  static <M extends Module> M pytorchInit(M model) throws IOException {
    model.loadStateDict(SafeTensors.load(GOLDENS.resolve("fashion_cnn_init.safetensors")));
    return model;
  }

  static void trainsLikePyTorch(Module model) throws IOException {
    JsonObject golden = golden();
    JsonArray expected = golden.getAsJsonArray("first20Losses");
    SGD optimizer = new SGD(model.parameters(), golden.get("lr").getAsDouble());
    var train = new DataLoader(new FashionMNIST(GOLDENS.resolve("fashion-mnist-mini"), true), 64);
    model.train();
    int batch = 0;
    for (Batch b : train) {
      Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      double want = expected.get(batch).getAsDouble();
      assertEquals(want, loss.item(), 1e-4 * want, "loss of batch " + batch);
      batch++;
    }
    assertEquals(20, batch);
    // evaluation mode normalises with the running statistics the 20 steps gathered: PyTorch's test numbers
    var test = new DataLoader(new FashionMNIST(GOLDENS.resolve("fashion-mnist-mini"), false), 64);
    double[] acc = evaluate(model, test);
    assertEquals(golden.get("miniTestAccuracy").getAsDouble(), acc[0], 1e-9, "mini test accuracy");
    assertEquals(golden.get("miniTestLoss").getAsDouble(), acc[1], 1e-4 * acc[1], "mini test loss");
  }

  /** {accuracy, mean batch loss} in evaluation mode, as the tutorial's test loop. */
  static double[] evaluate(Module model, DataLoader data) {
    model.eval();
    double correct = 0;
    double loss = 0;
    try (var g = dev.adjoint.Autograd.noGrad()) {
      for (Batch b : data) {
        Tensor pred = model.forward(b.x());
        loss += F.crossEntropy(pred, b.y()).item();
        correct += pred.argmax(1).eq(b.y()).sum().item();
      }
    }
    return new double[] {correct / data.dataset().size(), loss / data.size()};
  }

  @Test
  void stateDictHoldsTheRunningStatisticsInPyTorchsOrder() throws IOException {
    FashionCnn model = pytorchInit(new FashionCnn());
    assertEquals(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
        "bn1.num_batches_tracked", "conv2.weight", "conv2.bias", "bn2.weight", "bn2.bias", "bn2.running_mean",
        "bn2.running_var", "bn2.num_batches_tracked", "fc.weight", "fc.bias"), List.copyOf(model.stateDict().keySet()));
    model.forward(Tensor.rand(new Generator(1), 8, 1, 28, 28)); // training mode: the running statistics move
    Path file = Files.createTempFile("cnn", ".safetensors");
    try {
      SafeTensors.save(model.stateDict(), file);
      CompiledFashionCnn copy = new CompiledFashionCnn();
      copy.loadStateDict(SafeTensors.load(file));
      model.eval();
      copy.eval();
      Tensor x = Tensor.rand(new Generator(2), 4, 1, 28, 28);
      try (var g = dev.adjoint.Autograd.noGrad()) {
        assertArrayEquals(model.forward(x).toFloatArray(), copy.forward(x).toFloatArray());
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void eagerFirst20BatchLossesMatchPyTorch() throws IOException {
    trainsLikePyTorch(pytorchInit(new FashionCnn()));
  }

  @Test
  void compiledFirst20BatchLossesMatchPyTorch() throws IOException {
    trainsLikePyTorch(pytorchInit(new CompiledFashionCnn()));
  }

  @Test
  void generatedBackwardEqualsEagerBitForBit() throws IOException {
    CompiledFashionCnn model = pytorchInit(new CompiledFashionCnn());
    assertEquals(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "conv2.weight", "conv2.bias",
        "bn2.weight", "bn2.bias", "fc.weight", "fc.bias"), List.copyOf(model.namedParameters().keySet()));
    Tensor x = Tensor.rand(new Generator(3), 8, 1, 28, 28);
    Tensor y = Tensor.indices(3, 1, 4, 1, 5, 9, 2, 6);

    Tensor eager = F.crossEntropy(model.logits(x), y);
    eager.backward();
    Map<String, float[]> eagerGrads = new LinkedHashMap<>();
    model.namedParameters().forEach((k, p) -> eagerGrads.put(k, p.grad().toFloatArray()));
    model.zeroGrad();

    Tensor logits = model.forward(x);
    assertEquals("CompiledFashionCnnLogitsBackward", logits.gradFn().name(), "forward runs the generated code");
    Tensor generated = F.crossEntropy(logits, y);
    assertEquals(eager.item(), generated.item());
    generated.backward();
    model.namedParameters().forEach((k, p) -> {
      assertNotNull(p.grad(), k);
      assertArrayEquals(eagerGrads.get(k), p.grad().toFloatArray(), k);
    });
  }
}
