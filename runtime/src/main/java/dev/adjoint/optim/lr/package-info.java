/**
 * Learning-rate schedulers with the behaviour of PyTorch's {@code torch.optim.lr_scheduler}: {@link
 * dev.adjoint.optim.lr.StepLR}, {@link dev.adjoint.optim.lr.MultiStepLR}, {@link
 * dev.adjoint.optim.lr.ExponentialLR}, {@link dev.adjoint.optim.lr.CosineAnnealingLR}, {@link
 * dev.adjoint.optim.lr.LinearLR}, {@link dev.adjoint.optim.lr.LambdaLR}, {@link
 * dev.adjoint.optim.lr.OneCycleLR}, {@link dev.adjoint.optim.lr.SequentialLR}, {@link
 * dev.adjoint.optim.lr.ChainedScheduler}, {@link dev.adjoint.optim.lr.ReduceLROnPlateau}, {@link
 * dev.adjoint.optim.lr.MultiplicativeLR}, {@link dev.adjoint.optim.lr.ConstantLR}, {@link
 * dev.adjoint.optim.lr.PolynomialLR}, {@link dev.adjoint.optim.lr.CyclicLR} and {@link
 * dev.adjoint.optim.lr.CosineAnnealingWarmRestarts}.
 *
 * <pre>{@code
 * var optimizer = new SGD(List.of(params), SGD.options().lr(0.1).momentum(0.9));
 * var scheduler = new StepLR(optimizer, 30, 0.1);
 * for (int epoch = 0; epoch < 100; epoch++) {
 *   train(optimizer);           // optimizer.step() per batch
 *   scheduler.step();           // then the scheduler, once per epoch
 * }
 * }</pre>
 *
 * <p>A scheduler writes each group's {@code "lr"} (and, for OneCycleLR, {@code "momentum"} or
 * {@code "betas"}, CyclicLR {@code "momentum"}); {@code getLastLr()} returns the rates it set. The formulas are PyTorch 1.13's
 * recursive ones, in double, so sequences agree with PyTorch's to the last bit (golden-tested) and
 * schedulers compose. Differences from PyTorch: no {@code verbose} printing, no {@code last_epoch}
 * constructor argument (resume with {@code loadStateDict}), no warning when {@code step()} is called
 * before {@code optimizer.step()}, and {@code step(epoch)} (deprecated in PyTorch) is kept only because
 * {@link dev.adjoint.optim.lr.SequentialLR} needs it ({@code CosineAnnealingWarmRestarts.step(double)}, with
 * fractional epochs, is not deprecated, as in PyTorch).
 */
package dev.adjoint.optim.lr;
