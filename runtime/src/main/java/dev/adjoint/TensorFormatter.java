package dev.adjoint;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Tensor#toString()} in PyTorch's format (torch/_tensor_str.py with default print options:
 * precision 4, line width 80, summarised above 1000 elements with 3 edge items), with Java names in
 * the suffixes: {@code tensor([ 5.3671, -17.3012], requiresGrad=true)}, {@code gradFn=<AddBackward0>}.
 * Decimal rounding is done on the exact binary value, half-even, as Python's {@code format} does.
 */
final class TensorFormatter {
  private static final int PRECISION = 4;
  private static final int LINE_WIDTH = 80;
  private static final int THRESHOLD = 1000;
  private static final int EDGE = 3;

  private TensorFormatter() {}

  static String format(Tensor t) {
    String prefix = "tensor(";
    int indent = prefix.length();
    List<String> suffixes = new ArrayList<>();
    String body;
    if (t.numel() == 0 && t.dim() > 0) {
      body = "[]";
      if (t.dim() != 1) {
        suffixes.add("size=" + pythonShape(t.shape));
      }
    } else {
      boolean summarize = t.numel() > THRESHOLD;
      double[] data = t.toDoubleArray();
      Fmt f = new Fmt(t.dtype, summarize ? summarized(data, t.shape) : data);
      body = str(data, t.shape, 0, 0, indent, summarize, f);
    }
    // PyTorch shows no dtype suffix for int64 (its default integer type), so INT64 prints none either
    if (t.dtype() == Tensor.DType.FLOAT64) {
      suffixes.add("dtype=" + t.dtype().torchName());
    }
    if (t.gradFn() != null) {
      suffixes.add("gradFn=<" + t.gradFn().name() + ">");
    } else if (t.requiresGrad()) {
      suffixes.add("requiresGrad=true");
    }
    StringBuilder sb = new StringBuilder(prefix).append(body);
    int lastLineLen = sb.length() - sb.lastIndexOf("\n") + 1;
    for (String s : suffixes) {
      if (lastLineLen + s.length() + 2 > LINE_WIDTH) {
        sb.append(",\n").append(" ".repeat(indent)).append(s);
        lastLineLen = indent + s.length();
      } else {
        sb.append(", ").append(s);
        lastLineLen += s.length() + 2;
      }
    }
    return sb.append(')').toString();
  }

  /** A shape as Python prints a {@code torch.Size}: {@code (2, 0)}, {@code (3,)}. */
  private static String pythonShape(int[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** Renders the sub-tensor at element offset {@code off} with dimensions {@code shape[d..]}. */
  private static String str(double[] data, int[] shape, int d, int off, int indent, boolean summarize, Fmt f) {
    int rank = shape.length - d;
    if (rank == 0) {
      return f.format(data[off]);
    }
    int n = shape[d];
    int stride = 1;
    for (int i = d + 1; i < shape.length; i++) {
      stride *= shape[i];
    }
    List<String> items = new ArrayList<>();
    boolean cut = summarize && n > 2 * EDGE;
    for (int i = 0; i < n; i++) {
      if (cut && i == EDGE) {
        items.add(rank == 1 ? " ..." : "...");
        i = n - EDGE - 1;
        continue;
      }
      items.add(rank == 1 ? f.format(data[off + i * stride])
          : str(data, shape, d + 1, off + i * stride, indent + 1, summarize, f));
    }
    if (rank == 1) {
      int perLine = Math.max(1, (LINE_WIDTH - indent) / (f.width + 2));
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          sb.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
        }
        sb.append(items.get(i));
      }
      return sb.append(']').toString();
    }
    String sep = "," + "\n".repeat(rank - 1) + " ".repeat(indent + 1);
    return "[" + String.join(sep, items) + "]";
  }

  /** The elements PyTorch looks at to choose the format of a summarised tensor (edges only). */
  private static double[] summarized(double[] data, int[] shape) {
    List<Double> vals = new ArrayList<>();
    collectEdges(data, shape, 0, 0, vals);
    double[] out = new double[vals.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = vals.get(i);
    }
    return out;
  }

  private static void collectEdges(double[] data, int[] shape, int d, int off, List<Double> out) {
    if (d == shape.length) {
      out.add(data[off]);
      return;
    }
    int n = shape[d];
    int stride = 1;
    for (int i = d + 1; i < shape.length; i++) {
      stride *= shape[i];
    }
    for (int i = 0; i < n; i++) {
      if (n > 2 * EDGE && i == EDGE) {
        i = n - EDGE - 1;
        continue;
      }
      collectEdges(data, shape, d + 1, off + i * stride, out);
    }
  }

  /** PyTorch's {@code _Formatter}: one width and one mode (int, fixed, scientific) for all elements. */
  private static final class Fmt {
    final boolean integral;
    /** BOOL: {@code True}/{@code False}, right-aligned to the longest, as PyTorch. */
    final boolean bool;
    boolean intMode = true;
    boolean sciMode;
    int width = 1;

    Fmt(Tensor.DType dtype, double[] values) {
      this.integral = dtype == Tensor.DType.INT64;
      this.bool = dtype == Tensor.DType.BOOL;
      if (bool) {
        for (double v : values) {
          width = Math.max(width, v != 0 ? 4 : 5);
        }
        return;
      }
      if (integral) {
        for (double v : values) {
          width = Math.max(width, Long.toString((long) v).length());
        }
        return;
      }
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      boolean any = false;
      for (double v : values) {
        if (Double.isFinite(v) && v != 0) {
          any = true;
          double a = Math.abs(v);
          min = Math.min(min, a);
          max = Math.max(max, a);
          if (v != Math.ceil(v)) {
            intMode = false;
          }
        }
      }
      if (!any) {
        return; // only zeros and non-finite values: PyTorch keeps width 1 (no alignment), int mode
      }
      if (intMode) {
        if (max / min > 1000. || max > 1.e8) {
          sciMode = true;
        }
      } else if (max / min > 1000. || max > 1.e8 || min < 1.e-4) {
        sciMode = true;
      }
      for (double v : values) {
        if (Double.isFinite(v) && v != 0) {
          String s = sciMode ? sci(v) : intMode ? fixed(v, 0) + "." : fixed(v, PRECISION);
          width = Math.max(width, s.length());
        }
      }
    }

    String format(double v) {
      String s;
      if (bool) {
        s = v != 0 ? "True" : "False";
      } else if (integral) {
        s = Long.toString((long) v);
      } else if (!Double.isFinite(v)) {
        s = Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
      } else if (sciMode) {
        s = sci(v);
      } else if (intMode) {
        s = fixed(v, 0) + ".";
      } else {
        s = fixed(v, PRECISION);
      }
      return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    private static String fixed(double v, int digits) {
      String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
      if (v < 0 || (v == 0 && 1 / v < 0)) {
        return s.startsWith("-") ? s : "-" + s;
      }
      return s;
    }

    private static String sci(double v) {
      if (v == 0) {
        return (1 / v < 0 ? "-" : "") + "0." + "0".repeat(PRECISION) + "e+00";
      }
      BigDecimal b = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
      int exp = b.precision() - b.scale() - 1;
      BigDecimal mant = b.movePointLeft(exp).setScale(PRECISION, RoundingMode.HALF_EVEN);
      String e = Integer.toString(Math.abs(exp));
      return mant.toPlainString() + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
  }
}
