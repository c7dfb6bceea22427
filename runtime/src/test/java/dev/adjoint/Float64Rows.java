package dev.adjoint;

import java.util.Set;

/**
 * The {@code @Primitive} rows whose gradients are checked in float64 ({@code Float64Test}: gradcheck and
 * PyTorch float64 goldens) rather than in {@link RuleGradientTest}'s float32 table; the casts also in the samples'
 * {@code CastsCorpusTest} (generated code against PyTorch's mixed float32/float64 goldens).
 */
final class Float64Rows {
  private Float64Rows() {}

  static final Set<String> CHECKED_THERE = Set.of("to(DType)", "toDouble()", "toFloat()");
}
