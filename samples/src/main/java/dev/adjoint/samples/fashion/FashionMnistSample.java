package dev.adjoint.samples.fashion;

import dev.adjoint.Adjoint;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.CrossEntropyLoss;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.SGD;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Seed 004: the FashionMNIST MLP of PyTorch's "Optimizing model parameters" tutorial, line by line.
 * Trains {@link NeuralNetwork} with cross-entropy and SGD (lr 1e-3, batch 64, no shuffle), prints the
 * loss every 100 batches and the test accuracy and average loss after each epoch in the tutorial's
 * format, shows a progress bar (on stderr, so {@code > log.txt} keeps only the tutorial's output), and
 * at the end writes a PNG of the loss and accuracy curves.
 *
 * <pre>
 * mvn -pl samples -am -DskipTests package exec:exec -Dsample=dev.adjoint.samples.fashion.FashionMnistSample \
 *     -Dsample.args="--epochs 10"
 * </pre>
 *
 * Options: {@code --epochs N} (default 10), {@code --data DIR} (default {@link FashionMNIST#DEFAULT_ROOT},
 * Debian's {@code dataset-fashion-mnist}), {@code --init FILE} (start from a state file, e.g. PyTorch's
 * {@code torch.manual_seed(0)} weights exported by {@code runtime/src/test/python/nn_goldens.py}),
 * {@code --seed N} (seed of the default generator when there is no {@code --init}), {@code --plot FILE}
 * (default {@code target/fashion-mnist-curves.png}; {@code none} to skip), {@code --no-progress},
 * {@code --compiled} (train {@link CompiledNeuralNetwork}, the same network as a {@code @Differentiable}
 * module whose backward the processor wrote; it prints the same numbers).
 */
public final class FashionMnistSample {
  private FashionMnistSample() {}

  /** The command-line options. */
  public record Options(int epochs, Path data, Path init, long seed, Path plot, boolean progress, boolean compiled) {
    /** Parses {@code args}; throws {@link IllegalArgumentException} with a usage line on a bad argument. */
    public static Options parse(String... args) {
      int epochs = 10;
      Path data = FashionMNIST.DEFAULT_ROOT;
      Path init = null;
      long seed = 0;
      Path plot = Path.of("target", "fashion-mnist-curves.png");
      boolean progress = true;
      boolean compiled = false;
      // `exec:exec -Dsample.args="--epochs 1"` passes one string (possibly empty): split it
      args = java.util.Arrays.stream(args).flatMap(a -> java.util.Arrays.stream(a.trim().split("\\s+")))
          .filter(a -> !a.isEmpty()).toArray(String[]::new);
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, a));
          case "--data" -> data = Path.of(value(args, ++i, a));
          case "--init" -> init = Path.of(value(args, ++i, a));
          case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
          case "--plot" -> {
            String v = value(args, ++i, a);
            plot = v.equals("none") ? null : Path.of(v);
          }
          case "--no-progress" -> progress = false;
          case "--compiled" -> compiled = true;
          default -> throw new IllegalArgumentException("unknown argument '" + a + "'. " + USAGE);
        }
      }
      return new Options(epochs, data, init, seed, plot, progress, compiled);
    }

    private static String value(String[] args, int i, String name) {
      if (i >= args.length) {
        throw new IllegalArgumentException(name + " needs a value. " + USAGE);
      }
      return args[i];
    }
  }

  static final String USAGE = "Usage: FashionMnistSample [--epochs N] [--data DIR] [--init FILE.state] [--seed N] "
      + "[--plot FILE.png|none] [--no-progress] [--compiled]";

  /** What a run measured: per-epoch test accuracy and loss, and the logged training losses. */
  public record History(List<Double> testAccuracy, List<Double> testLoss, List<Double> loggedLossAt,
      List<Double> loggedLoss) {}

  public static void main(String[] args) throws IOException {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(o, System.out);
  }

  /** Runs the tutorial with options {@code o}, printing its output to {@code out}. */
  public static History run(Options o, PrintStream out) throws IOException {
    var trainingData = new FashionMNIST(o.data(), true);
    var testData = new FashionMNIST(o.data(), false);
    var trainDataloader = new DataLoader(trainingData, 64);
    var testDataloader = new DataLoader(testData, 64);

    Adjoint.manualSeed(o.seed());
    Module model;
    if (o.compiled()) {
      var compiled = new CompiledNeuralNetwork();
      if (o.init() != null) {
        compiled.loadPyTorchState(o.init());
      }
      model = compiled;
    } else {
      model = new NeuralNetwork();
      if (o.init() != null) {
        model.load(o.init());
      }
    }
    double learningRate = 1e-3;
    var lossFn = new CrossEntropyLoss();
    Optimizer optimizer = new SGD(model.parameters(), learningRate);
    var history = new History(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

    for (int t = 0; t < o.epochs(); t++) {
      out.printf(Locale.ROOT, "Epoch %d%n-------------------------------%n", t + 1);
      trainLoop(trainDataloader, model, lossFn, optimizer, t, o.progress() ? "Epoch " + (t + 1) : null, out,
          history);
      testLoop(testDataloader, model, lossFn, out, history);
    }
    out.println("Done!");
    if (o.plot() != null) {
      plot(history, o.plot());
      out.println("Curves written to " + o.plot());
    }
    return history;
  }

  static void trainLoop(DataLoader dataloader, Module model, CrossEntropyLoss lossFn, Optimizer optimizer, int epoch,
      String bar, PrintStream out, History history) {
    int size = dataloader.dataset().size();
    int batchSize = dataloader.batchSize();
    model.train();
    // the bar only on a terminal: redirected to a file or a pipe, its redraws would interleave with the log lines
    boolean terminal = System.console() != null && System.console().isTerminal();
    try (ProgressBar pb = bar == null || !terminal ? null : progressBar(bar, dataloader.size())) {
      int batch = 0;
      for (Batch b : dataloader) {
        Tensor pred = model.forward(b.x());
        Tensor loss = lossFn.forward(pred, b.y());

        // Backpropagation
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();

        if (pb != null) {
          pb.step();
        }
        if (batch % 100 == 0) {
          float l = loss.item();
          int current = batch * batchSize + b.size();
          if (pb != null) {
            pb.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", l));
            // the bar (stderr) and these lines share the terminal: erase the bar's line first; it redraws
            out.print("\r\033[2K");
          }
          out.printf(Locale.ROOT, "loss: %f  [%5d/%5d]%n", l, current, size);
          history.loggedLossAt().add(epoch + (double) current / size);
          history.loggedLoss().add((double) l);
        }
        batch++;
      }
    }
  }

  static void testLoop(DataLoader dataloader, Module model, CrossEntropyLoss lossFn, PrintStream out,
      History history) {
    model.eval();
    int size = dataloader.dataset().size();
    int numBatches = dataloader.size();
    double testLoss = 0;
    double correct = 0;
    try (var g = Autograd.noGrad()) {
      for (Batch b : dataloader) {
        Tensor pred = model.forward(b.x());
        testLoss += lossFn.forward(pred, b.y()).item();
        correct += pred.argmax(1).eq(b.y()).sum().item();
      }
    }
    testLoss /= numBatches;
    correct /= size;
    out.printf(Locale.ROOT, "Test Error: %n Accuracy: %.1f%%, Avg loss: %8f %n%n", 100 * correct, testLoss);
    history.testAccuracy().add(correct);
    history.testLoss().add(testLoss);
  }

  private static ProgressBar progressBar(String name, int batches) {
    return new ProgressBarBuilder()
        .setTaskName(name)
        .setInitialMax(batches)
        .setUnit(" batches", 1)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(500)
        .clearDisplayOnFinish()
        .build();
  }

  /**
   * Two charts side by side (one, with the test numbers in its title, after a single epoch): the training loss
   * logged every 100 batches, and the test accuracy (left axis)
   * and average test loss (right axis) after each epoch.
   */
  static void plot(History h, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart loss = new XYChartBuilder().width(640).height(420).title("Training loss (every 100 batches)")
        .xAxisTitle("epoch").yAxisTitle("cross-entropy loss").build();
    loss.getStyler().setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.000")
        .setLegendPosition(Styler.LegendPosition.InsideNE);
    loss.addSeries("train loss", h.loggedLossAt(), h.loggedLoss()).setMarker(SeriesMarkers.NONE);
    List<XYChart> charts = new ArrayList<>(List.of(loss));
    int n = h.testAccuracy().size();
    if (n < 2) {
      // one epoch gives one test point, not a curve: its numbers go into the loss chart's title instead
      if (n == 1) {
        loss.setTitle(String.format(Locale.ROOT, "Training loss (every 100 batches); test: accuracy %.1f%%, "
            + "avg loss %.4f", 100 * h.testAccuracy().get(0), h.testLoss().get(0)));
      }
    } else {
      List<Double> epochs = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        epochs.add((double) i);
      }
      XYChart test = new XYChartBuilder().width(640).height(420).title("Test set after each epoch")
          .xAxisTitle("epoch").build();
      // readable tick labels: accuracies such as 51.019999999999996 print as 51.02
      test.getStyler().setXAxisDecimalPattern("0").setYAxisDecimalPattern("0.###")
          .setYAxisGroupPosition(1, Styler.YAxisPosition.Right)
          .setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
      test.setYAxisGroupTitle(0, "accuracy (%)");
      test.setYAxisGroupTitle(1, "avg loss");
      test.addSeries("accuracy (%)", epochs, h.testAccuracy().stream().map(a -> 100 * a).toList());
      test.addSeries("avg loss", epochs, h.testLoss()).setYAxisGroup(1);
      charts.add(test);
    }
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      java.nio.file.Files.createDirectories(abs.getParent());
    }
    String name = abs.toString();
    // XChart appends the extension itself
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(charts, 1, charts.size(), base, BitmapEncoder.BitmapFormat.PNG);
  }
}
