package dev.adjoint.optim;

import java.util.List;
import java.util.Map;

/**
 * An optimizer's state, in the layout of PyTorch's {@code optimizer.state_dict()}.
 *
 * <ul>
 *   <li>{@code paramGroups}: one map per group with its options under PyTorch's names ({@code "lr"},
 *       {@code "betas"} as {@code double[]}, ...) and {@code "params"}: the {@code List<Integer>} indices
 *       of its parameters, numbered across all groups in order.
 *   <li>{@code state}: per parameter index, its state under PyTorch's names: {@code Tensor} copies for
 *       buffers ({@code "exp_avg"}, {@code "momentum_buffer"}, ...), {@code Long} for {@code "step"},
 *       {@code Float} for float32 scalars ({@code "eta"}, {@code "mu"}, {@code "mu_product"}), and for
 *       LBFGS (all under parameter 0, as in PyTorch) flat 1-D tensors ({@code "d"}, {@code
 *       "prev_flat_grad"}), {@code List<Tensor>} histories ({@code "old_dirs"}, {@code "old_stps"}),
 *       {@code double[]} curvatures ({@code "ro"}), and {@code double[] {value, kind}} for {@code
 *       "t"} and {@code "H_diag"} (PyTorch keeps these either as Python floats, kind 0, or as 0-d tensors,
 *       kind 1 for float32 and 2 for float64, and the difference changes later roundings). For float64
 *       parameters the LBFGS vectors are {@code double[]} (exported as such), as are other optimizers'
 *       float64 buffers.
 * </ul>
 *
 * <p>{@link Optimizer#stateDict()} returns deep copies and {@link Optimizer#loadStateDict} copies again,
 * so a saved state is never changed by later steps. Serialising it (to JSON or a binary file) is left
 * to the caller; every value is a tensor, a boxed number, a string, a boolean, an array or a list.
 *
 * @param paramGroups the groups' options and parameter indices
 * @param state the per-parameter state by parameter index
 */
public record StateDict(List<Map<String, Object>> paramGroups, Map<Integer, Map<String, Object>> state) {}
