package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import dev.adjoint.nn.F;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The derivative rule table, checked row by row (STYLE D7). A row {@link RuleSpec} names a primitive
 * (as {@code name(ParamTypes)}, {@code F.} for {@link F}), its arity (inputs: receiver + parameters),
 * the domain its random inputs are drawn from, a gradient tolerance, a double-precision reference
 * forward ({@link DRef}), and the PyTorch golden cases (goldens/rules.json) it covers. For every case:
 *
 * <ol>
 *   <li><b>forward</b>: our float32 output against the double reference on seeded random inputs of the
 *       case's shapes, drawn from the row's domain (relative {@link #FORWARD_TOL});
 *   <li><b>central differences</b>: each element of every differentiable input (float tensors and
 *       {@code double} parameters) perturbed by ±h in the double reference; the difference quotient of
 *       ⟨c, f(x)⟩ against our gradient, for a seeded random upstream c (row tolerance);
 *   <li><b>inner-product identity</b>: ⟨t, vjp(c)⟩ = ⟨jvp(t), c⟩ for a seeded random direction t, with
 *       jvp(t) the central difference of the reference along t (row tolerance);
 *   <li><b>one rule</b>: the gradients the engine accumulates after {@code backward(c)} equal, bit for
 *       bit, those of the adjoint that {@code @Primitive} names, called directly; the node is named as
 *       {@code @Primitive.node()} says;
 *   <li><b>PyTorch</b>: the node name PyTorch shows, forward and input gradients (a {@code double} parameter's gradient as PyTorch
 *       computes it for a 0-d tensor) for PyTorch's inputs and upstream gradient, to
 *       {@link #GOLDEN_RTOL} relative (plus {@link #GOLDEN_ATOL} times the largest magnitude).
 * </ol>
 *
 * Rows in the {@link Domain#KINK} domain (relu and abs at 0, max with ties) are points where the
 * function is not differentiable: they are checked against PyTorch's subgradients only.
 * {@link #everyPrimitiveHasARowAndEveryGoldenIsUsed()} fails when a {@code @Primitive} lacks a row.
 */
class RuleGradientTest {
  static final double FORWARD_TOL = 2e-6;
  static final double GOLDEN_RTOL = 1e-5;
  static final double GOLDEN_ATOL = 1e-6;
  /** The default gradient tolerance: relative to max(1, largest |gradient|). */
  static final double TOL = 2e-5;
  static final double H = 1e-6;

  /** Where random inputs come from; per argument (numerators and denominators differ). */
  enum Domain {
    /** Standard normal. */
    ANY,
    /** In [0.25, 2.25): log, sqrt, fractional and negative powers. */
    POSITIVE,
    /** |x| in [0.25, 1.25), random sign: abs and relu away from their kink. */
    NONZERO,
    /** The first argument normal, the second {@link #NONZERO}: division. */
    DENOMINATOR,
    /** The first argument normal, the second {@link #POSITIVE}. */
    POSITIVE_DENOMINATOR,
    /** Logits normal, targets in [0, 1): binary cross-entropy. */
    PROBS_TARGET,
    /** Distinct values at least 0.3 apart: max, so that ±h never changes the argmax. */
    DISTINCT,
    /** Every argument in [0.05, 0.95): probabilities (binary cross-entropy's input and target, its weight). */
    PROBABILITIES,
    /** Non-differentiable points (subgradients): PyTorch goldens only, no finite differences. */
    KINK;

    float sample(Random r, int arg) {
      return switch (this) {
        case ANY, KINK -> (float) r.nextGaussian();
        case POSITIVE -> 0.25f + 2f * r.nextFloat();
        case NONZERO -> (r.nextBoolean() ? 1 : -1) * (0.25f + r.nextFloat());
        case DENOMINATOR -> arg == 0 ? (float) r.nextGaussian() : NONZERO.sample(r, 0);
        case POSITIVE_DENOMINATOR -> arg == 0 ? (float) r.nextGaussian() : POSITIVE.sample(r, 0);
        case PROBS_TARGET -> arg == 0 ? (float) r.nextGaussian() : r.nextFloat();
        case PROBABILITIES -> 0.05f + 0.9f * r.nextFloat();
        case DISTINCT -> throw new IllegalStateException("sampled by distinct()");
      };
    }
  }

  /** The double reference of a primitive's forward. */
  @FunctionalInterface
  interface Ref {
    DRef apply(Args a);
  }

  /** One row of the rule table. */
  record RuleSpec(String op, int arity, Domain domain, double tol, Ref ref, List<String> cases) {}

  static RuleSpec row(String op, int arity, Domain domain, double tol, Ref ref, String... cases) {
    return new RuleSpec(op, arity, domain, tol, ref, List.of(cases));
  }

  /** The ids of the script's broadcasting fuzz cases for {@code op}: random compatible shape pairs. */
  static String[] fuzz(String op, int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = op + "_fuzz_" + i;
    }
    return ids;
  }

  static final List<RuleSpec> TABLE = java.util.stream.Stream.concat(Stream.of(
      // ---- elementwise, binary (broadcasting)
      row("add(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).add(a.d(1)),
          "add_same", "add_bcast_row", "add_bcast_outer", "add_bcast_3d", "add_scalar_tensor"),
      row("add(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> x + a.s(1)), "add_double"),
      row("sub(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).sub(a.d(1)), "sub_same", "sub_bcast"),
      row("sub(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> x - a.s(1)), "sub_double"),
      row("rsub(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> a.s(1) - x), "rsub_double"),
      row("mul(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).mul(a.d(1)), "mul_same", "mul_bcast", "mul_bcast_col"),
      row("mul(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> x * a.s(1)), "mul_double"),
      row("div(Tensor)", 2, Domain.DENOMINATOR, TOL, a -> a.d(0).div(a.d(1)), "div_same", "div_bcast_num"),
      row("div(Tensor)", 2, Domain.POSITIVE_DENOMINATOR, TOL, a -> a.d(0).div(a.d(1)), "div_bcast"),
      row("add(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).add(a.d(1)), fuzz("add", 6)),
      row("sub(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).sub(a.d(1)), fuzz("sub", 6)),
      row("mul(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).mul(a.d(1)), fuzz("mul", 6)),
      row("div(Tensor)", 2, Domain.DENOMINATOR, TOL, a -> a.d(0).div(a.d(1)), fuzz("div", 6)),
      row("div(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> x / a.s(1)), "div_double"),
      row("pow(double)", 2, Domain.POSITIVE, TOL, a -> a.d(0).map(x -> Math.pow(x, a.s(1))),
          "pow_2", "pow_3", "pow_half", "pow_neg"),
      // ---- elementwise, unary
      row("neg()", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> -x), "neg"),
      row("exp()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::exp), "exp"),
      row("log()", 1, Domain.POSITIVE, TOL, a -> a.d(0).map(Math::log), "log"),
      row("sqrt()", 1, Domain.POSITIVE, TOL, a -> a.d(0).map(Math::sqrt), "sqrt"),
      row("abs()", 1, Domain.NONZERO, TOL, a -> a.d(0).map(Math::abs), "abs"),
      row("abs()", 1, Domain.KINK, TOL, a -> a.d(0).map(Math::abs), "abs_at_zero"),
      row("sin()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::sin), "sin"),
      row("cos()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::cos), "cos"),
      row("tanh()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::tanh), "tanh"),
      row("sigmoid()", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> 1 / (1 + Math.exp(-x))), "sigmoid", "sigmoid_large"),
      row("relu()", 1, Domain.NONZERO, TOL, a -> a.d(0).map(x -> Math.max(x, 0)), "relu"),
      row("relu()", 1, Domain.KINK, TOL, a -> a.d(0).map(x -> Math.max(x, 0)), "relu_at_zero"),
      // the first-week functions (gaps)
      row("tan()", 1, Domain.PROBABILITIES, TOL, a -> a.d(0).map(Math::tan), "tan", "tan_signs"),
      row("asin()", 1, Domain.PROBABILITIES, TOL, a -> a.d(0).map(Math::asin), "asin", "asin_signs"),
      row("acos()", 1, Domain.PROBABILITIES, TOL, a -> a.d(0).map(Math::acos), "acos", "acos_signs"),
      row("atan()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::atan), "atan"),
      row("sinh()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::sinh), "sinh"),
      row("cosh()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::cosh), "cosh"),
      row("sign()", 1, Domain.NONZERO, TOL, a -> a.d(0).map(Math::signum), "sign"),
      row("sign()", 1, Domain.KINK, TOL, a -> a.d(0).map(Math::signum), "sign_at_zero"),
      row("floor()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::floor), "floor"),
      row("ceil()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::ceil), "ceil"),
      row("round()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::rint), "round"),
      row("round()", 1, Domain.KINK, TOL, a -> a.d(0).map(Math::rint), "round_halves"),
      row("trunc()", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> x < 0 ? Math.ceil(x) : Math.floor(x)), "trunc"),
      row("tril(int)", 2, Domain.ANY, TOL, a -> a.d(0).triangle(a.i(1), true), "tril", "tril_above", "tril_below_3d"),
      row("triu(int)", 2, Domain.ANY, TOL, a -> a.d(0).triangle(a.i(1), false), "triu", "triu_above_wide",
          "triu_below_3d"),
      row("atan2(Tensor)", 2, Domain.DENOMINATOR, TOL, a -> a.d(0).zip(a.d(1), Math::atan2), "atan2", "atan2_bcast",
          "atan2_quadrants"),
      row("hypot(Tensor)", 2, Domain.NONZERO, TOL, a -> a.d(0).zip(a.d(1), Math::hypot), "hypot", "hypot_bcast"),
      row("logaddexp(Tensor)", 2, Domain.ANY, TOL,
          a -> a.d(0).zip(a.d(1), (x, y) -> Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y)))),
          "logaddexp", "logaddexp_bcast", "logaddexp_far"),
      // session 10: the named products, outer, addmm, erf, lerp, fmod/remainder, softmax/logSoftmax methods
      row("mm(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).matmul(a.d(1)), "mm", "mm_square"),
      row("mv(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).matmul(a.d(1)), "mv"),
      row("bmm(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).matmul(a.d(1)), "bmm"),
      row("dot(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).matmul(a.d(1)), "dot"),
      row("outer(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).reshape(a.d(0).shape[0], 1).mul(a.d(1)), "outer"),
      row("addmm(Tensor,Tensor)", 3, Domain.ANY, TOL, a -> a.d(1).matmul(a.d(2)).add(a.d(0)), "addmm",
          "addmm_row", "addmm_col"),
      row("erf()", 1, Domain.ANY, TOL, a -> a.d(0).map(DRef::erf), "erf", "erf_wide"),
      row("lerp(Tensor,double)", 3, Domain.ANY, TOL, a -> a.d(0).zip(a.d(1), (x, y) -> x + a.s(2) * (y - x)),
          "lerp", "lerp_far"),
      row("lerp(Tensor,Tensor)", 3, Domain.ANY, TOL, a -> a.d(0).add(a.d(2).mul(a.d(1).sub(a.d(0)))), "lerp_tensor",
          "lerp_tensor_bcast"),
      row("fmod(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> x % a.s(1)), "fmod", "fmod_neg"),
      row("remainder(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> x - a.s(1) * Math.floor(x / a.s(1))),
          "remainder", "remainder_neg"),
      row("softmax(int)", 2, Domain.ANY, TOL, a -> a.d(0).softmax(a.i(1), false), "softmax_method",
          "softmax_method_dim0"),
      row("logSoftmax(int)", 2, Domain.ANY, TOL, a -> a.d(0).softmax(a.i(1), true), "log_softmax_method"),
      row("cross(Tensor,int)", 3, Domain.ANY, TOL, a -> a.d(0).cross(a.d(1), a.i(2)), "cross", "cross_dim0",
          "cross_3d"),
      row("diag(int)", 2, Domain.ANY, TOL, a -> a.d(0).diag(a.i(1)), "diag_vec", "diag_vec_above", "diag_vec_below",
          "diag_mat", "diag_mat_above", "diag_mat_below"),
      // ---- reductions
      row("sum()", 1, Domain.ANY, TOL, a -> DRef.scalar(a.d(0).sumAll()), "sum_all", "sum_all_3d"),
      row("sum(int,boolean)", 3, Domain.ANY, TOL, a -> a.d(0).reduce(a.i(1), a.b(2), "sum"),
          "sum_dim0", "sum_dim1_keep", "sum_dim_neg_3d", "sum_dim_3d_keep"),
      row("mean()", 1, Domain.ANY, TOL, a -> DRef.scalar(a.d(0).sumAll() / a.d(0).v.length), "mean_all"),
      row("mean(int,boolean)", 3, Domain.ANY, TOL, a -> a.d(0).reduce(a.i(1), a.b(2), "mean"),
          "mean_dim0_keep", "mean_dim1", "mean_dim_3d"),
      row("max()", 1, Domain.DISTINCT, TOL, a -> DRef.scalar(Arrays.stream(a.d(0).v).max().orElseThrow()),
          "max_all"),
      row("max()", 1, Domain.KINK, TOL, a -> null, "max_all_ties"),
      row("max(int,boolean)", 3, Domain.DISTINCT, TOL, a -> a.d(0).reduce(a.i(1), a.b(2), "max"),
          "max_dim1", "max_dim0_keep", "max_dim_3d"),
      row("max(int,boolean)", 3, Domain.KINK, TOL, a -> null, "max_dim_ties"),
      row("sum(int)", 2, Domain.ANY, TOL, a -> a.d(0).reduce(a.i(1), false, "sum"), "sum_dim1_one_arg"),
      row("mean(int)", 2, Domain.ANY, TOL, a -> a.d(0).reduce(a.i(1), false, "mean"), "mean_dim0_one_arg"),
      row("max(int)", 2, Domain.DISTINCT, TOL, a -> a.d(0).reduce(a.i(1), false, "max"), "max_dim_last_one_arg"),
      // ---- linear algebra
      row("matmul(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).matmul(a.d(1)),
          "matmul_1d_1d", "matmul_2d_2d", "matmul_1d_2d", "matmul_2d_1d", "matmul_3d_3d", "matmul_3d_2d",
          "matmul_2d_3d", "matmul_bcast_batch", "matmul_1d_3d"),
      // ---- shapes
      row("t()", 1, Domain.ANY, TOL, a -> a.d(0).transpose(0, 1), "t_2d", "t_1d"),
      row("transpose(int,int)", 3, Domain.ANY, TOL, a -> a.d(0).transpose(a.i(1), a.i(2)),
          "transpose_2d", "transpose_3d", "transpose_3d_neg"),
      row("reshape(int[])", 2, Domain.ANY, TOL, a -> a.d(0).reshape(a.ints(1)), "reshape_2d", "reshape_flat", "reshape_3d"),
      row("index(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).index(a.d(1)), "index_rows", "index_1d", "index_neg",
          "index_2d_idx"),
      row("slice(int,int,int)", 4, Domain.ANY, TOL, a -> a.d(0).slice(a.i(1), a.i(2), a.i(3)),
          "slice_dim0", "slice_dim1", "slice_neg", "slice_clamp"),
      // ---- views: the reference reads the input's row-major values through the view's strides
      row("view(int[])", 2, Domain.ANY, TOL, a -> a.d(0).reshape(a.ints(1)), "view_2d", "view_infer"),
      row("viewAs(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).reshape(a.d(1).shape), "view_as"),
      row("permute(int[])", 2, Domain.ANY, TOL, a -> ViewRef.permute(a.d(0), a.ints(1)), "permute_3d", "permute_neg"),
      row("expand(int[])", 2, Domain.ANY, TOL, a -> ViewRef.expand(a.d(0), a.ints(1)), "expand_row", "expand_lead"),
      row("expandAs(Tensor)", 2, Domain.ANY, TOL, a -> ViewRef.expand(a.d(0), a.d(1).shape), "expand_as"),
      row("squeeze()", 1, Domain.ANY, TOL, a -> a.d(0).reshape(ViewRef.squeezed(a.d(0).shape, -1)), "squeeze_all"),
      row("squeeze(int)", 2, Domain.ANY, TOL, a -> a.d(0).reshape(ViewRef.squeezed(a.d(0).shape, a.i(1))),
          "squeeze_dim", "squeeze_dim_noop"),
      row("unsqueeze(int)", 2, Domain.ANY, TOL, a -> a.d(0).reshape(ViewRef.unsqueezed(a.d(0).shape, a.i(1))),
          "unsqueeze_mid", "unsqueeze_end"),
      row("select(int,int)", 3, Domain.ANY, TOL, a -> ViewRef.select(a.d(0), a.i(1), a.i(2)), "select_dim0",
          "select_neg"),
      row("narrow(int,int,int)", 4, Domain.ANY, TOL, a -> ViewRef.slice(a.d(0), a.i(1), a.i(2),
          (a.i(2) < 0 ? a.i(2) + a.d(0).shape[Math.floorMod(a.i(1), a.d(0).shape.length)] : a.i(2)) + a.i(3), 1),
          "narrow_dim1", "narrow_neg"),
      row("slice(int,int,int,int)", 5, Domain.ANY, TOL, a -> ViewRef.slice(a.d(0), a.i(1), a.i(2), a.i(3), a.i(4)),
          "slice_step", "slice_step_clamp"),
      row("flatten(int,int)", 3, Domain.ANY, TOL, a -> ViewRef.flatten(a.d(0), a.i(1), a.i(2)), "flatten_all",
          "flatten_mid"),
      row("unflatten(int,int[])", 3, Domain.ANY, TOL, a -> ViewRef.unflatten(a.d(0), a.i(1), a.ints(2)),
          "unflatten_mid"),
      row("diagonal(int,int,int)", 4, Domain.ANY, TOL, a -> ViewRef.diagonal(a.d(0), a.i(1), a.i(2), a.i(3)),
          "diagonal_main", "diagonal_offset", "diagonal_below_3d"),
      row("asStrided(int[],int[],int)", 4, Domain.ANY, TOL, a -> a.d(0).asStrided(a.ints(1), a.ints(2), a.i(3)),
          "as_strided_window", "as_strided_overlap"),
      row("clone()", 1, Domain.ANY, TOL, a -> a.d(0).reshape(a.d(0).shape), "clone_2d"),
      row("contiguous()", 1, Domain.ANY, TOL, a -> a.d(0).reshape(a.d(0).shape), "contiguous_2d"),
      row("cat(List,int)", 2, Domain.ANY, TOL, a -> DRef.cat(a.list(0), a.i(1)), "cat_dim0", "cat_dim1", "cat_neg"),
      row("stack(List,int)", 2, Domain.ANY, TOL, a -> DRef.stack(a.list(0), a.i(1)),
          "stack_dim0", "stack_dim1", "stack_neg"),
      // ---- nn.functional (composites with their own rule, and one composed of them)
      row("F.mseLoss(Tensor,Tensor)", 2, Domain.ANY, TOL, a -> DRef.mse(a.d(0), a.d(1)), "mse"),
      row("F.binaryCrossEntropyWithLogits(Tensor,Tensor)", 2, Domain.PROBS_TARGET, TOL,
          a -> DRef.bceWithLogits(a.d(0), a.d(1)), "bce_logits", "bce_logits_large"),
      row("F.softmax(Tensor,int)", 2, Domain.ANY, TOL, a -> a.d(0).softmax(a.i(1), false),
          "softmax_dim1", "softmax_dim0", "softmax_3d", "softmax_large"),
      row("F.logSoftmax(Tensor,int)", 2, Domain.ANY, TOL, a -> a.d(0).softmax(a.i(1), true),
          "log_softmax_dim1", "log_softmax_dim0", "log_softmax_3d", "log_softmax_large"),
      row("F.nllLoss(Tensor,Tensor)", 2, Domain.ANY, TOL, a -> DRef.nll(a.d(0), a.d(1)), "nll"),
      row("F.crossEntropy(Tensor,Tensor)", 2, Domain.ANY, TOL, a -> DRef.nll(a.d(0).softmax(1, true), a.d(1)),
          "cross_entropy", "cross_entropy_batch", "cross_entropy_large", "cross_entropy_one_class"),
      row("F.linear(Tensor,Tensor,Tensor)", 3, Domain.ANY, TOL,
          a -> a.d(0).matmul(a.d(1).transpose(0, 1)).add(a.d(2)), "linear_2d", "linear_3d"),
      row("F.relu(Tensor)", 1, Domain.NONZERO, TOL, a -> a.d(0).map(x -> Math.max(x, 0)), "f_relu"),
      row("F.sigmoid(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> 1 / (1 + Math.exp(-x))), "f_sigmoid"),
      row("F.tanh(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::tanh), "f_tanh"),
      // ---- issue 13: elementwise
      row("log1p()", 1, Domain.POSITIVE, TOL, a -> a.d(0).map(Math::log1p), "log1p", "log1p_small"),
      row("expm1()", 1, Domain.ANY, TOL, a -> a.d(0).map(Math::expm1), "expm1", "expm1_small"),
      row("square()", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> x * x), "square"),
      row("reciprocal()", 1, Domain.NONZERO, TOL, a -> a.d(0).map(x -> 1 / x), "reciprocal"),
      row("rsqrt()", 1, Domain.POSITIVE, TOL, a -> a.d(0).map(x -> 1 / Math.sqrt(x)), "rsqrt"),
      row("clamp(double,double)", 3, Domain.ANY, TOL,
          a -> a.d(0).map(x -> Math.min(Math.max(x, a.s(1)), a.s(2))), "clamp"),
      row("clamp(double,double)", 3, Domain.KINK, TOL, a -> null, "clamp_at_bounds", "clamp_min_above_max"),
      row("clampMin(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> Math.max(x, a.s(1))), "clamp_min"),
      row("clampMin(double)", 2, Domain.KINK, TOL, a -> null, "clamp_min_at_bound"),
      row("clampMax(double)", 2, Domain.ANY, TOL, a -> a.d(0).map(x -> Math.min(x, a.s(1))), "clamp_max"),
      row("clampMax(double)", 2, Domain.KINK, TOL, a -> null, "clamp_max_at_bound"),
      row("maximum(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).zip(a.d(1), Math::max), "maximum", "maximum_bcast"),
      row("maximum(Tensor)", 2, Domain.KINK, TOL, a -> null, "maximum_ties"),
      row("minimum(Tensor)", 2, Domain.ANY, TOL, a -> a.d(0).zip(a.d(1), Math::min), "minimum", "minimum_bcast"),
      row("minimum(Tensor)", 2, Domain.KINK, TOL, a -> null, "minimum_ties"),
      row("pow(Tensor)", 2, Domain.POSITIVE, TOL, a -> a.d(0).zip(a.d(1), Math::pow), "pow_tensor", "pow_tensor_bcast"),
      row("pow(Tensor)", 2, Domain.KINK, TOL, a -> null, "pow_tensor_zero_base"),
      row("pow(double,Tensor)", 2, Domain.ANY, TOL, a -> a.d(1).map(e -> Math.pow(a.s(0), e)),
          "pow_scalar_base", "pow_scalar_base_half"),
      row("pow(double,Tensor)", 2, Domain.KINK, TOL, a -> null, "pow_scalar_base_zero"),
      row("add(Tensor,double)", 3, Domain.ANY, TOL, a -> a.d(0).zip(a.d(1), (x, y) -> x + a.s(2) * y),
          "add_alpha", "add_alpha_bcast"),
      row("sub(Tensor,double)", 3, Domain.ANY, TOL, a -> a.d(0).zip(a.d(1), (x, y) -> x - a.s(2) * y),
          "sub_alpha", "sub_alpha_bcast"),
      // ---- issue 13: activations
      row("F.leakyRelu(Tensor,double)", 2, Domain.NONZERO, TOL, a -> a.d(0).map(x -> x > 0 ? x : a.s(1) * x),
          "leaky_relu"),
      row("F.leakyRelu(Tensor,double)", 2, Domain.KINK, TOL, a -> null, "leaky_relu_at_zero"),
      row("F.leakyRelu(Tensor)", 1, Domain.NONZERO, TOL, a -> a.d(0).map(x -> x > 0 ? x : 0.01 * x),
          "leaky_relu_default"),
      row("F.gelu(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(DRef::gelu), "gelu", "gelu_wide"),
      row("F.gelu(Tensor,String)", 2, Domain.ANY, TOL,
          a -> a.d(0).map(a.str(1).equals("tanh") ? DRef::geluTanh : DRef::gelu), "gelu_none", "gelu_tanh",
          "gelu_tanh_wide"),
      row("F.silu(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> x / (1 + Math.exp(-x))), "silu", "silu_wide"),
      row("F.softplus(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> DRef.softplus(x, 1, 20)),
          "softplus_default", "softplus_wide"),
      row("F.softplus(Tensor,double,double)", 3, Domain.ANY, TOL,
          a -> a.d(0).map(x -> DRef.softplus(x, a.s(1), a.s(2))), "softplus_beta", "softplus_beta_small"),
      row("F.elu(Tensor)", 1, Domain.NONZERO, TOL, a -> a.d(0).map(x -> x > 0 ? x : Math.expm1(x)), "elu_default"),
      row("F.elu(Tensor,double)", 2, Domain.NONZERO, TOL, a -> a.d(0).map(x -> x > 0 ? x : a.s(1) * Math.expm1(x)),
          "elu"),
      row("F.elu(Tensor,double)", 2, Domain.KINK, TOL, a -> null, "elu_at_zero"),
      row("F.logSigmoid(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> -Math.log1p(Math.exp(-x))),
          "log_sigmoid", "log_sigmoid_wide"),
      row("F.hardtanh(Tensor)", 1, Domain.ANY, TOL, a -> a.d(0).map(x -> Math.min(Math.max(x, -1), 1)),
          "hardtanh_default"),
      row("F.hardtanh(Tensor,double,double)", 3, Domain.ANY, TOL,
          a -> a.d(0).map(x -> Math.min(Math.max(x, a.s(1)), a.s(2))), "hardtanh"),
      row("F.hardtanh(Tensor,double,double)", 3, Domain.KINK, TOL, a -> null, "hardtanh_at_bounds"),
      // ---- issue 13: reductions
      row("sum(int[],boolean)", 3, Domain.ANY, TOL, a -> a.d(0).reduceDims(a.ints(1), a.b(2), "sum"),
          "sum_dims", "sum_dims_keep", "sum_dims_empty"),
      row("mean(int[],boolean)", 3, Domain.ANY, TOL, a -> a.d(0).reduceDims(a.ints(1), a.b(2), "mean"),
          "mean_dims", "mean_dims_keep"),
      row("min()", 1, Domain.DISTINCT, TOL, a -> DRef.scalar(Arrays.stream(a.d(0).v).min().orElseThrow()), "min_all"),
      row("min()", 1, Domain.KINK, TOL, a -> null, "min_all_ties"),
      row("min(int,boolean)", 3, Domain.DISTINCT, TOL, a -> a.d(0).reduceDims(new int[] {a.i(1)}, a.b(2), "min"),
          "min_dim1", "min_dim0_keep"),
      row("min(int,boolean)", 3, Domain.KINK, TOL, a -> null, "min_dim_ties"),
      row("min(int)", 2, Domain.DISTINCT, TOL, a -> a.d(0).reduceDims(new int[] {a.i(1)}, false, "min"),
          "min_dim_one_arg"),
      row("amax(int[],boolean)", 3, Domain.DISTINCT, TOL, a -> a.d(0).reduceDims(a.ints(1), a.b(2), "max"),
          "amax", "amax_keep"),
      row("amax(int[],boolean)", 3, Domain.KINK, TOL, a -> null, "amax_ties", "amax_all_ties"),
      row("amin(int[],boolean)", 3, Domain.DISTINCT, TOL, a -> a.d(0).reduceDims(a.ints(1), a.b(2), "min"), "amin"),
      row("amin(int[],boolean)", 3, Domain.KINK, TOL, a -> null, "amin_ties"),
      row("logsumexp(int,boolean)", 3, Domain.ANY, TOL,
          a -> a.d(0).reduceDims(new int[] {a.i(1)}, a.b(2), "logsumexp"), "logsumexp", "logsumexp_keep",
          "logsumexp_large"),
      row("logsumexp(int)", 2, Domain.ANY, TOL, a -> a.d(0).reduceDims(new int[] {a.i(1)}, false, "logsumexp"),
          "logsumexp_one_arg"),
      row("prod()", 1, Domain.ANY, TOL, a -> a.d(0).reduceDims(new int[0], false, "prod"), "prod_all"),
      row("prod()", 1, Domain.KINK, TOL, a -> null, "prod_all_one_zero", "prod_all_two_zeros"),
      row("prod(int,boolean)", 3, Domain.ANY, TOL, a -> a.d(0).reduceDims(new int[] {a.i(1)}, a.b(2), "prod"),
          "prod_dim", "prod_dim_keep"),
      row("prod(int,boolean)", 3, Domain.KINK, TOL, a -> null, "prod_dim_zeros"),
      row("prod(int)", 2, Domain.ANY, TOL, a -> a.d(0).reduceDims(new int[] {a.i(1)}, false, "prod"),
          "prod_dim_one_arg"),
      row("var()", 1, Domain.ANY, TOL, a -> a.d(0).variance(new int[0], 1, false, false), "var_all"),
      row("var(int[],int,boolean)", 4, Domain.ANY, TOL, a -> a.d(0).variance(a.ints(1), a.i(2), a.b(3), false),
          "var_dims", "var_dims_c0_keep", "var_all_c2"),
      row("std()", 1, Domain.ANY, TOL, a -> a.d(0).variance(new int[0], 1, false, true), "std_all"),
      row("std(int[],int,boolean)", 4, Domain.ANY, TOL, a -> a.d(0).variance(a.ints(1), a.i(2), a.b(3), true),
          "std_dims", "std_all_c0"),
      row("norm()", 1, Domain.ANY, TOL, a -> DRef.scalar(a.d(0).pnorm(2)), "norm"),
      row("norm(double)", 2, Domain.NONZERO, TOL, a -> DRef.scalar(a.d(0).pnorm(a.s(1))),
          "norm_p1", "norm_p2", "norm_p3", "norm_p1_5"),
      row("norm(double)", 2, Domain.KINK, TOL, a -> null, "norm_inf"),
      row("cumsum(int)", 2, Domain.ANY, TOL, a -> a.d(0).running(a.i(1), false), "cumsum", "cumsum_dim0", "cumsum_neg"),
      row("cumprod(int)", 2, Domain.ANY, TOL, a -> a.d(0).running(a.i(1), true), "cumprod", "cumprod_dim0"),
      row("cumprod(int)", 2, Domain.KINK, TOL, a -> null, "cumprod_zeros"),
      // ---- issue 13: losses with a reduction
      row("F.l1Loss(Tensor,Tensor)", 2, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, y) -> Math.abs(x - y)), "mean"), "l1_loss"),
      row("F.l1Loss(Tensor,Tensor,String)", 3, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, y) -> Math.abs(x - y)), a.str(2)),
          "l1_loss_none", "l1_loss_sum", "l1_loss_mean"),
      row("F.smoothL1Loss(Tensor,Tensor)", 2, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, y) -> DRef.smoothL1(x - y, 1)), "mean"), "smooth_l1"),
      row("F.smoothL1Loss(Tensor,Tensor,String,double)", 4, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, y) -> DRef.smoothL1(x - y, a.s(3))), a.str(2)),
          "smooth_l1_beta", "smooth_l1_none", "smooth_l1_sum"),
      row("F.huberLoss(Tensor,Tensor)", 2, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, y) -> DRef.huber(x - y, 1)), "mean"), "huber"),
      row("F.huberLoss(Tensor,Tensor,String,double)", 4, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, y) -> DRef.huber(x - y, a.s(3))), a.str(2)),
          "huber_delta", "huber_none", "huber_sum"),
      row("F.binaryCrossEntropy(Tensor,Tensor)", 2, Domain.PROBABILITIES, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), DRef::bce), "mean"), "bce", "bce_edges"),
      row("F.binaryCrossEntropy(Tensor,Tensor,Tensor,String)", 4, Domain.PROBABILITIES, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), DRef::bce).mul(a.d(2)), a.str(3)),
          "bce_weight_mean", "bce_weight_none", "bce_weight_sum"),
      row("F.klDiv(Tensor,Tensor,String,boolean)", 4, Domain.PROBS_TARGET, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, t) -> t * (Math.log(t) - x)), a.str(2), a.d(0).shape),
          "kl_div_sum", "kl_div_mean", "kl_div_batchmean", "kl_div_none"),
      row("F.klDiv(Tensor,Tensor,String,boolean)", 4, Domain.ANY, TOL,
          a -> DRef.loss(a.d(0).zip(a.d(1), (x, t) -> Math.exp(t) * (t - x)), a.str(2), a.d(0).shape),
          "kl_div_log_target", "kl_div_log_target_none")),
      Stream.concat(IndexingRows.TABLE.stream(), LayerRows.TABLE.stream())).toList();

  /**
   * Primitives whose node name depends on an argument, as PyTorch names them: matmul (by the operands' ranks,
   * see {@link #MATMUL_VIEW_NODES}) and the losses PyTorch 1.13 composes from other operations (by the
   * reduction). Their node is checked against PyTorch's name case by case, not against {@code @Primitive.node()}.
   */
  static final java.util.Set<String> NODE_BY_ARGUMENT = java.util.Set.of("matmul(Tensor)", "contiguous()",
      "F.l1Loss(Tensor,Tensor,String)", "F.klDiv(Tensor,Tensor,String,boolean)",
      "F.nllLoss(Tensor,Tensor,Tensor,int,String)", "F.crossEntropy(Tensor,Tensor,Tensor,int,String,double)",
      "F.conv2d(Tensor,Tensor,Tensor)", "F.conv2d(Tensor,Tensor,Tensor,int[],int[],int[],int)",
      "F.conv2d(Tensor,Tensor,Tensor,int[],String,int[],int)", "F.conv1d(Tensor,Tensor,Tensor,int[],int[],int[],int)",
      "F.conv1d(Tensor,Tensor,Tensor,int[],String,int[],int)", "F.adaptiveAvgPool2d(Tensor,int[])",
      "F.convTranspose2d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])",
      "F.convTranspose1d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])");

  // ------------------------------------------------------------------------------------------------
  // Arguments: Tensor, Double, Integer, Boolean, int[] (varargs), List<Tensor>, as the method takes them.

  /** The arguments of one call, as float tensors for our code and as doubles for the reference. */
  static final class Args {
    final Object[] java;
    final Object[] ref;

    Args(Object[] java) {
      this.java = java;
      this.ref = new Object[java.length];
      for (int i = 0; i < java.length; i++) {
        ref[i] = toRef(java[i]);
      }
    }

    private Args(Object[] java, Object[] ref) {
      this.java = java;
      this.ref = ref;
    }

    static Object toRef(Object o) {
      if (o instanceof Tensor t) {
        return DRef.of(t);
      }
      if (o instanceof List<?> l) {
        return l.stream().map(x -> DRef.of((Tensor) x)).collect(Collectors.toList());
      }
      return o;
    }

    DRef d(int i) {
      return (DRef) ref[i];
    }

    double s(int i) {
      return (Double) ref[i];
    }

    int i(int i) {
      return (Integer) ref[i];
    }

    boolean b(int i) {
      return (Boolean) ref[i];
    }

    String str(int i) {
      return (String) ref[i];
    }

    int[] ints(int i) {
      return (int[]) ref[i];
    }

    @SuppressWarnings("unchecked")
    List<DRef> list(int i) {
      return (List<DRef>) ref[i];
    }

    /** The differentiable slots of the reference arguments: (argument, element) pairs, flattened. */
    List<double[]> slots() {
      List<double[]> s = new ArrayList<>();
      for (int i = 0; i < java.length; i++) {
        if (java[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
          s.add(d(i).v);
        } else if (java[i] instanceof List<?>) {
          for (DRef r : list(i)) {
            s.add(r.v);
          }
        } else if (java[i] instanceof Double) {
          s.add(new double[] {s(i)});
        }
      }
      return s;
    }

    /** A copy of the reference arguments with slot values replaced. */
    Args withSlots(List<double[]> values) {
      Object[] r = ref.clone();
      int k = 0;
      for (int i = 0; i < java.length; i++) {
        if (java[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
          r[i] = new DRef(values.get(k++), d(i).shape);
        } else if (java[i] instanceof List<?>) {
          List<DRef> l = new ArrayList<>();
          for (DRef x : list(i)) {
            l.add(new DRef(values.get(k++), x.shape));
          }
          r[i] = l;
        } else if (java[i] instanceof Double) {
          r[i] = values.get(k++)[0];
        }
      }
      return new Args(java, r);
    }
  }

  static Object parseArg(JsonObject a) {
    if (a.has("tensor")) {
      return Goldens.tensor(a.get("tensor"));
    }
    if (a.has("tensors")) {
      List<Tensor> l = new ArrayList<>();
      for (JsonElement e : a.getAsJsonArray("tensors")) {
        l.add(Goldens.tensor(e));
      }
      return l;
    }
    if (a.has("double")) {
      return a.get("double").getAsDouble();
    }
    if (a.has("int")) {
      return a.get("int").getAsInt();
    }
    if (a.has("bool")) {
      return a.get("bool").getAsBoolean();
    }
    if (a.has("ints")) {
      return Goldens.ints(a.getAsJsonArray("ints"));
    }
    if (a.has("null")) {
      return null;
    }
    if (a.has("indices")) {
      List<Tensor> l = new ArrayList<>();
      for (JsonElement e : a.getAsJsonArray("indices")) {
        l.add(e.isJsonNull() ? null : Goldens.tensor(e));
      }
      return l.toArray(new Tensor[0]);
    }
    if (a.has("string")) {
      return a.get("string").getAsString();
    }
    throw new IllegalArgumentException("unknown argument " + a);
  }

  /** Fresh float arguments of the golden's shapes, drawn from the row's domain (seeded by the case id). */
  static Object[] randomArgs(Object[] golden, Domain domain, Random r) {
    Object[] out = golden.clone();
    int arg = 0;
    for (int i = 0; i < out.length; i++) {
      if (golden[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
        out[i] = sample(t.shape(), domain, r, arg++);
      } else if (golden[i] instanceof List<?> l) {
        List<Tensor> fresh = new ArrayList<>();
        for (Object o : l) {
          fresh.add(sample(((Tensor) o).shape(), domain, r, arg++));
        }
        out[i] = fresh;
      } else if (golden[i] instanceof Double d) {
        out[i] = d; // the scalar parameter itself (its gradient is checked at the golden's value)
      }
    }
    return out;
  }

  static Tensor sample(int[] shape, Domain domain, Random r, int arg) {
    int n = DRef.numel(shape);
    float[] v = new float[n];
    if (domain == Domain.DISTINCT) {
      List<Integer> perm = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        perm.add(i);
      }
      java.util.Collections.shuffle(perm, r);
      for (int i = 0; i < n; i++) {
        v[i] = perm.get(i) * 0.37f - n * 0.15f + 0.05f * r.nextFloat();
      }
    } else {
      for (int i = 0; i < n; i++) {
        v[i] = domain.sample(r, arg);
      }
    }
    return Tensor.wrap(v, shape);
  }

  // ------------------------------------------------------------------------------------------------
  // Reflection over the @Primitive methods

  static String key(Method m) {
    String params = Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(","));
    return (m.getDeclaringClass() == F.class ? "F." : "") + m.getName() + "(" + params + ")";
  }

  static Map<String, Method> publicOps() {
    Map<String, Method> ops = new LinkedHashMap<>();
    for (Class<?> c : List.of(Tensor.class, F.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers())) {
          ops.put(key(m), m);
        }
      }
    }
    return ops;
  }

  static Map<String, Method> primitives() {
    Map<String, Method> p = new LinkedHashMap<>();
    publicOps().forEach((k, m) -> {
      if (m.isAnnotationPresent(Primitive.class)) {
        p.put(k, m);
      }
    });
    return p;
  }

  /** The adjoint that {@code @Primitive} names, with the convention's signature. */
  static Method vjpOf(Method op) {
    Primitive p = op.getAnnotation(Primitive.class);
    int inputs = op.getParameterCount() + (Modifier.isStatic(op.getModifiers()) ? 0 : 1);
    for (Method m : p.rules().getMethods()) {
      if (m.getName().equals(p.vjp()) && m.getParameterCount() == 2 + inputs) {
        return m;
      }
    }
    throw new AssertionError(key(op) + ": @Primitive names " + p.rules().getSimpleName() + "." + p.vjp()
        + " but no public method of that name takes (g, out, " + inputs + " inputs)");
  }

  static Object call(Method m, Object[] args) {
    try {
      if (Modifier.isStatic(m.getModifiers())) {
        return m.invoke(null, args);
      }
      return m.invoke(args[0], Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /** Our gradients for every slot (flattened like {@link Args#slots()}), via the engine and the adjoint. */
  static List<float[]> ourGradients(String op, Object[] args, Tensor upstream, Tensor[] outHolder) {
    Method m = publicOps().get(op);
    Object[] leaves = args.clone();
    List<Tensor> slotsTensors = new ArrayList<>();
    List<Integer> doubleSlots = new ArrayList<>();
    for (int i = 0; i < leaves.length; i++) {
      if (leaves[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
        Tensor leaf = t.copy().requiresGrad(true);
        leaves[i] = leaf;
        slotsTensors.add(leaf);
      } else if (leaves[i] instanceof List<?> l) {
        List<Tensor> fresh = new ArrayList<>();
        for (Object o : l) {
          Tensor leaf = ((Tensor) o).copy().requiresGrad(true);
          fresh.add(leaf);
          slotsTensors.add(leaf);
        }
        leaves[i] = fresh;
      } else if (leaves[i] instanceof Double) {
        slotsTensors.add(null);
        doubleSlots.add(i);
      }
    }
    Tensor out = (Tensor) call(m, leaves);
    outHolder[0] = out;
    assertTrue(out.requiresGrad(), op + " records its result");
    Primitive p = m.getAnnotation(Primitive.class);
    Grads direct = null;
    if (p != null) {
      if (!NODE_BY_ARGUMENT.contains(op)) {
        assertEquals(p.node(), out.gradFn().name(), op + ": the node is named as @Primitive says");
      }
      Object[] vjpArgs = new Object[leaves.length + 2];
      vjpArgs[0] = upstream;
      vjpArgs[1] = out;
      System.arraycopy(leaves, 0, vjpArgs, 2, leaves.length);
      try (var g = Autograd.noGrad()) {
        direct = (Grads) call(vjpOf(m), vjpArgs);
      }
    }
    out.backward(upstream);
    List<float[]> grads = new ArrayList<>();
    int tensorIdx = 0;
    int gradIdx = 0;
    for (int i = 0; i < leaves.length; i++) {
      Object a = leaves[i];
      if (a instanceof List<?> l) {
        for (Object o : l) {
          Tensor leaf = (Tensor) o;
          float[] g = leaf.grad() == null ? new float[leaf.numel()] : leaf.grad().toFloatArray();
          if (direct != null) {
            assertArrayEquals(direct.get(gradIdx++).toFloatArray(), g, op + ": engine = adjoint for list element");
          }
          grads.add(g);
          tensorIdx++;
        }
        continue;
      }
      if (a instanceof Tensor leaf && leaf.requiresGrad()) {
        float[] g = leaf.grad() == null ? new float[leaf.numel()] : leaf.grad().toFloatArray();
        if (direct != null) {
          Tensor dg = direct.get(i);
          assertNotNull(dg, op + ": the adjoint gives input " + i + " a gradient");
          assertArrayEquals(dg.toFloatArray(), g, op + ": engine = adjoint for input " + i);
          assertArrayEquals(leaf.shape(), dg.shape(), op + ": gradient shape of input " + i);
        }
        grads.add(g);
        tensorIdx++;
      } else if (a instanceof Double) {
        assertNotNull(direct, op + ": a double input needs the adjoint");
        Tensor dg = direct.get(i);
        assertNotNull(dg, op + ": the adjoint gives double input " + i + " a 0-d gradient");
        assertEquals(0, dg.dim(), op + ": a double input's gradient is 0-d");
        grads.add(dg.toFloatArray());
      }
    }
    return grads;
  }

  // ------------------------------------------------------------------------------------------------
  // The checks

  static Map<String, JsonObject> goldens() {
    Map<String, JsonObject> g = new LinkedHashMap<>();
    for (String file : List.of("rules.json", "indexing.json", "layers.json")) {
      for (JsonElement e : Goldens.load(file).getAsJsonArray("cases")) {
        g.put(e.getAsJsonObject().get("id").getAsString(), e.getAsJsonObject());
      }
    }
    return g;
  }

  static Object[] goldenArgs(JsonObject c) {
    List<Object> a = new ArrayList<>();
    for (JsonElement e : c.getAsJsonArray("args")) {
      a.add(parseArg(e.getAsJsonObject()));
    }
    return a.toArray();
  }

  @TestFactory
  List<DynamicNode> ruleTable() {
    Map<String, JsonObject> goldens = goldens();
    List<DynamicNode> rows = new ArrayList<>();
    for (RuleSpec spec : TABLE) {
      List<DynamicNode> cases = new ArrayList<>();
      for (String id : spec.cases()) {
        JsonObject c = goldens.get(id);
        cases.add(DynamicTest.dynamicTest(id + " vs PyTorch", () -> checkGolden(spec, c)));
        if (spec.domain() != Domain.KINK) {
          cases.add(DynamicTest.dynamicTest(id + " vs central differences", () -> checkFiniteDifferences(spec, c)));
        }
      }
      rows.add(DynamicContainer.dynamicContainer(spec.op() + " [" + spec.domain() + "]", cases));
    }
    return rows;
  }

  /**
   * The names PyTorch 1.13 shows for matmul cases that it computes through a view (1-D·2-D and batched
   * operands) and for {@code F.linear} on an input of more than 2 dimensions; Adjoint names those
   * MvBackward0, BmmBackward0 and AddmmBackward0 (runtime/README.md, "Decisions").
   */
  static final java.util.Set<String> MATMUL_VIEW_NODES =
      java.util.Set.of("SqueezeBackward3", "UnsafeViewBackward0", "CloneBackward0", "ViewBackward0");

  static void checkGolden(RuleSpec spec, JsonObject c) {
    assertEquals(spec.op(), c.get("call").getAsString(), "the golden case was made for this op");
    Object[] args = goldenArgs(c);
    assertEquals(spec.arity(), args.length, "arity");
    Tensor upstream = Goldens.tensor(c.get("upstream"));
    Tensor[] out = new Tensor[1];
    List<float[]> ours = ourGradients(spec.op(), args, upstream, out);
    String torchNode = c.get("gradFn").getAsString();
    boolean matmul = spec.op().startsWith("matmul") || spec.op().startsWith("F.linear");
    if (torchNode.equals("NoneType")) {
      assertEquals(null, out[0].gradFn(), "PyTorch returns the input itself (a leaf)");
    } else if (!matmul || !MATMUL_VIEW_NODES.contains(torchNode)) {
      assertEquals(torchNode, out[0].gradFn().name(), "the node's name, as PyTorch shows it");
    }
    Tensor expectedOut = Goldens.tensor(c.get("out"));
    assertArrayEquals(expectedOut.shape(), out[0].shape(), "forward shape");
    assertClose("forward", expectedOut.toFloatArray(), out[0].toFloatArray(), GOLDEN_RTOL, GOLDEN_ATOL);
    List<float[]> theirs = new ArrayList<>();
    for (JsonElement g : c.getAsJsonArray("grads")) {
      if (g.isJsonNull()) {
        continue;
      }
      JsonObject o = g.getAsJsonObject();
      if (o.has("tensors")) {
        for (JsonElement t : o.getAsJsonArray("tensors")) {
          theirs.add(Goldens.tensor(t).toFloatArray());
        }
      } else {
        theirs.add(Goldens.tensor(o.get("tensor")).toFloatArray());
      }
    }
    assertEquals(theirs.size(), ours.size(), "differentiable inputs");
    for (int i = 0; i < ours.size(); i++) {
      assertClose("gradient of input " + i, theirs.get(i), ours.get(i), GOLDEN_RTOL, GOLDEN_ATOL);
    }
  }

  static void checkFiniteDifferences(RuleSpec spec, JsonObject c) {
    Random r = new Random(c.get("id").getAsString().hashCode());
    Object[] args = randomArgs(goldenArgs(c), spec.domain(), r);
    Args a = new Args(args);
    DRef ref = spec.ref().apply(a);
    Tensor[] out = new Tensor[1];
    Tensor upstream = sample(ref.shape, Domain.ANY, r, 0);
    List<float[]> ours = ourGradients(spec.op(), args, upstream, out);

    // 1. forward against the double reference
    assertArrayEquals(ref.shape, out[0].shape(), "forward shape");
    float[] o = out[0].toFloatArray();
    double scale = 1;
    for (double x : ref.v) {
      scale = Math.max(scale, Math.abs(x));
    }
    for (int i = 0; i < o.length; i++) {
      assertEquals(ref.v[i], o[i], FORWARD_TOL * scale, "forward element " + i);
    }

    // 2. coordinate-wise central differences of <c, f(x)>
    DRef cRef = DRef.of(upstream);
    List<double[]> slots = a.slots();
    assertEquals(slots.size(), ours.size(), "differentiable inputs");
    double gScale = 1;
    for (float[] g : ours) {
      for (float x : g) {
        gScale = Math.max(gScale, Math.abs(x));
      }
    }
    for (int s = 0; s < slots.size(); s++) {
      for (int j = 0; j < slots.get(s).length; j++) {
        final int fs = s;
        final int fj = j;
        double fd = centralDifference(spec, a, cRef, (k, e) -> k == fs && e == fj ? 1.0 : 0.0);
        assertEquals(fd, ours.get(s)[j], spec.tol() * gScale,
            "∂/∂ input " + s + " element " + j + " (central difference " + fd + ")");
      }
    }

    // 3. inner-product identity <t, vjp(c)> = <jvp(t), c>, t random
    double[][] t = new double[slots.size()][];
    double lhs = 0;
    double mag = 0;
    for (int s = 0; s < slots.size(); s++) {
      t[s] = new double[slots.get(s).length];
      for (int j = 0; j < t[s].length; j++) {
        t[s][j] = r.nextGaussian();
        lhs += t[s][j] * ours.get(s)[j];
        mag += Math.abs(t[s][j] * ours.get(s)[j]);
      }
    }
    double rhs = centralDifference(spec, a, cRef, (k, e) -> t[k][e]);
    assertEquals(rhs, lhs, spec.tol() * Math.max(1, mag), "<t, vjp(c)> = <jvp(t), c>");
  }

  @FunctionalInterface
  interface Direction {
    double at(int slot, int element);
  }

  /** d/dε <c, f(x + ε·t)> at ε = 0, by a central difference in double precision. */
  static double centralDifference(RuleSpec spec, Args a, DRef c, Direction t) {
    return (pairing(spec, a, c, t, H) - pairing(spec, a, c, t, -H)) / (2 * H);
  }

  static double pairing(RuleSpec spec, Args a, DRef c, Direction t, double eps) {
    List<double[]> slots = a.slots();
    List<double[]> moved = new ArrayList<>();
    for (int s = 0; s < slots.size(); s++) {
      double[] v = slots.get(s).clone();
      for (int j = 0; j < v.length; j++) {
        v[j] += eps * t.at(s, j);
      }
      moved.add(v);
    }
    DRef f = spec.ref().apply(a.withSlots(moved));
    double sum = 0;
    for (int i = 0; i < f.v.length; i++) {
      sum += f.v[i] * c.v[i];
    }
    return sum;
  }

  static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
    assertEquals(expected.length, actual.length, what + ": element count");
    double scale = 0;
    for (float e : expected) {
      if (Float.isFinite(e)) {
        scale = Math.max(scale, Math.abs(e)); // an infinity must not widen the tolerance of every other element
      }
    }
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(expected[i]) && Float.isNaN(actual[i])) {
        continue; // e.g. d(x^p)/dp = x^p·ln x at x < 0, NaN in PyTorch too
      }
      if (expected[i] == actual[i]) {
        continue; // equal infinities, e.g. d(x^0.5)/dx at x = 0
      }
      if (!Float.isFinite(expected[i])) {
        fail(what + ": element " + i + " is " + actual[i] + ", PyTorch " + expected[i]);
      }
      double err = Math.abs((double) expected[i] - actual[i]);
      if (!(err <= rtol * Math.abs(expected[i]) + atol * Math.max(1, scale))) {
        fail(what + ": element " + i + " is " + actual[i] + ", PyTorch " + expected[i] + " (|error| " + err + ")");
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Completeness

  @Test
  void everyPrimitiveHasARowAndEveryGoldenIsUsed() {
    Map<String, Method> ops = publicOps();
    TreeSet<String> missing = new TreeSet<>(primitives().keySet());
    missing.removeAll(Float64Rows.CHECKED_THERE); // float64-only rows: gradcheck and float64 goldens there
    for (RuleSpec spec : TABLE) {
      missing.remove(spec.op());
      assertTrue(ops.containsKey(spec.op()), "row " + spec.op() + " names no public method of Tensor or F");
      assertTrue(!spec.cases().isEmpty(), "row " + spec.op() + " names no PyTorch golden case");
    }
    assertTrue(missing.isEmpty(), "@Primitive methods without a row in the rule table: " + missing);

    Map<String, JsonObject> goldens = goldens();
    TreeSet<String> unused = new TreeSet<>(goldens.keySet());
    for (RuleSpec spec : TABLE) {
      for (String id : spec.cases()) {
        assertTrue(goldens.containsKey(id), spec.op() + ": no golden case '" + id + "' in rules.json");
        assertTrue(unused.remove(id), "golden case '" + id + "' is claimed by two rows");
      }
    }
    assertTrue(unused.isEmpty(), "golden cases no row checks: " + unused);
  }

  /**
   * Values an adjoint reads only for a {@code double} parameter's gradient, which the eager node does not
   * save (PyTorch saves nothing there: a Python number has no gradient), so an in-place change to them
   * does not fail eager backward although {@code reads} lists them for generated code.
   */
  static final Map<String, java.util.Set<Integer>> READ_ONLY_FOR_A_DOUBLE = Map.of(
      "mul(double)", java.util.Set.of(0), "div(double)", java.util.Set.of(0),
      "pow(double)", java.util.Set.of(Primitive.OUT),
      "add(Tensor,double)", java.util.Set.of(1), "sub(Tensor,double)", java.util.Set.of(1),
      "lerp(Tensor,double)", java.util.Set.of(0, 1), "fmod(double)", java.util.Set.of(0),
      "remainder(double)", java.util.Set.of(0));

  /**
   * {@code @Primitive(reads = ...)} against the eager node: changing an input (or the result) in place
   * between forward and backward makes {@code backward} fail exactly when {@code reads} lists it (less
   * {@link #READ_ONLY_FOR_A_DOUBLE}), i.e. the eager node saves what the declaration says the adjoint reads.
   * Rows with the default {@code ALL} and list or INT64 inputs are skipped.
   */
  @TestFactory
  List<DynamicNode> eagerNodesSaveWhatReadsDeclares() {
    Map<String, JsonObject> goldens = goldens();
    List<DynamicNode> tests = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (RuleSpec spec : TABLE) {
      Method m = publicOps().get(spec.op());
      Primitive p = m.getAnnotation(Primitive.class);
      int[] reads = p.reads();
      if (!seen.add(spec.op()) || Arrays.stream(reads).anyMatch(r -> r == Primitive.ALL)) {
        continue;
      }
      JsonObject c = goldens.get(spec.cases().get(0));
      tests.add(DynamicTest.dynamicTest(spec.op(), () -> checkReads(spec.op(), m, reads, c)));
    }
    return tests;
  }

  static void checkReads(String op, Method m, int[] reads, JsonObject c) {
    Object[] golden = goldenArgs(c);
    Tensor upstream = Goldens.tensor(c.get("upstream"));
    java.util.Set<Integer> declared = new java.util.HashSet<>();
    for (int r : reads) {
      declared.add(r);
    }
    declared.removeAll(READ_ONLY_FOR_A_DOUBLE.getOrDefault(op, java.util.Set.of()));
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < golden.length; i++) {
      if (golden[i] instanceof List<?>) {
        return;
      }
      if (golden[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
        positions.add(i);
      }
    }
    positions.add(Primitive.OUT);
    for (int changed : positions) {
      Object[] args = golden.clone();
      Tensor target = null;
      for (int i : positions) {
        if (i != Primitive.OUT) {
          Tensor leaf = ((Tensor) golden[i]).copy().requiresGrad(true);
          // a result that is a view of a leaf may not change in place (PyTorch): give views a non-leaf input
          args[i] = i == changed || changed == Primitive.OUT ? leaf.mul(1.0) : leaf;
          if (i == changed) {
            target = (Tensor) args[i];
          }
        }
      }
      Tensor out = (Tensor) call(m, args);
      if (changed == Primitive.OUT && hasRepeatedElements(out)) {
        // an expanded result cannot change in place at all, as in PyTorch
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> out.mul_(1.0));
        assertTrue(e.getMessage().contains("more than one element of the written-to tensor"), e.getMessage());
        continue;
      }
      (changed == Primitive.OUT ? out : target).mul_(1.0);
      boolean failed;
      try {
        out.backward(upstream);
        failed = false;
      } catch (IllegalStateException e) {
        failed = true;
      }
      String what = changed == Primitive.OUT ? "the result" : "input " + changed;
      assertEquals(declared.contains(changed), failed, op + ": changing " + what + " in place "
          + (failed ? "fails" : "does not fail") + " backward, but reads = " + Arrays.toString(reads));
    }
  }

  static boolean hasRepeatedElements(Tensor t) {
    for (int d = 0; d < t.dim(); d++) {
      if (t.size(d) > 1 && t.stride(d) == 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyPrimitiveNamesAnAdjointWithTheConvention() {
    for (Map.Entry<String, Method> e : primitives().entrySet()) {
      Method op = e.getValue();
      Method vjp = vjpOf(op);
      assertTrue(Modifier.isStatic(vjp.getModifiers()), e.getKey() + ": the adjoint is static");
      assertEquals(Grads.class, vjp.getReturnType(), e.getKey() + ": the adjoint returns Grads");
      Class<?>[] p = vjp.getParameterTypes();
      assertEquals(Tensor.class, p[0], e.getKey() + ": upstream first");
      assertEquals(Tensor.class, p[1], e.getKey() + ": output second");
      int k = 2;
      if (!Modifier.isStatic(op.getModifiers())) {
        assertEquals(Tensor.class, p[k++], e.getKey() + ": then the receiver");
      }
      for (Class<?> c : op.getParameterTypes()) {
        assertEquals(c, p[k++], e.getKey() + ": then the parameters in order");
      }
      assertTrue(e.getValue().getAnnotation(Primitive.class).node().endsWith("Backward0")
          || e.getValue().getAnnotation(Primitive.class).node().matches(".*Backward\\d"), e.getKey());
    }
  }

  @Test
  void tableArityMatchesTheMethods() {
    for (RuleSpec spec : TABLE) {
      Method m = publicOps().get(spec.op());
      int inputs = m.getParameterCount() + (Modifier.isStatic(m.getModifiers()) ? 0 : 1);
      assertEquals(inputs, spec.arity(), spec.op());
    }
  }
}
