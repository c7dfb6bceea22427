package dev.adjoint.samples.fashion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.F;
import dev.adjoint.optim.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's module contract through the processor: the seed 004 network written as a
 * {@code @Differentiable} module with layers in fields. Its parameters come from the generated member list
 * in PyTorch's order; its generated backward gives the eager gradients bit for bit; and trained from
 * PyTorch's {@code torch.manual_seed(0)} weights through the generated code, its first 20 batch losses match
 * PyTorch's to 1e-4 relative, as the eager network's do.
 */
class CompiledNeuralNetworkTest {
  static final Path GOLDENS = Path.of("..", "runtime", "src", "test", "resources", "goldens");

  static CompiledNeuralNetwork pytorchInit() throws IOException {
    CompiledNeuralNetwork model = new CompiledNeuralNetwork();
    model.loadPyTorchState(GOLDENS.resolve("fashion_mlp_init.state"));
    return model;
  }

  @Test
  void parametersAreTheFieldsInDeclarationOrder() {
    CompiledNeuralNetwork model = new CompiledNeuralNetwork();
    assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"),
        List.copyOf(model.namedParameters().keySet()));
    assertEquals(List.of("flatten", "fc1", "fc2", "fc3"), List.copyOf(model.namedChildren().keySet()));
    assertArrayEquals(new int[] {512, 784}, model.namedParameters().get("fc1.weight").shape());
    assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad));
  }

  @Test
  void generatedBackwardEqualsEagerBitForBit() throws IOException {
    CompiledNeuralNetwork model = pytorchInit();
    Tensor x = Tensor.rand(new Generator(3), 8, 1, 28, 28);
    Tensor y = Tensor.indices(3, 1, 4, 1, 5, 9, 2, 6);

    Tensor eager = F.crossEntropy(model.logits(x), y);
    eager.backward();
    Map<String, float[]> eagerGrads = new LinkedHashMap<>();
    model.namedParameters().forEach((k, p) -> eagerGrads.put(k, p.grad().toFloatArray()));
    model.zeroGrad();

    Tensor logits = model.forward(x);
    assertEquals("CompiledNeuralNetworkLogitsBackward", logits.gradFn().name(), "forward runs the generated code");
    Tensor generated = F.crossEntropy(logits, y);
    assertEquals(eager.item(), generated.item());
    generated.backward();
    model.namedParameters().forEach((k, p) -> {
      assertNotNull(p.grad(), k);
      assertArrayEquals(eagerGrads.get(k), p.grad().toFloatArray(), k);
    });
  }

  @Test
  void pullbackGivesTheParameterGradientsAndNoInputGradient() throws IOException {
    CompiledNeuralNetwork model = pytorchInit();
    Tensor x = Tensor.rand(new Generator(4), 2, 1, 28, 28);
    var pullback = CompiledNeuralNetworkDiff.logitsPullback(model, x);
    var grad = pullback.backward(Tensor.onesLike(pullback.value()));
    model.logits(x).sum().backward();
    assertArrayEquals(model.fc3.bias().grad().toFloatArray(), grad.fc3Bias().toFloatArray());
    assertArrayEquals(model.fc1.weight().grad().toFloatArray(), grad.fc1Weight().toFloatArray());
    assertEquals(List.of("fc1Weight", "fc1Bias", "fc2Weight", "fc2Bias", "fc3Weight", "fc3Bias"),
        java.util.Arrays.stream(grad.getClass().getRecordComponents()).map(c -> c.getName()).toList(),
        "wrt = \"this\": the parameters' gradients only");
  }

  @Test
  void anInputThatRequiresGradIsRefusedNotSilentlyDropped() throws IOException {
    CompiledNeuralNetwork model = new CompiledNeuralNetwork();
    Tensor x = Tensor.rand(new Generator(5), 1, 1, 28, 28).requiresGrad(true);
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> model.forward(x));
    List<String> source = Files.readAllLines(
        Path.of("src/main/java/dev/adjoint/samples/fashion/CompiledNeuralNetwork.java"));
    int line = 1 + source.indexOf(source.stream().filter(l -> l.contains("public Tensor logits(")).findFirst()
        .orElseThrow());
    assertEquals("CompiledNeuralNetwork.logits (CompiledNeuralNetwork.java:" + line + "): x requires grad, but the method is"
        + " @Differentiable(wrt = \"this\"), so no gradient would reach it; add \"x\" to wrt, or pass x.detach()",
        e.getMessage());
    try (var noGrad = Autograd.noGrad()) {
      model.forward(x);
    }
  }

  @Test
  void first20BatchLossesThroughTheGeneratedCodeMatchPyTorch() throws IOException {
    JsonObject golden = JsonParser.parseString(Files.readString(GOLDENS.resolve("fashion_mlp.json")))
        .getAsJsonObject();
    JsonArray expected = golden.getAsJsonArray("first20Losses");
    CompiledNeuralNetwork model = pytorchInit();
    SGD optimizer = new SGD(model.parameters(), golden.get("lr").getAsDouble());
    var train = new DataLoader(new FashionMNIST(GOLDENS.resolve("fashion-mnist-mini"), true), 64);
    int batch = 0;
    for (Batch b : train) {
      Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      double want = expected.get(batch).getAsDouble();
      assertEquals(want, loss.item(), 1e-4 * Math.abs(want), "loss of batch " + batch);
      batch++;
    }
    assertEquals(20, batch);
    try (var noGrad = Autograd.noGrad()) {
      Tensor logits = model.forward(Tensor.zeros(1, 1, 28, 28));
      assertTrue(!logits.requiresGrad(), "under noGrad the generated forward records nothing");
    }
  }
}
