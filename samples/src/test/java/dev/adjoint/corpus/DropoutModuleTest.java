package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dropout in generated code (issue 18): the {@code @Differentiable} module draws its mask from the dropout's
 * generator exactly as the eager module does (same seed, same bits: loss and every gradient), its backward reads
 * the saved mask, evaluation mode is the identity, and with the mask fixed (the generator's state reset before each
 * forward) the gradient and the JVP agree with central differences in float64.
 */
class DropoutModuleTest {
  private static final Tensor X = Tensor.randn(new Generator(3), 8, 4);
  private static final Tensor Y = Tensor.of(Tensor.DType.INT64, 0, 2, 1, 1, 0, 2, 2, 1);

  private static List<Tensor> grads(DropoutNet net) {
    return List.of(net.fc1.weight().grad(), net.fc1.bias().grad(), net.fc2.weight().grad(), net.fc2.bias().grad());
  }

  @Test
  void theGeneratedModuleMatchesTheEagerOneBitForBit() {
    Generator eagerMasks = new Generator(7);
    Generator generatedMasks = new Generator(7);
    DropoutNet eager = new DropoutNet(1, eagerMasks, Tensor.DType.FLOAT32);
    DropoutNet generated = new DropoutNet(1, generatedMasks, Tensor.DType.FLOAT32);
    for (int step = 0; step < 3; step++) { // three batches: the generators move on together
      eager.zeroGrad();
      generated.zeroGrad();
      Tensor eagerLoss = F.crossEntropy(eager.forward(X), Y);
      Tensor out = DropoutNetDiff.forward(generated, X);
      assertEquals("DropoutNetForwardBackward", out.gradFn().name(), "one generated node");
      Tensor generatedLoss = F.crossEntropy(out, Y);
      assertEquals(eagerLoss.item(), generatedLoss.item(), 0.0, "loss, step " + step);
      eagerLoss.backward();
      generatedLoss.backward();
      List<Tensor> e = grads(eager);
      List<Tensor> g = grads(generated);
      for (int k = 0; k < e.size(); k++) {
        assertArrayEquals(e.get(k).toFloatArray(), g.get(k).toFloatArray(), 0f, "gradient " + k + ", step " + step);
      }
    }
    assertEquals(eagerMasks.nextLong(), generatedMasks.nextLong(), "both drew the same number of values");
  }

  @Test
  void theBackwardReadsTheSavedMask() {
    DropoutNet net = new DropoutNet(1, new Generator(11), Tensor.DType.FLOAT32);
    var pullback = DropoutNetDiff.forwardPullback(net, X);
    Tensor mask = pullback.mask1();
    int zeros = 0;
    for (float m : mask.toFloatArray()) {
      assertTrue(m == 0f || m == (float) (1 / 0.6), "a mask entry is 0 or 1/(1-p): " + m);
      zeros += m == 0f ? 1 : 0;
    }
    assertTrue(zeros > 0 && zeros < mask.numel(), zeros + " zeros of " + mask.numel());
    // fc1's gradient reaches only the hidden units the mask kept: a dropped unit's row gets nothing from any sample
    var grad = pullback.backward(Tensor.onesLike(pullback.value()));
    Tensor h = pullback.relu1().mul(mask);
    assertArrayEquals(h.toFloatArray(), pullback.h().toFloatArray(), 0f, "h is relu(fc1(x)) times the saved mask");
    float[] dW1 = grad.fc1Weight().toFloatArray();
    float[] m = mask.toFloatArray();
    for (int j = 0; j < 6; j++) {
      boolean keptByAny = false;
      for (int b = 0; b < 8; b++) {
        keptByAny |= m[b * 6 + j] != 0f && pullback.relu1().toFloatArray()[b * 6 + j] > 0f;
      }
      if (!keptByAny) {
        for (int i = 0; i < 4; i++) {
          assertEquals(0f, dW1[j * 4 + i], 0f, "unit " + j + " was dropped or inactive in every sample");
        }
      }
    }
  }

  @Test
  void evaluationModeIsTheIdentityAndDrawsNothing() {
    Generator masks = new Generator(5);
    DropoutNet net = new DropoutNet(1, masks, Tensor.DType.FLOAT32);
    net.eval();
    Tensor expected;
    try (var g = Autograd.noGrad()) {
      expected = net.fc2.forward(net.fc1.forward(X).relu());
    }
    var pullback = DropoutNetDiff.forwardPullback(net, X);
    assertArrayEquals(expected.toFloatArray(), pullback.value().toFloatArray(), 0f);
    assertEquals(new Generator(5).nextLong(), masks.nextLong(), "evaluation draws no mask");
    // the gradient is the network's without dropout: eager on the same layers
    Tensor loss = F.crossEntropy(net.fc2.forward(net.fc1.forward(X).relu()), Y);
    loss.backward();
    var out = pullback.value();
    Tensor dOut;
    {
      Tensor o = out.detach().requiresGrad(true);
      F.crossEntropy(o, Y).backward();
      dOut = o.grad();
    }
    var grad = pullback.backward(dOut);
    assertArrayEquals(net.fc1.weight().grad().toFloatArray(), grad.fc1Weight().toFloatArray(), 0f);
    assertArrayEquals(net.fc2.weight().grad().toFloatArray(), grad.fc2Weight().toFloatArray(), 0f);
  }

