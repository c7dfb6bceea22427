package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.BatchNorm1d;
import dev.adjoint.nn.BatchNorm2d;
import dev.adjoint.nn.Embedding;
import dev.adjoint.nn.GroupNorm;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Module;

/**
 * Issue 18's normalisation modules and {@code Embedding} inside one {@code @Differentiable} module: an embedding
 * with a padding index, {@code LayerNorm}, {@code BatchNorm1d} on {@code (N, C, L)} (momentum 0.3) and on
 * {@code (N, C)}, {@code GroupNorm}, {@code BatchNorm2d} (eps 1e-3, momentum 0.2), and a {@code BatchNorm2d} and a
 * {@code GroupNorm} without affine parameters, in training and in evaluation mode. {@code module_goldens.py} declares the same layers under the same names.
 */
final class ModuleZooNorm extends Module {
  final Embedding embed = new Embedding(7, 4, 0, new Generator(19));
  final LayerNorm ln = new LayerNorm(4);
  final BatchNorm1d bn1 = new BatchNorm1d(4, 1e-5, 0.3, true);
  final GroupNorm gn = new GroupNorm(2, 4);
  final BatchNorm1d bn0 = new BatchNorm1d(4);
  final BatchNorm2d bn2 = new BatchNorm2d(3, 1e-3, 0.2, true);
  final BatchNorm2d bnPlain = new BatchNorm2d(3, 1e-5, 0.1, false);
  final GroupNorm gnPlain = new GroupNorm(1, 4, 1e-5, false);

  ModuleZooNorm() {
    super(ModuleZooNormDiff.MEMBERS);
  }

  @Differentiable
  Tensor loss(Tensor tokens, Tensor img) {
    Tensor e = ln.forward(embed.forward(tokens));
    Tensor h = gn.forward(bn1.forward(e.transpose(1, 2)));
    Tensor s = bn0.forward(h.mean(2));
    Tensor i = bn2.forward(img);
    Tensor plain = bnPlain.forward(img).mul(i).sum().add(gnPlain.forward(h).mul(h.sigmoid()).sum());
    return h.tanh().mul(h).sum().add(s.sigmoid().sum()).add(i.mul(i.sigmoid()).sum()).add(plain);
  }
}
