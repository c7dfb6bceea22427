package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.AdaptiveAvgPool2d;
import dev.adjoint.nn.AvgPool2d;
import dev.adjoint.nn.Conv1d;
import dev.adjoint.nn.Conv2d;
import dev.adjoint.nn.ConvTranspose2d;
import dev.adjoint.nn.GELU;
import dev.adjoint.nn.LeakyReLU;
import dev.adjoint.nn.MaxPool2d;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.SiLU;
import dev.adjoint.nn.Sigmoid;
import dev.adjoint.nn.Softplus;
import dev.adjoint.nn.Tanh;

/**
 * Issue 18's convolution, pooling and activation modules inside one {@code @Differentiable} module, each a library
 * module whose {@code forward} is a primitive with receiver inputs: {@code Conv2d} with padding {@code "same"},
 * dilation, groups and bias, a strided {@code Conv2d} without bias, {@code ConvTranspose2d} with an output padding,
 * {@code MaxPool2d}, {@code AvgPool2d} (padding, {@code count_include_pad=False}), {@code AdaptiveAvgPool2d} to a
 * size its input does not divide, {@code Conv1d} (stride, padding, dilation, groups; and {@code "same"}), and the
 * activation modules. {@code module_goldens.py} declares the same layers under the same names.
 */
final class ModuleZooConv extends Module {
  final Conv2d same;
  final Conv2d strided;
  final ConvTranspose2d up;
  final MaxPool2d pool = new MaxPool2d(2);
  final AvgPool2d avg = new AvgPool2d(new int[] {3}, new int[] {1}, new int[] {1}, false, false);
  final AdaptiveAvgPool2d adapt = new AdaptiveAvgPool2d(new int[] {2, 3});
  final Conv1d line;
  final Conv1d lineSame;
  final GELU gelu = new GELU();
  final SiLU silu = new SiLU();
  final LeakyReLU leaky = new LeakyReLU(0.2);
  final Softplus softplus = new Softplus(2, 1);
  final Tanh tanh = new Tanh();
  final Sigmoid sigmoid = new Sigmoid();

  ModuleZooConv() {
    super(ModuleZooConvDiff.MEMBERS);
    Generator g = new Generator(18);
    same = new Conv2d(4, 4, new int[] {3}, new int[] {1}, "same", new int[] {2}, 2, true, g);
    strided = new Conv2d(4, 6, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, 1, false, g);
    up = new ConvTranspose2d(6, 3, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, 1, true,
        new int[] {1}, g);
    line = new Conv1d(4, 4, 3, 2, 2, 2, 2, true, g);
    lineSame = new Conv1d(4, 2, 3, 1, "same", 2, 1, false, g);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = gelu.forward(same.forward(x));
    h = silu.forward(strided.forward(h));
    h = leaky.forward(up.forward(h));
    Tensor p = avg.forward(pool.forward(h));
    Tensor q = sigmoid.forward(adapt.forward(softplus.forward(p)));
    Tensor l = lineSame.forward(tanh.forward(line.forward(x.flatten(2, 3))));
    return q.mul(q).sum().add(l.mul(l).mean());
  }
}
