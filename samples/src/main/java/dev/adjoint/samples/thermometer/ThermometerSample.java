package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Edge;
import dev.adjoint.autograd.Node;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.plot.Plots;
import dev.adjoint.samples.thermometer.AutogradTraining.Split;
import dev.adjoint.samples.thermometer.AutogradTraining.SplitRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Seeds 000–002 as one program: the thermometer calibration from finite differences and a hand-derived
 * gradient to autograd, the optimizers and a train/validation split, then two plots.
 *
 * <p>Run it with {@code mvn -pl samples -am -DskipTests package exec:exec}; the plots go to
 * {@code samples/target/plots/} (or to the directory given as the first argument). Each section is a method
 * that returns the lines it prints, so the tests assert exactly what a user sees.
 */
public final class ThermometerSample {
  private ThermometerSample() {}

  /** Where the plots go when no directory is given: {@code target/plots} under the working directory. */
  public static final Path DEFAULT_PLOT_DIR = Path.of("target", "plots");

  /**
   * Seed 002: finite differences, the hand-derived gradient next to the generated one (the functional form
   * {@code ThermometerDiff.modelPullback} / {@code lossFnValueAndGrad}) and to autograd's, then the 5-epoch
   * loop with the hand-derived gradient.
   */
  public static List<String> handDerivedGradient() {
    Tensor tC = ThermometerData.tC();
    Tensor tU = ThermometerData.tU();
    List<String> lines = new ArrayList<>(HandDerivedGradient.finiteDifferenceStep(tU, tC));

    Tensor params = Tensor.of(1.0f, 0.0f);
    Tensor w = params.slice(0, 0, 1);
    Tensor b = params.slice(0, 1, 2);
    Tensor tP = Thermometer.model(tU, w, b);
    lines.add("hand-derived gradient, grad_fn      = " + HandDerivedGradient.gradFn(tU, tC, tP, w, b));
    lines.add("generated gradient, ThermometerDiff = " + generatedGradient(tU, tC, w, b));
    Tensor tracked = AutogradTraining.backwardOnce(Tensor.of(1.0f, 0.0f).requiresGrad(true), tU, tC);
    lines.add("autograd gradient, params.grad      = " + tracked.grad());

    TrainingRun run = HandDerivedGradient.trainingLoop(5, 1e-2, Tensor.of(1.0f, 0.0f), ThermometerData.tUn(), tC);
    lines.addAll(run.lines());
    lines.add(run.params().toString());
    return lines;
  }

  /**
   * {@code [d loss / d w, d loss / d b]} from the generated code alone, with no autograd graph: the model's
   * pullback, the loss's value and gradient, then the model's backward from the loss's gradient (the chain
   * rule that {@code grad_fn} applies by hand).
   */
  public static Tensor generatedGradient(Tensor tU, Tensor tC, Tensor w, Tensor b) {
    ThermometerDiff.ModelPullback model = ThermometerDiff.modelPullback(tU, w, b);
    ThermometerDiff.LossFnValueAndGrad loss = ThermometerDiff.lossFnValueAndGrad(model.value(), tC);
    ThermometerDiff.ModelGradient grad = model.backward(loss.gradient().tP());
    return Tensor.cat(List.of(grad.w(), grad.b()), 0);
  }

  /**
   * Seed 000 §5.5.1: {@code params.grad}, how it accumulates, and the training loop with autograd. The run's
   * parameters are the fitted line.
   */
  public static TrainingRun autograd() {
    Tensor tC = ThermometerData.tC();
    Tensor tU = ThermometerData.tU();
    List<String> lines = new ArrayList<>();
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    lines.add("params.grad is null: " + (params.grad() == null));
    AutogradTraining.backwardOnce(params, tU, tC);
    lines.add("params.grad = " + params.grad());
    Tensor w = params.slice(0, 0, 1);
    Tensor b = params.slice(0, 1, 2);
    lines.add("graph of the loss, @Differentiable: "
        + graphOf(ThermometerDiff.lossFn(ThermometerDiff.model(tU, w, b), tC)));
    lines.add("graph of the loss, eager:           "
        + graphOf(EagerThermometer.lossFn(EagerThermometer.model(tU, w, b), tC)));
    AutogradTraining.backwardOnce(params, tU, tC);
    lines.add("after a second backward without zero_(): params.grad = " + params.grad());

    TrainingRun run = AutogradTraining.trainingLoop(5000, 1e-2, Tensor.of(1.0f, 0.0f).requiresGrad(true),
        ThermometerData.tUn(), tC);
    lines.addAll(run.lines());
    lines.add(run.params().toString());
    return new TrainingRun(lines, run.params());
  }

  /**
   * The chain of {@code gradFn} names from {@code t} towards the leaves, along the first input that has a
   * node: one node per generated method, one per operation in eager code.
   */
  static String graphOf(Tensor t) {
    List<String> names = new ArrayList<>();
    Node n = t.gradFn();
    while (n != null) {
      names.add(n.name());
      n = Arrays.stream(n.nextFunctions()).map(Edge::node)
          .filter(m -> m != null && !m.name().equals("AccumulateGrad")).findFirst().orElse(null);
    }
    return String.join(" <- ", names);
  }

