package dev.adjoint.samples.fashion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed 004 sample end to end on the runtime's shipped mini FashionMNIST (1280 training and 1000 test
 * images, written with PyTorch's numbers by runtime/src/test/python/nn_goldens.py): from PyTorch's
 * {@code torch.manual_seed(0)} weights, the printed lines are the tutorial's format with PyTorch's values.
 */
class FashionMnistSampleTest {
  static final Path GOLDENS = Path.of("..", "runtime", "src", "test", "resources", "goldens");

  @TempDir Path dir;

  @Test
  void printsTheTutorialLinesWithPyTorchsNumbersAndWritesThePlot() throws IOException {
    JsonObject golden = JsonParser.parseString(Files.readString(GOLDENS.resolve("fashion_mlp.json")))
        .getAsJsonObject();
    Path png = dir.resolve("curves.png");
    var buf = new ByteArrayOutputStream();
    var history = FashionMnistSample.run(FashionMnistSample.Options.parse("--epochs", "1", "--data",
        GOLDENS.resolve("fashion-mnist-mini").toString(), "--init", GOLDENS.resolve("fashion_mlp_init.state").toString(),
        "--plot", png.toString(), "--no-progress"), new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();

    double firstLoss = golden.getAsJsonArray("first20Losses").get(0).getAsDouble();
    JsonObject test = golden.getAsJsonObject("miniTestAfter20");
    assertEquals(List.of(
        "Epoch 1",
        "-------------------------------",
        String.format(Locale.ROOT, "loss: %f  [   64/ 1280]", firstLoss),
        "Test Error: ",
        String.format(Locale.ROOT, " Accuracy: %.1f%%, Avg loss: %8f ", 100 * test.get("accuracy").getAsDouble(),
            test.get("avgLoss").getAsDouble()),
        "",
        "Done!",
        "Curves written to " + png), lines);
    assertEquals(1, history.testAccuracy().size());

    BufferedImage img = ImageIO.read(png.toFile());
    // one epoch: the loss chart alone (its title carries the test numbers), no single-point test chart beside it
    assertEquals(640, img.getWidth());
    assertEquals(420, img.getHeight());
  }

  @Test
  void theCompiledNetworkPrintsTheSameLines() throws IOException {
    String[] common = {"--epochs", "1", "--data", GOLDENS.resolve("fashion-mnist-mini").toString(), "--init",
        GOLDENS.resolve("fashion_mlp_init.state").toString(), "--plot", "none", "--no-progress"};
    var eager = new ByteArrayOutputStream();
    FashionMnistSample.run(FashionMnistSample.Options.parse(common), new PrintStream(eager, true, StandardCharsets.UTF_8));
    var compiled = new ByteArrayOutputStream();
    String[] withCompiled = java.util.Arrays.copyOf(common, common.length + 1);
    withCompiled[common.length] = "--compiled";
    assertTrue(FashionMnistSample.Options.parse(withCompiled).compiled());
    FashionMnistSample.run(FashionMnistSample.Options.parse(withCompiled),
        new PrintStream(compiled, true, StandardCharsets.UTF_8));
    assertEquals(eager.toString(StandardCharsets.UTF_8), compiled.toString(StandardCharsets.UTF_8));
    assertTrue(eager.toString(StandardCharsets.UTF_8).contains("Accuracy: "));
  }

  @Test
  void argumentsAreParsedAndBadOnesExplained() {
    var o = FashionMnistSample.Options.parse("--epochs 3 --plot none");
    assertEquals(3, o.epochs());
    assertEquals(null, o.plot());
    assertTrue(o.progress());
    var e = assertThrows(IllegalArgumentException.class, () -> FashionMnistSample.Options.parse("--epoch", "3"));
    assertEquals("unknown argument '--epoch'. " + FashionMnistSample.USAGE, e.getMessage());
  }
}
