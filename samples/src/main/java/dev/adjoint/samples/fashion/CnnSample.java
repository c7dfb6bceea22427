package dev.adjoint.samples.fashion;

import dev.adjoint.Adjoint;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.CrossEntropyLoss;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.SafeTensors;
import dev.adjoint.optim.SGD;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The FashionMNIST CNN (issue 18): {@link FashionCnn} (or, with {@code --compiled}, {@link CompiledFashionCnn},
 * whose backward the processor wrote) trained with cross-entropy and SGD (lr 0.01, batch 64, no shuffle), in
 * the tutorial's format: the loss every 100 batches (with a progress bar on a terminal), the test accuracy and
 * average loss after each epoch, then a PNG of the curves and one of the test set's confusion matrix.
 *
 * <pre>
 * mvn -pl samples -am -DskipTests package exec:exec -Dsample=dev.adjoint.samples.fashion.CnnSample \
 *     -Dsample.args="--epochs 1 --init runtime/src/test/resources/goldens/fashion_cnn_init.safetensors"
 * </pre>
 *
 * Options: {@code --epochs N} (default 1), {@code --data DIR}, {@code --init FILE.safetensors} (PyTorch's
 * {@code torch.manual_seed(0)} weights, exported by {@code cnn_goldens.py}), {@code --seed N},
 * {@code --plot FILE.png|none} (default {@code target/fashion-cnn-curves.png}; the confusion matrix goes beside it
 * as {@code ...-confusion.png}), {@code --no-progress}, {@code --compiled}.
 */
public final class CnnSample {
  private CnnSample() {}

  static final double LEARNING_RATE = 0.01;

  public static void main(String[] args) throws IOException {
    FashionMnistSample.Options o;
    try {
      java.util.List<String> rest = new ArrayList<>(java.util.Arrays.asList(String.join(" ", args).trim().split("\\s+")));
      rest.removeIf(String::isEmpty);
      if (!rest.contains("--epochs")) {
        rest.add("--epochs");
        rest.add("1");
      }
      if (!rest.contains("--plot")) {
        rest.add("--plot");
        rest.add(Path.of("target", "fashion-cnn-curves.png").toString());
      }
      o = FashionMnistSample.Options.parse(rest.toArray(String[]::new));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage().replace("FashionMnistSample", "CnnSample"));
      System.exit(2);
      return;
    }
    run(o, System.out);
  }

  /** Trains and tests as {@code o} says, printing to {@code out}; returns the history. */
  public static FashionMnistSample.History run(FashionMnistSample.Options o, PrintStream out) throws IOException {
    var trainDataloader = new DataLoader(new FashionMNIST(o.data(), true), 64);
    var testDataloader = new DataLoader(new FashionMNIST(o.data(), false), 64);
    Adjoint.manualSeed(o.seed());
    Module model = o.compiled() ? new CompiledFashionCnn() : new FashionCnn();
    if (o.init() != null) {
      model.loadStateDict(SafeTensors.load(o.init()));
    }
    var lossFn = new CrossEntropyLoss();
    var optimizer = new SGD(model.parameters(), LEARNING_RATE);
    var history = new FashionMnistSample.History(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());
    long start = System.nanoTime();
    for (int t = 0; t < o.epochs(); t++) {
      out.printf(Locale.ROOT, "Epoch %d%n-------------------------------%n", t + 1);
      FashionMnistSample.trainLoop(trainDataloader, model, lossFn, optimizer, t,
          o.progress() ? "Epoch " + (t + 1) : null, out, history);
      FashionMnistSample.testLoop(testDataloader, model, lossFn, out, history);
    }
    out.printf(Locale.ROOT, "Done! (%.1f s; last test accuracy %.4f)%n", (System.nanoTime() - start) / 1e9,
        history.testAccuracy().get(history.testAccuracy().size() - 1));
    if (o.plot() != null) {
      FashionMnistSample.plot(history, o.plot());
      String name = o.plot().toString();
      Path confusion = Path.of((name.endsWith(".png") ? name.substring(0, name.length() - 4) : name)
          + "-confusion.png");
      confusionMatrix(model, testDataloader, confusion);
      out.println("Curves written to " + o.plot() + ", confusion matrix to " + confusion);
    }
    return history;
  }

  /** The test set's confusion matrix (rows: true class, columns: predicted), as counts. */
  static int[][] confusion(Module model, DataLoader data) {
    int[][] m = new int[10][10];
    model.eval();
    try (var g = Autograd.noGrad()) {
      for (Batch b : data) {
        float[] pred = model.forward(b.x()).argmax(1).toFloatArray();
        float[] y = b.y().toFloatArray();
        for (int i = 0; i < y.length; i++) {
          m[(int) y[i]][(int) pred[i]]++;
        }
      }
    }
    return m;
  }

  static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
      "Sneaker", "Bag", "Ankle boot"};

  static void confusionMatrix(Module model, DataLoader data, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int[][] m = confusion(model, data);
    HeatMapChart chart = new HeatMapChartBuilder().width(760).height(640)
        .title("FashionMNIST test set: true class (rows) vs predicted (columns)").build();
    chart.getStyler().setShowValue(true).setPlotContentSize(1.0);
    java.util.List<Number[]> cells = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      for (int p = 0; p < 10; p++) {
        cells.add(new Number[] {p, 9 - t, m[t][p]});
      }
    }
    java.util.List<String> rows = new ArrayList<>();
    for (int t = 9; t >= 0; t--) {
      rows.add(CLASSES[t]);
    }
    chart.addSeries("count", java.util.Arrays.asList(CLASSES), rows, cells);
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    String name = abs.toString();
    BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
  }
}