  /** Seed 000 §5.5.2: {@code SGD} one step (twice) and in the loop, then {@code Adam} on the raw readings. */
  public static List<String> optimizers() {
    Tensor tC = ThermometerData.tC();
    List<String> lines = new ArrayList<>();

    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    AutogradTraining.oneStep(new SGD(List.of(params), 1e-5), params, ThermometerData.tU(), tC);
    lines.add("SGD lr=1e-5, one step on t_u:  " + params);

    params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    AutogradTraining.oneStep(new SGD(List.of(params), 1e-2), params, ThermometerData.tUn(), tC);
    lines.add("SGD lr=1e-2, one step on t_un: " + params);

    params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    TrainingRun sgd = AutogradTraining.trainingLoop(5000, new SGD(List.of(params), 1e-2), params,
        ThermometerData.tUn(), tC);
    lines.add("SGD lr=1e-2, 5000 epochs on t_un:");
    lines.addAll(sgd.lines());
    lines.add(sgd.params().toString());

    params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    TrainingRun adam = AutogradTraining.trainingLoop(2000, new Adam(List.of(params), 1e-1), params,
        ThermometerData.tU(), tC);
    lines.add("Adam lr=1e-1, 2000 epochs on t_u:");
    lines.addAll(adam.lines());
    lines.add(adam.params().toString());
    return lines;
  }

  /** Seed 000 §5.5.3: the train/validation split run with the seed's permutation. */
  public static SplitRun splitRun() {
    Split split = AutogradTraining.split(AutogradTraining.seedPermutation());
    Tensor tU = ThermometerData.tU();
    Tensor tC = ThermometerData.tC();
    Tensor trainTU = tU.index(split.trainIndices());
    Tensor trainTC = tC.index(split.trainIndices());
    Tensor valTU = tU.index(split.valIndices());
    Tensor valTC = tC.index(split.valIndices());
    Tensor trainTUn = trainTU.mul(0.1);
    Tensor valTUn = valTU.mul(0.1);

    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    return AutogradTraining.trainingLoop(3000, new SGD(List.of(params), 1e-2), params, trainTUn,
        valTUn, trainTC, valTC);
  }

  /** The split section's lines: the indices, the run, the final parameters. */
  public static List<String> splitLines(SplitRun run) {
    Split split = AutogradTraining.split(AutogradTraining.seedPermutation());
    List<String> lines = new ArrayList<>();
    lines.add("train_indices, val_indices = " + split.trainIndices() + ", " + split.valIndices());
    lines.addAll(run.lines());
    lines.add(run.params().toString());
    return lines;
  }

  /** Seed 000 In[17]: {@code calcForward} with autograd on (training) and off (inference). */
  public static List<String> gradMode(Tensor params) {
    Tensor tU = ThermometerData.tUn();
    Tensor tC = ThermometerData.tC();
    return List.of(
        "calcForward(isTrain=true).requiresGrad()  = " + AutogradTraining.calcForward(tU, tC, params, true)
            .requiresGrad(),
        "calcForward(isTrain=false).requiresGrad() = " + AutogradTraining.calcForward(tU, tC, params, false)
            .requiresGrad());
  }

  /**
   * The two plots: the line fitted on all readings ({@code params}, trained on {@code t_un}) over the data
   * points, and training against validation loss per epoch of the split run. The parameters are detached
   * before they are used for plotting, as the seed does with {@code t_p.detach()}. Returns the files written.
   */
  public static List<Path> writePlots(Path dir, Tensor params, SplitRun run) throws IOException {
    Tensor fitted = params.detach();
    Tensor tP = Thermometer.model(ThermometerData.tUn(), fitted.slice(0, 0, 1), fitted.slice(0, 1, 2));
    Path fit = Plots.fittedLine(ThermometerData.tU().toFloatArray(), ThermometerData.tC().toFloatArray(),
        tP.toFloatArray(), dir.resolve("thermometer-fit.png"));
    Path losses = Plots.lossCurves(run.trainLosses(), run.valLosses(), dir.resolve("thermometer-losses.png"));
    return List.of(fit.toAbsolutePath(), losses.toAbsolutePath());
  }

  /**
   * Where the plots go: {@code args[0]}, or {@link #DEFAULT_PLOT_DIR} when it is missing or blank
   * ({@code exec:exec} passes {@code -Dsample.args} as one argument, empty by default).
   */
  static Path plotDir(String[] args) {
    return args.length > 0 && !args[0].isBlank() ? Path.of(args[0].strip()) : DEFAULT_PLOT_DIR;
  }

  /** Runs every section, prints it, writes the plots to {@link #plotDir(String[])}. */
  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path plotDir = plotDir(args);
    print("Seed 002: finite differences and the gradient by hand", handDerivedGradient());
    TrainingRun fit = autograd();
    print("Seed 000: autograd", fit.lines());
    print("Seed 000: optimizers", optimizers());
    SplitRun run = splitRun();
    print("Seed 000: training and validation", splitLines(run));
    print("Seed 000: setGradEnabled", gradMode(run.params()));
    List<String> written = new ArrayList<>();
    for (Path p : writePlots(plotDir, fit.params(), run)) {
      written.add("wrote " + p);
    }
    print("Plots", written);
  }

  private static void print(String title, List<String> lines) {
    System.out.println(String.format(Locale.ROOT, "== %s", title));
    lines.forEach(System.out::println);
    System.out.println();
  }
}
