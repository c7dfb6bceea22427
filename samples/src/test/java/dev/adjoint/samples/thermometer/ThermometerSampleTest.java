package dev.adjoint.samples.thermometer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.samples.Goldens;
import dev.adjoint.samples.thermometer.AutogradTraining.Split;
import dev.adjoint.samples.thermometer.AutogradTraining.SplitRun;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the thermometer sample and asserts every number seeds 000–002 print, to the printed digits. Where a
 * seed prints nothing (seed 002's finite differences and hand-derived loop), the numbers come from PyTorch
 * through {@code goldens/thermometer.json}.
 */
class ThermometerSampleTest {
  private static final JsonObject GOLDEN = Goldens.load("thermometer");

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  // ---- seed 000

  @Test
  void paramsGradIsNullUntilBackwardThenTheSeedsGradient() {
    List<String> lines = ThermometerSample.autograd().lines();
    assertEquals("params.grad is null: true", lines.get(0));
    assertEquals("params.grad = tensor([4517.2969,   82.6000])", lines.get(1));
  }

  @Test
  void withoutZeroGradASecondBackwardAccumulates() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    float[] once = AutogradTraining.backwardOnce(params, ThermometerData.tU(), ThermometerData.tC()).grad()
        .toFloatArray();
    float[] twice = AutogradTraining.backwardOnce(params, ThermometerData.tU(), ThermometerData.tC()).grad()
        .toFloatArray();
    assertEquals(2 * once[0], twice[0]);
    assertEquals(2 * once[1], twice[1]);
    assertEquals("after a second backward without zero_(): params.grad = tensor([9034.5938,  165.2000])",
        ThermometerSample.autograd().lines().get(4));
  }

  @Test
  void trainingLoopWithZeroAndNoGradPrintsTheSeedsLosses() {
    TrainingRun run = ThermometerSample.autograd();
    assertEquals(List.of("Epoch 500, Loss 7.860116", "Epoch 1000, Loss 3.828538", "Epoch 1500, Loss 3.092191",
        "Epoch 2000, Loss 2.957697", "Epoch 2500, Loss 2.933134", "Epoch 3000, Loss 2.928648",
        "Epoch 3500, Loss 2.927830", "Epoch 4000, Loss 2.927679", "Epoch 4500, Loss 2.927652",
        "Epoch 5000, Loss 2.927647", "tensor([  5.3671, -17.3012], requiresGrad=true)"),
        run.lines().subList(5, run.lines().size()));
    assertTrue(run.params().isLeaf(), "the in-place update under noGrad keeps params a leaf");
  }

  @Test
  void generatedCodeRecordsOneNodePerMethodEagerOnePerOperation() {
    List<String> lines = ThermometerSample.autograd().lines();
    assertEquals("graph of the loss, @Differentiable: ThermometerLossFnBackward <- ThermometerModelBackward "
        + "<- SliceBackward0", lines.get(2));
    assertEquals("graph of the loss, eager:           MeanBackward0 <- PowBackward0 <- SubBackward0 "
        + "<- AddBackward0 <- MulBackward0 <- SliceBackward0", lines.get(3));
  }

  @Test
  void eagerAndGeneratedGradientsAgreeBitForBit() {
    Tensor tUn = ThermometerData.tUn();
    Tensor tC = ThermometerData.tC();
    Tensor w = Tensor.of(2.5f).requiresGrad(true);
    Tensor b = Tensor.of(-1.25f).requiresGrad(true);
    EagerThermometer.lossFn(EagerThermometer.model(tUn, w, b), tC).backward();
    float[] eager = {w.grad().item(), b.grad().item()};
    w.setGrad(null);
    b.setGrad(null);
    ThermometerDiff.lossFn(ThermometerDiff.model(tUn, w, b), tC).backward();
    assertArrayEquals(eager, new float[] {w.grad().item(), b.grad().item()});
  }

  @Test
  void sgdOneStepAndLoopPrintTheSeedsNumbers() {
    List<String> lines = ThermometerSample.optimizers();
    assertEquals("SGD lr=1e-5, one step on t_u:  tensor([ 9.5483e-01, -8.2600e-04], requiresGrad=true)",
        lines.get(0));
    assertEquals("SGD lr=1e-2, one step on t_un: tensor([1.7761, 0.1064], requiresGrad=true)", lines.get(1));
    int sgd = lines.indexOf("SGD lr=1e-2, 5000 epochs on t_un:");
    assertEquals(List.of("Epoch 500, Loss 7.860118", "Epoch 1000, Loss 3.828538", "Epoch 1500, Loss 3.092191",
        "Epoch 2000, Loss 2.957697", "Epoch 2500, Loss 2.933134", "Epoch 3000, Loss 2.928648",
        "Epoch 3500, Loss 2.927830", "Epoch 4000, Loss 2.927680", "Epoch 4500, Loss 2.927651",
        "Epoch 5000, Loss 2.927648", "tensor([  5.3671, -17.3012], requiresGrad=true)"),
        lines.subList(sgd + 1, sgd + 12));
  }

  @Test
  void adamOnRawReadingsPrintsTheSeedsNumbers() {
    List<String> lines = ThermometerSample.optimizers();
    int adam = lines.indexOf("Adam lr=1e-1, 2000 epochs on t_u:");
    assertEquals(List.of("Epoch 500, Loss 7.612903", "Epoch 1000, Loss 3.086700", "Epoch 1500, Loss 2.928578",
        "Epoch 2000, Loss 2.927646", "tensor([  0.5367, -17.3021], requiresGrad=true)"),
        lines.subList(adam + 1, lines.size()));
  }

  @Test
  void splitRunWithTheSeedsPermutationPrintsItsLosses() {
    SplitRun run = ThermometerSample.splitRun();
    assertEquals(List.of(
        "train_indices, val_indices = tensor([9, 6, 5, 8, 4, 7, 0, 1, 3]), tensor([ 2, 10])",
        "Epoch 1, Training loss 66.5811, Validation loss 142.3890",
        "Epoch 2, Training loss 38.8626, Validation loss 64.0434",
        "Epoch 3, Training loss 33.3475, Validation loss 39.4590",
        "Epoch 500, Training loss 7.1454, Validation loss 9.1252",
        "Epoch 1000, Training loss 3.5940, Validation loss 5.3110",
        "Epoch 1500, Training loss 3.0942, Validation loss 4.1611",
        "Epoch 2000, Training loss 3.0238, Validation loss 3.7693",
        "Epoch 2500, Training loss 3.0139, Validation loss 3.6279",
        "Epoch 3000, Training loss 3.0125, Validation loss 3.5756",
        "tensor([  5.1964, -16.7512], requiresGrad=true)"), ThermometerSample.splitLines(run));
    assertEquals(3000, run.trainLosses().length);
    assertEquals(run.trainLosses().length, run.valLosses().length);
  }

  @Test
  void validationUnderNoGradDoesNotRequireGrad() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    Tensor train = AutogradTraining.calcForward(ThermometerData.tUn(), ThermometerData.tC(), params, true);
    Tensor val = AutogradTraining.calcForward(ThermometerData.tUn(), ThermometerData.tC(), params, false);
    assertTrue(train.requiresGrad());
    assertNotNull(train.gradFn());
    assertFalse(val.requiresGrad());
    assertEquals(null, val.gradFn());
    assertEquals(List.of("calcForward(isTrain=true).requiresGrad()  = true",
        "calcForward(isTrain=false).requiresGrad() = false"), ThermometerSample.gradMode(params));
  }

  @Test
  void splitTakesTheLastFifthForValidation() {
    Split split = AutogradTraining.randomSplit(11, new Generator(7));
    assertEquals(9, split.trainIndices().numel());
    assertEquals(2, split.valIndices().numel());
    float[] all = new float[11];
    System.arraycopy(split.trainIndices().toFloatArray(), 0, all, 0, 9);
    System.arraycopy(split.valIndices().toFloatArray(), 0, all, 9, 2);
    Arrays.sort(all);
    for (int i = 0; i < 11; i++) {
      assertEquals(i, all[i], "a permutation of 0..10");
    }
  }

  // ---- seed 002

  @Test
  void finiteDifferencesMatchPyTorchUpToSummationOrder() {
    List<String> lines = HandDerivedGradient.finiteDifferenceStep(ThermometerData.tU(), ThermometerData.tC());
    JsonObject sequential = GOLDEN.getAsJsonObject("sequential_float32").getAsJsonObject("finite_difference");
    JsonObject pytorch = GOLDEN.getAsJsonObject("finite_difference");
    String[] names = {"loss_rate_of_change_w", "w", "loss_rate_of_change_b", "b"};
    for (int i = 0; i < names.length; i++) {
      // Adjoint sums left to right in float32: the emulation of that order gives the same digits
      assertEquals(names[i] + " = " + sequential.get(names[i]).getAsString(), lines.get(i));
    }
    // PyTorch's vectorised sums round differently. The central difference subtracts two losses of about
    // 4e6 (b) whose float32 spacing is 0.5, so one rounding moves it by 0.5 / (2 * delta) = 2.5.
    assertClose(scalar(pytorch, "loss_rate_of_change_w"), value(lines.get(0)), 2 * Math.ulp(1.7e6f) / 0.2);
    assertClose(scalar(pytorch, "w"), value(lines.get(1)), 1e-3);
    assertClose(scalar(pytorch, "loss_rate_of_change_b"), value(lines.get(2)), 2 * Math.ulp(4.3e6f) / 0.2);
    assertClose(scalar(pytorch, "b"), value(lines.get(3)), 0.03);
  }

  @Test
  void handDerivedGradientEqualsTheGeneratedAndAutogradsAtTheStart() {
    List<String> lines = ThermometerSample.handDerivedGradient();
    assertEquals("hand-derived gradient, grad_fn      = tensor([4517.2969,   82.6000])", lines.get(4));
    assertEquals("generated gradient, ThermometerDiff = tensor([4517.2969,   82.6000])", lines.get(5));
    assertEquals("autograd gradient, params.grad      = tensor([4517.2969,   82.6000])", lines.get(6));
    // PyTorch prints 4517.2964 for the hand-derived form: its vectorised sum rounds differently
    Tensor tU = ThermometerData.tU();
    Tensor params = Tensor.of(1.0f, 0.0f);
    Tensor w = params.slice(0, 0, 1);
    Tensor b = params.slice(0, 1, 2);
    Tensor hand = HandDerivedGradient.gradFn(tU, ThermometerData.tC(), Thermometer.model(tU, w, b), w, b);
    assertTrue(hand.allclose(parse(GOLDEN.get("hand_gradient_t_u").getAsString()), 1e-6, 0));
    Tensor tUn = ThermometerData.tUn();
    assertEquals(GOLDEN.get("hand_gradient_t_un").getAsString(), HandDerivedGradient.gradFn(tUn,
        ThermometerData.tC(), Thermometer.model(tUn, w, b), w, b).toString());
    assertEquals(GOLDEN.get("hand_gradient_t_un").getAsString(),
        ThermometerSample.generatedGradient(tUn, ThermometerData.tC(), w, b).toString());
  }

  @Test
  void handDerivedLoopPrintsPyTorchsLossesUpToSummationOrder() {
    List<String> lines = ThermometerSample.handDerivedGradient();
    List<String> loop = lines.subList(7, 12);
    JsonObject sequential = GOLDEN.getAsJsonObject("sequential_float32");
    assertEquals(Goldens.strings(sequential.get("hand_loop_lines")), loop);
    assertEquals(sequential.get("hand_loop_params").getAsString(), lines.get(12));
    assertEquals(GOLDEN.get("hand_loop_params").getAsString(), lines.get(12));
    List<String> pytorch = Goldens.strings(GOLDEN.get("hand_loop_lines"));
    for (int i = 0; i < loop.size(); i++) {
      float ours = Float.parseFloat(loop.get(i).substring(loop.get(i).indexOf("Loss ") + 5));
      float theirs = Float.parseFloat(pytorch.get(i).substring(pytorch.get(i).indexOf("Loss ") + 5));
      assertClose(theirs, ours, 2 * Math.ulp(theirs) + 1e-6);
    }
  }

  // ---- plots and the program

  @Test
  void writesBothPlotsAsNonEmptyPngs(@TempDir Path dir) throws Exception {
    SplitRun run = ThermometerSample.splitRun();
    List<Path> files = ThermometerSample.writePlots(dir, ThermometerSample.autograd().params(), run);
    assertEquals(List.of(dir.resolve("thermometer-fit.png").toAbsolutePath(),
        dir.resolve("thermometer-losses.png").toAbsolutePath()), files);
    for (Path f : files) {
      assertTrue(Files.size(f) > 1000, f + " is " + Files.size(f) + " bytes");
      BufferedImage image = ImageIO.read(f.toFile());
      assertNotNull(image, f + " is not a readable image");
      assertEquals(800, image.getWidth());
      assertEquals(600, image.getHeight());
    }
  }

  @Test
  void mainPrintsTheSectionsAndWhereThePlotsWent(@TempDir Path dir) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      ThermometerSample.main(new String[] {dir.toString()});
    } finally {
      System.setOut(saved);
    }
    List<String> out = buffer.toString(StandardCharsets.UTF_8).lines().toList();
    assertTrue(out.contains("Epoch 5000, Loss 2.927647"), String.join("\n", out));
    assertTrue(out.contains("Epoch 3000, Training loss 3.0125, Validation loss 3.5756"));
    for (String name : List.of("thermometer-fit.png", "thermometer-losses.png")) {
      Path file = dir.resolve(name).toAbsolutePath();
      assertTrue(out.contains("wrote " + file), "main names " + file);
      assertTrue(Files.size(file) > 0);
    }
  }

  @Test
  void plotsGoToTargetPlotsUnlessADirectoryIsGiven() {
    assertEquals(Path.of("target", "plots"), ThermometerSample.plotDir(new String[0]));
    assertEquals(Path.of("target", "plots"), ThermometerSample.plotDir(new String[] {""}));
    assertEquals(Path.of("out"), ThermometerSample.plotDir(new String[] {" out "}));
  }

  private static void assertClose(double expected, double actual, double tolerance) {
    assertTrue(Math.abs(expected - actual) <= tolerance,
        "expected " + expected + " ± " + tolerance + " but was " + actual);
  }

  private static float scalar(JsonObject o, String name) {
    return value(o.get(name).getAsString());
  }

  /** The number in {@code "... tensor(4517.2974)"}. */
  private static float value(String line) {
    String s = line.substring(line.indexOf("tensor(") + 7, line.lastIndexOf(')'));
    return Float.parseFloat(s);
  }

  /** A 1-D tensor from its printed form {@code tensor([a, b])}. */
  private static Tensor parse(String printed) {
    String body = printed.substring(printed.indexOf('[') + 1, printed.indexOf(']'));
    String[] parts = body.split(",");
    float[] v = new float[parts.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.parseFloat(parts[i].trim());
    }
    return Tensor.of(v);
  }
}
