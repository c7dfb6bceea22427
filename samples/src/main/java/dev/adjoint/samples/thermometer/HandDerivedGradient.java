package dev.adjoint.samples.thermometer;

import static dev.adjoint.samples.thermometer.Thermometer.lossFn;
import static dev.adjoint.samples.thermometer.Thermometer.model;

import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seed 002 before autograd: the gradient of the loss estimated by finite differences and derived by
 * hand with the chain rule ({@code dloss_fn}, {@code dmodel_dw}, {@code dmodel_db}, {@code grad_fn}),
 * then the plain gradient-descent loop that uses it. Nothing here requires grad: {@link Thermometer}'s
 * {@code @Differentiable} methods are called as the ordinary Java methods they also are.
 */
public final class HandDerivedGradient {
  private HandDerivedGradient() {}

  /** {@code d loss / d t_p}: the derivative of the mean of squares, {@code 2 (t_p - t_c) / n}. */
  public static Tensor dlossFn(Tensor tP, Tensor tC) {
    return tP.sub(tC).mul(2).div(tP.size(0));
  }

  /** {@code d model / d w = t_u}. */
  public static Tensor dmodelDw(Tensor tU, Tensor w, Tensor b) {
    return tU;
  }

  /** {@code d model / d b = 1}. */
  public static double dmodelDb(Tensor tU, Tensor w, Tensor b) {
    return 1.0;
  }

  /**
   * {@code [d loss / d w, d loss / d b]} by the chain rule. The sums undo the broadcasting of the scalar
   * parameters over the vector of inputs in the model.
   */
  public static Tensor gradFn(Tensor tU, Tensor tC, Tensor tP, Tensor w, Tensor b) {
    Tensor dlossDtp = dlossFn(tP, tC);
    Tensor dlossDw = dlossDtp.mul(dmodelDw(tU, w, b));
    Tensor dlossDb = dlossDtp.mul(dmodelDb(tU, w, b));
    return Tensor.stack(dlossDw.sum(), dlossDb.sum());
  }

  /**
   * The finite-difference step of seed 002 from {@code w = 1, b = 0} with {@code delta = 0.1} and learning
   * rate {@code 1e-2}: the central difference of the loss in {@code w}, the updated {@code w}, then the same
   * for {@code b} at the updated {@code w}. Returns the four printed lines.
   */
  public static List<String> finiteDifferenceStep(Tensor tU, Tensor tC) {
    Tensor w = Tensor.ones();
    Tensor b = Tensor.zeros();
    double delta = 0.1;
    double learningRate = 1e-2;
    List<String> lines = new ArrayList<>();

    Tensor lossRateOfChangeW = lossFn(model(tU, w.add(delta), b), tC)
        .sub(lossFn(model(tU, w.sub(delta), b), tC)).div(2.0 * delta);
    w = w.sub(lossRateOfChangeW.mul(learningRate));
    lines.add("loss_rate_of_change_w = " + lossRateOfChangeW);
    lines.add("w = " + w);

    Tensor lossRateOfChangeB = lossFn(model(tU, w, b.add(delta)), tC)
        .sub(lossFn(model(tU, w, b.sub(delta)), tC)).div(2.0 * delta);
    b = b.sub(lossRateOfChangeB.mul(learningRate));
    lines.add("loss_rate_of_change_b = " + lossRateOfChangeB);
    lines.add("b = " + b);
    return lines;
  }

  /**
   * Seed 002's {@code training_loop} before autograd: {@code params = params - learning_rate * grad} with the
   * hand-derived gradient, printing {@code Epoch %d, Loss %f} every epoch.
   */
  public static TrainingRun trainingLoop(int nEpochs, double learningRate, Tensor params, Tensor tU, Tensor tC) {
    List<String> lines = new ArrayList<>();
    for (int epoch = 1; epoch <= nEpochs; epoch++) {
      Tensor w = params.slice(0, 0, 1);
      Tensor b = params.slice(0, 1, 2);

      Tensor tP = model(tU, w, b); // forward pass
      Tensor loss = lossFn(tP, tC);
      Tensor grad = gradFn(tU, tC, tP, w, b);

      params = params.sub(grad.mul(learningRate)); // the update
      lines.add(String.format(Locale.ROOT, "Epoch %d, Loss %f", epoch, loss.item()));
    }
    return new TrainingRun(lines, params);
  }
}
