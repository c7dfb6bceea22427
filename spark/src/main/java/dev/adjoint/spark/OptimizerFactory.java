package dev.adjoint.spark;

import dev.adjoint.Tensor;
import dev.adjoint.optim.Optimizer;
import java.io.Serializable;
import java.util.List;

/**
 * Builds the optimizer for a list of parameters ({@code p -> new SGD(p, 1e-3)}). Synchronous training calls it
 * once, on the driver; parameter averaging also calls it on each executor for the local steps.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
  /** An optimizer over {@code params}. */
  Optimizer create(List<Tensor> params);
}
