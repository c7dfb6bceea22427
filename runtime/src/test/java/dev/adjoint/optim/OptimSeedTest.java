package dev.adjoint.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Seed 000's optimizer cells (In[6] to In[11]): the numbers the book prints, to the printed digits. */
class OptimSeedTest {
  static final Tensor T_C = Tensor.of(0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f);
  static final Tensor T_U = Tensor.of(35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f);
  static final Tensor T_UN = T_U.mul(0.1);

  static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  static Tensor lossFn(Tensor tP, Tensor tC) {
    return tP.sub(tC).pow(2).mean();
  }

  static Tensor loss(Tensor params, Tensor tU) {
    return lossFn(model(tU, params.slice(0, 0, 1), params.slice(0, 1, 2)), T_C);
  }

  /** The book's training_loop: zeroGrad, backward, step; prints the loss every 500 epochs. */
  static List<String> trainingLoop(int epochs, Optimizer optimizer, Tensor params, Tensor tU) {
    List<String> lines = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      Tensor loss = loss(params, tU);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (epoch % 500 == 0) {
        lines.add(String.format(Locale.ROOT, "Epoch %d, Loss %f", epoch, loss.item()));
      }
    }
    return lines;
  }

  @Test
  void sgdOneStepOnRawInput() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    var optimizer = new SGD(List.of(params), 1e-5);
    loss(params, T_U).backward();
    optimizer.step();
    // The seed shows tensor([9.5483e-01, -8.2600e-04], ...): the notebook dropped the padding space
    // that PyTorch prints (checked with PyTorch 1.13: "tensor([ 9.5483e-01, -8.2600e-04], requires_grad=True)").
    assertEquals("tensor([ 9.5483e-01, -8.2600e-04], requiresGrad=true)", params.toString());
  }

  @Test
  void sgdOneStepOnNormalizedInputAfterZeroGrad() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    var optimizer = new SGD(List.of(params), 1e-2);
    Tensor loss = loss(params, T_UN);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    assertEquals("tensor([1.7761, 0.1064], requiresGrad=true)", params.toString());
  }

  @Test
  void sgdTrainingLoopPrintsTheBookLosses() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    var optimizer = new SGD(List.of(params), SGD.options().lr(1e-2));
    List<String> lines = trainingLoop(5000, optimizer, params, T_UN);
    assertEquals(List.of("Epoch 500, Loss 7.860118", "Epoch 1000, Loss 3.828538", "Epoch 1500, Loss 3.092191",
        "Epoch 2000, Loss 2.957697", "Epoch 2500, Loss 2.933134", "Epoch 3000, Loss 2.928648",
        "Epoch 3500, Loss 2.927830", "Epoch 4000, Loss 2.927680", "Epoch 4500, Loss 2.927651",
        "Epoch 5000, Loss 2.927648"), lines);
    assertEquals("tensor([  5.3671, -17.3012], requiresGrad=true)", params.toString());
  }

  @Test
  void adamTrainingLoopOnRawInputPrintsTheBookLosses() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    var optimizer = new Adam(List.of(params), Adam.options().lr(1e-1));
    List<String> lines = trainingLoop(2000, optimizer, params, T_U);
    assertEquals(List.of("Epoch 500, Loss 7.612903", "Epoch 1000, Loss 3.086700", "Epoch 1500, Loss 2.928578",
        "Epoch 2000, Loss 2.927646"), lines);
    assertEquals("tensor([  0.5367, -17.3021], requiresGrad=true)", params.toString());
  }
}
