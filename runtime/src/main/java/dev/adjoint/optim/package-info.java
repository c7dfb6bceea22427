/**
 * Optimizers with the behaviour of PyTorch's {@code torch.optim}: {@link dev.adjoint.optim.SGD},
 * {@link dev.adjoint.optim.Adam}, {@link dev.adjoint.optim.AdamW}, {@link dev.adjoint.optim.Adamax},
 * {@link dev.adjoint.optim.Adagrad}, {@link dev.adjoint.optim.Adadelta}, {@link
 * dev.adjoint.optim.RMSprop}, {@link dev.adjoint.optim.Rprop}, {@link dev.adjoint.optim.ASGD}, {@link
 * dev.adjoint.optim.NAdam}, {@link dev.adjoint.optim.RAdam} and {@link dev.adjoint.optim.LBFGS}; learning-rate
 * schedulers are in {@link dev.adjoint.optim.lr}.
 *
 * <pre>{@code
 * Tensor params = Tensor.of(1f, 0f).requiresGrad(true);
 * var optimizer = new Adam(List.of(params), Adam.options().lr(1e-1));
 * for (int epoch = 1; epoch <= 2000; epoch++) {
 *   Tensor loss = lossFn(model(tU, params), tC);
 *   optimizer.zeroGrad();
 *   loss.backward();
 *   optimizer.step();
 * }
 * }</pre>
 *
 * <h2>Mapping from PyTorch</h2>
 * <ul>
 *   <li>Constructors take a {@code List} of parameters, or of {@link dev.adjoint.optim.ParamGroup}s for
 *       per-group options ({@code [{'params': ..., 'lr': ...}, ...]}), and the defaults built from
 *       {@code X.options()}: one camelCase setter per keyword argument ({@code weight_decay} is {@code
 *       weightDecay(...)}, {@code betas=(b1, b2)} is {@code betas(b1, b2)}); the setters of options several
 *       optimizers share ({@code betas}, {@code eps}, {@code weightDecay}, {@code momentum}, {@code
 *       maximize}) are written and documented once, as the nested interfaces of {@link
 *       dev.adjoint.optim.OptimizerOptions}, and each {@code Options} implements only those its
 *       optimizer has. Defaults are PyTorch's,
 *       {@code SGD}'s {@code lr} is required as in PyTorch. Options are stored in the groups under
 *       PyTorch's names and read at every step, so schedulers and users may change them.
 *   <li>{@code zeroGrad()} zeroes the gradients in place, PyTorch 1.13's default ({@code
 *       set_to_none=False}): each keeps its buffer, which the next backward writes into;
 *       {@code zeroGrad(true)} sets them to {@code null} (PyTorch 2's default).
 *   <li>{@code step()} and {@code step(closure)} (all optimizers accept a closure and return its loss;
 *       {@link dev.adjoint.optim.LBFGS} requires one). Parameters whose {@code grad()} is {@code null}
 *       are skipped and get no state.
 *   <li>{@code stateDict()} / {@code loadStateDict()}: PyTorch's layout, see {@link
 *       dev.adjoint.optim.StateDict}. Loading and continuing reproduces the trajectory bit for bit.
 *   <li>Bad hyperparameters throw {@link java.lang.IllegalArgumentException} when the optimizer is
 *       built or a group is added or loaded, naming the optimizer, the option, the value and where it
 *       came from, e.g. {@code Adam: invalid beta parameter at index 0: 1.0 in defaults (betas must be in
 *       [0, 1))}. Unlike PyTorch, every group is checked, not only the defaults.
 * </ul>
 *
 * <h2>Numerics</h2>
 * Updates follow PyTorch 1.13's single-tensor code paths ({@code _single_tensor_adam} ...) operation
 * by operation in float32, fused into one loop per parameter over {@link dev.adjoint.Tensor#storage()}
 * (no allocation per step): a PyTorch tensor op is one float32 rounding here too; Python scalars
 * (bias corrections, step sizes, schedules) are doubles cast to float where PyTorch's kernels cast them;
 * {@code add_(x, alpha)} and {@code addcmul_} are fused multiply-adds ({@code Math.fma}), as PyTorch's
 * CPU kernels compute them, and {@code addcdiv_} is {@code p + (value * t1) / t2}. The goldens
 * (runtime/src/test/python/optim_goldens.py, PyTorch 1.13) agree bit for bit for every configuration
 * tested. Each update bumps the parameter's version counter, so a backward through a graph that saved
 * the old values fails as in PyTorch.
 *
 * <h2>Not provided</h2>
 * <ul>
 *   <li>{@code SparseAdam}: the runtime has no sparse tensors, so there are no sparse gradients to
 *       apply it to; {@link dev.adjoint.optim.Adagrad} is dense only for the same reason.
 *   <li>{@code foreach}, {@code fused}, {@code capturable}, {@code differentiable}: CUDA and
 *       implementation switches with no meaning here (the single loop is already fused).
 *   <li>{@code maximize} for NAdam and RAdam: PyTorch 1.13 has none either (2.x added it).
 *   <li>Complex parameters (the runtime is float32 only).
 * </ul>
 */
package dev.adjoint.optim;
