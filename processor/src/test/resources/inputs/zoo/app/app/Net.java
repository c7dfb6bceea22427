package app;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.Module;
import zoo.Affine;
import zoo.Block;
import zoo.Mlp;

/** An application module whose fields are zoo modules (nested two deep) and a zoo record. */
public final class Net extends Module {
  public final Mlp mlp;
  public final Block head;
  public final Affine affine;
  public final Tensor bias;

  public Net() {
    super(NetDiff.MEMBERS);
    mlp = new Mlp(3, 4, 7);
    head = new Block(4);
    affine = new Affine(Tensor.of(0.5f, -1f, 1.5f, 2f).requiresGrad(true), Tensor.of(0.1f).requiresGrad(true));
    bias = Tensor.of(0.25f).requiresGrad(true);
  }

  @Differentiable(wrt = "this")
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = mlp.forward(x);
    return head.forward(affine.apply(h)).add(bias).sum();
  }
}
