package dev.adjoint.data;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A map-style dataset ({@code torch.utils.data.Dataset}): {@link #size()} samples, sample {@code i} from
 * {@link #get(int)}. A {@link DataLoader} asks for whole batches through {@link #batch(int[])}, which by
 * default stacks {@code get(i)}; datasets that hold their data in one array override it to fill the batch
 * directly.
 */
public interface Dataset {
  /** The number of samples ({@code len(dataset)}). */
  int size();

  /** Sample {@code i}, {@code 0 <= i < size()}. */
  Example get(int i);

  /** The samples at {@code indices}, stacked along a new first dimension (PyTorch's default collate). */
  default Batch batch(int[] indices) {
    List<Tensor> xs = new ArrayList<>(indices.length);
    List<Tensor> ys = new ArrayList<>(indices.length);
    for (int i : indices) {
      Example e = get(i);
      xs.add(e.x());
      ys.add(e.y());
    }
    return new Batch(stack(xs), stack(ys));
  }

  private static Tensor stack(List<Tensor> ts) {
    Tensor s;
    try (var g = Autograd.noGrad()) {
      s = Tensor.stack(ts, 0);
    }
    // keep INT64 labels INT64 (stack makes float tensors)
    return ts.isEmpty() ? s : Tensor.wrap(s.storage(), s.shape(), ts.get(0).dtype());
  }
}
