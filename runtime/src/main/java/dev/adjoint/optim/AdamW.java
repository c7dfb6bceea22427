package dev.adjoint.optim;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): PyTorch's {@code torch.optim.AdamW}. Each
 * step first multiplies the parameter by {@code 1 - lr * weight_decay} (float32), then makes Adam's
 * update without weight decay in the gradient. Default weight decay is 1e-2, as in PyTorch.
 */
public final class AdamW extends Adam {

  /** New default options for AdamW (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2). */
  public static Options options() {
    return new Options(1e-2);
  }

  /** AdamW over {@code params} (Tensors or ParamGroups); build options with {@link #options()}. */
  public AdamW(List<?> params, Options options) {
    super("AdamW", params, options, true);
  }

  /** AdamW with default options and learning rate {@code lr}. */
  public AdamW(List<?> params, double lr) {
    this(params, options().lr(lr));
  }
}