  @Test
  void trainAndEvalSwitchTheGeneratedDropoutBackAndForth() {
    Generator masks = new Generator(9);
    DropoutNet net = new DropoutNet(1, masks, Tensor.DType.FLOAT32);
    Generator twinMasks = new Generator(9);
    DropoutNet twin = new DropoutNet(1, twinMasks, Tensor.DType.FLOAT32);
    Tensor plain;
    try (var g = Autograd.noGrad()) {
      plain = net.fc2.forward(net.fc1.forward(X).relu());
    }
    net.eval();
    assertArrayEquals(plain.toFloatArray(), DropoutNetDiff.forward(net, X).toFloatArray(), 0f, "eval: no dropout");
    net.train();
    Tensor trained = DropoutNetDiff.forward(net, X);
    net.eval();
    assertArrayEquals(plain.toFloatArray(), DropoutNetDiff.forward(net, X).toFloatArray(), 0f, "eval again");
    net.train();
    Tensor again = DropoutNetDiff.forward(net, X);
    // the twin draws two masks eagerly: the generated module drew the same two, and nothing in evaluation mode
    Tensor twin1 = twin.forward(X);
    Tensor twin2 = twin.forward(X);
    assertArrayEquals(twin1.toFloatArray(), trained.toFloatArray(), 0f, "first training forward");
    assertArrayEquals(twin2.toFloatArray(), again.toFloatArray(), 0f, "second training forward");
    assertNotEquals(List.of(plain.toString()), List.of(trained.toString()), "training mode drops units");
    assertEquals(twinMasks.nextLong(), masks.nextLong(), "both generators are at the same position");
  }

  @Test
  void centralDifferencesWithTheMaskFixed() {
    Generator masks = new Generator(13);
    Generator.State s0 = masks.getState();
    DropoutNet net = new DropoutNet(2, masks, Tensor.DType.FLOAT64);
    Tensor x = X.to(Tensor.DType.FLOAT64);
    var r = DropoutNetDiff.forwardPullback(net, x);
    Tensor o = r.value().detach().requiresGrad(true);
    F.crossEntropy(o, Y).backward();
    var grad = r.backward(o.grad());
    List<Tensor> params = List.of(net.fc1.weight(), net.fc1.bias(), net.fc2.weight(), net.fc2.bias());
    List<Tensor> generated = List.of(grad.fc1Weight(), grad.fc1Bias(), grad.fc2Weight(), grad.fc2Bias());
    double h = 1e-6;
    int nonzero = 0;
    for (int p = 0; p < params.size(); p++) {
      Tensor w = params.get(p);
      for (int k = 0; k < w.numel(); k++) {
        double saved = w.storageF64()[k];
        double up = lossAt(net, x, masks, s0, w, k, saved + h);
        double down = lossAt(net, x, masks, s0, w, k, saved - h);
        lossAt(net, x, masks, s0, w, k, saved);
        double fd = (up - down) / (2 * h);
        double g = generated.get(p).storageF64()[k];
        assertEquals(fd, g, 1e-6 * Math.max(1, Math.abs(fd)), "parameter " + p + "[" + k + "]");
        nonzero += g != 0 ? 1 : 0;
      }
    }
    assertTrue(nonzero > 20, "a gradient worth checking: " + nonzero + " non-zero entries");
  }

  /** The eager loss with {@code w[k] = v} and the mask generator reset to {@code s0} (the same mask). */
  private static double lossAt(DropoutNet net, Tensor x, Generator masks, Generator.State s0, Tensor w, int k,
      double v) {
    try (var g = Autograd.noGrad()) {
      w.storageF64()[k] = v;
      masks.setState(s0);
      return F.crossEntropy(net.forward(x), Y).itemDouble();
    }
  }

  @Test
  void functionalDropoutMatchesEagerAndItsJvpCentralDifferences() {
    Tensor x = Tensor.randn(new Generator(4), 5, 3).to(Tensor.DType.FLOAT64);
    Generator masks = new Generator(21);
    Generator.State s0 = masks.getState();
    var r = DropoutNetDiff.functionalValueAndGrad(x, masks, true);
    masks.setState(s0);
    Tensor leaf = x.copy().requiresGrad(true);
    Tensor eager = DropoutNet.functional(leaf, masks, true);
    eager.backward();
    assertEquals(eager.itemDouble(), r.value().itemDouble(), 0.0, "value, same mask");
    assertArrayEquals(leaf.grad().toDoubleArray(), r.gradient().x().toDoubleArray(), 0.0, "gradient, same mask");

    Tensor t = Tensor.randn(new Generator(8), 5, 3).to(Tensor.DType.FLOAT64);
    masks.setState(s0);
    var jvp = DropoutNetDiff.functionalJvp(x, masks, true, t);
    double h = 1e-6;
    masks.setState(s0);
    double up = DropoutNet.functional(x.add(t.mul(h)), masks, true).itemDouble();
    masks.setState(s0);
    double down = DropoutNet.functional(x.sub(t.mul(h)), masks, true).itemDouble();
    double fd = (up - down) / (2 * h);
    assertEquals(fd, jvp.tangent().itemDouble(), 1e-6 * Math.max(1, Math.abs(fd)), "JVP, mask fixed");
    // and the JVP is the gradient along t (the dot-product test)
    double dot = r.gradient().x().mul(t).sum().itemDouble();
    assertEquals(dot, jvp.tangent().itemDouble(), 1e-12 * Math.max(1, Math.abs(dot)));
    // a different mask gives a different value: the generator is really read
    assertNotEquals(r.value().itemDouble(), DropoutNet.functional(x, masks, true).itemDouble());
    // evaluation: the identity, nothing drawn
    Generator.State before = masks.getState();
    var ev = DropoutNetDiff.functionalValueAndGrad(x, masks, false);
    assertEquals(before, masks.getState());
    assertEquals(x.tanh().mul(x).sum().itemDouble(), ev.value().itemDouble(), 0.0);
  }
}
