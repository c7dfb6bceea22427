package dev.adjoint.samples.thermometer;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seeds 000–002 with autograd: {@code params.grad}, the training loop that zeroes the gradient and updates
 * under {@code noGrad}, the optimizers, the train/validation split with validation under {@code noGrad},
 * and {@code setGradEnabled}.
 *
 * <p>The model and loss are the {@code @Differentiable} methods of {@link Thermometer}, called through their
 * generated companion {@code ThermometerDiff}: each call records one autograd node whose backward is the
 * generated code, so {@code loss.backward()}, {@code grad()}, {@code noGrad} and the optimizers work exactly
 * as in eager PyTorch.
 */
public final class AutogradTraining {
  private AutogradTraining() {}

  /** {@code model(t_u, *params)}: {@code params} holds {@code [w, b]}. */
  static Tensor model(Tensor tU, Tensor params) {
    return ThermometerDiff.model(tU, params.slice(0, 0, 1), params.slice(0, 1, 2));
  }

  /** {@code loss_fn(t_p, t_c)}. */
  static Tensor lossFn(Tensor tP, Tensor tC) {
    return ThermometerDiff.lossFn(tP, tC);
  }

  /**
   * Seed 000 In[7]: {@code loss_fn(model(t_u, *params), t_c).backward()} from a fresh {@code params}; returns
   * {@code params}, whose {@code grad()} now holds d loss / d [w, b].
   */
  public static Tensor backwardOnce(Tensor params, Tensor tU, Tensor tC) {
    Tensor loss = lossFn(model(tU, params), tC);
    loss.backward();
    return params;
  }

  /**
   * Seed 000 In[9]: the training loop with autograd. The gradient accumulates in {@code params.grad()}, so it
   * is zeroed before each backward; the update is an in-place change of a leaf that requires grad, so it runs
   * under {@code noGrad}. Prints {@code Epoch %d, Loss %f} every 500 epochs.
   */
  public static TrainingRun trainingLoop(int nEpochs, double learningRate, Tensor params, Tensor tU, Tensor tC) {
    List<String> lines = new ArrayList<>();
    for (int epoch = 1; epoch <= nEpochs; epoch++) {
      if (params.grad() != null) { // anywhere before loss.backward()
        params.grad().zero_();
      }
      Tensor tP = model(tU, params);
      Tensor loss = lossFn(tP, tC);
      loss.backward();

      try (var g = Autograd.noGrad()) {
        params.sub_(params.grad().mul(learningRate));
      }
      if (epoch % 500 == 0) {
        lines.add(String.format(Locale.ROOT, "Epoch %d, Loss %f", epoch, loss.item()));
      }
    }
    return new TrainingRun(lines, params);
  }

  /**
   * Seed 000 In[7] and In[8] of the optimizer section: one {@code zeroGrad()}, {@code backward()},
   * {@code step()}; returns the updated {@code params}.
   */
  public static Tensor oneStep(Optimizer optimizer, Tensor params, Tensor tU, Tensor tC) {
    Tensor tP = model(tU, params);
    Tensor loss = lossFn(tP, tC);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    return params;
  }

  /** Seed 000 In[9] of the optimizer section: the loop with {@code optimizer.zeroGrad()} and {@code step()}. */
  public static TrainingRun trainingLoop(int nEpochs, Optimizer optimizer, Tensor params, Tensor tU, Tensor tC) {
    List<String> lines = new ArrayList<>();
    for (int epoch = 1; epoch <= nEpochs; epoch++) {
      Tensor tP = model(tU, params);
      Tensor loss = lossFn(tP, tC);

      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();

      if (epoch % 500 == 0) {
        lines.add(String.format(Locale.ROOT, "Epoch %d, Loss %f", epoch, loss.item()));
      }
    }
    return new TrainingRun(lines, params);
  }

  /** A train/validation split of sample indices. */
  public record Split(Tensor trainIndices, Tensor valIndices) {}

  /**
   * Seed 000 In[12]: {@code n_val = int(0.2 * n_samples)}; the last {@code n_val} indices of
   * {@code shuffledIndices} are the validation set, the others the training set.
   */
  public static Split split(Tensor shuffledIndices) {
    int nSamples = shuffledIndices.size(0);
    int nVal = (int) (0.2 * nSamples);
    return new Split(shuffledIndices.slice(0, 0, nSamples - nVal),
        shuffledIndices.slice(0, nSamples - nVal, nSamples));
  }

  /** {@link #split(Tensor)} of {@code randperm(nSamples, generator)}, as the seed draws it. */
  public static Split randomSplit(int nSamples, Generator generator) {
    return split(Tensor.randperm(nSamples, generator));
  }

  /**
   * The permutation seed 000 printed for its split run: train {@code [9, 6, 5, 8, 4, 7, 0, 1, 3]}, val
   * {@code [2, 10]}. {@code randperm} draws another one on every run (and Adjoint's generator is not PyTorch's),
   * so the sample uses this one to print the seed's numbers.
   */
  public static Tensor seedPermutation() {
    return Tensor.indices(9, 6, 5, 8, 4, 7, 0, 1, 3, 2, 10);
  }

  /** The split run: printed lines, final parameters, and both losses of every epoch (for the plot). */
  public record SplitRun(List<String> lines, Tensor params, float[] trainLosses, float[] valLosses) {
    public SplitRun {
      lines = List.copyOf(lines);
    }
  }

  /**
   * Seed 000 In[14]–In[16]: trains on the training set and evaluates the validation loss every epoch. The
   * validation forward runs under {@code noGrad}: it records nothing, and the loop checks that
   * {@code valLoss.requiresGrad()} is false, as the seed asserts. Prints the first three epochs and every
   * 500th.
   */
  public static SplitRun trainingLoop(int nEpochs, Optimizer optimizer, Tensor params, Tensor trainTU,
      Tensor valTU, Tensor trainTC, Tensor valTC) {
    List<String> lines = new ArrayList<>();
    float[] trainLosses = new float[nEpochs];
    float[] valLosses = new float[nEpochs];
    for (int epoch = 1; epoch <= nEpochs; epoch++) {
      Tensor trainTP = model(trainTU, params);
      Tensor trainLoss = lossFn(trainTP, trainTC);

      Tensor valLoss;
      try (var g = Autograd.noGrad()) {
        Tensor valTP = model(valTU, params);
        valLoss = lossFn(valTP, valTC);
        if (valLoss.requiresGrad()) {
          throw new AssertionError("the validation loss requires grad under noGrad: " + valLoss);
        }
      }

      optimizer.zeroGrad();
      trainLoss.backward(); // no valLoss.backward(): the model must not learn from the validation set
      optimizer.step();

      trainLosses[epoch - 1] = trainLoss.item();
      valLosses[epoch - 1] = valLoss.item();
      if (epoch <= 3 || epoch % 500 == 0) {
        lines.add(String.format(Locale.ROOT, "Epoch %d, Training loss %.4f, Validation loss %.4f", epoch,
            trainLoss.item(), valLoss.item()));
      }
    }
    return new SplitRun(lines, params, trainLosses, valLosses);
  }

  /**
   * Seed 000 In[17]: the forward pass and loss with autograd on for training and off for inference,
   * chosen by a boolean ({@code torch.set_grad_enabled(is_train)}).
   */
  public static Tensor calcForward(Tensor tU, Tensor tC, Tensor params, boolean isTrain) {
    try (var g = Autograd.setGradEnabled(isTrain)) {
      Tensor tP = model(tU, params);
      return lossFn(tP, tC);
    }
  }
}
