package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.adjoint.nn.F;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real graph (goldens/composite.json): a two-layer network whose loss mixes most
 * rules, with shared subexpressions (the hidden layer feeds five terms), a retained non-leaf, leaves
 * reached along several paths, and gradients checked against PyTorch's.
 */
class CompositeGraphTest {
  static final JsonObject G = Goldens.load("composite.json");

  @Test
  void gradientsOfASmallNetworkMatchPyTorch() {
    JsonObject l = G.getAsJsonObject("leaves");
    Tensor x = Goldens.tensor(l.get("x"));
    Tensor w1 = Goldens.tensor(l.get("w1")).requiresGrad(true);
    Tensor b1 = Goldens.tensor(l.get("b1")).requiresGrad(true);
    Tensor w2 = Goldens.tensor(l.get("w2")).requiresGrad(true);
    Tensor t = Goldens.tensor(l.get("t"));

    Tensor h = x.matmul(w1).add(b1).relu().retainGrad();
    Tensor logits = h.matmul(w2);
    Tensor p = F.softmax(logits, 1);
    Tensor loss = F.crossEntropy(logits, t)
        .add(w1.pow(2).sum().mul(0.1))
        .add(F.mseLoss(logits.sigmoid(), p))
        .add(h.tanh().mean(0).max())
        .sub(Tensor.cat(List.of(b1, b1.mul(2.0)), 0).abs().sum().div(10.0))
        .add(Tensor.stack(List.of(w2.slice(0, 0, 1).reshape(2), w2.slice(0, 1, 3).sum(0)), 0).exp().mean())
        .add(h.sum(1).add(1.0).log().sum());
    loss.backward();

    AutogradTutorialTest.assertClose(Goldens.tensor(G.get("loss")), loss, 1e-5);
    assertEquals(Goldens.javaNames(G.get("lossStr").getAsString()), loss.toString());
    JsonObject g = G.getAsJsonObject("grads");
    AutogradTutorialTest.assertClose(Goldens.tensor(g.get("w1")), w1.grad(), 1e-5);
    AutogradTutorialTest.assertClose(Goldens.tensor(g.get("b1")), b1.grad(), 1e-5);
    AutogradTutorialTest.assertClose(Goldens.tensor(g.get("w2")), w2.grad(), 1e-5);
    AutogradTutorialTest.assertClose(Goldens.tensor(g.get("h")), h.grad(), 1e-5);
  }
}
