package dev.adjoint.kernel;

/** The scalar reference kernels: plain Java loops, correct on every JVM. */
public final class ScalarKernels implements Kernels {

  static final ScalarKernels INSTANCE = new ScalarKernels();

  private ScalarKernels() {}

  /** The reference implementation, for tests and for JVMs without the Vector API. */
  public static ScalarKernels instance() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
    }
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * n;
      for (int p = 0; p < k; p++) {
        float aip = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
        if (aip == 0f) {
          continue;
        }
        if (transB) {
          for (int j = 0; j < n; j++) {
            c[ci + j] += aip * b[bOff + j * k + p];
          }
        } else {
          int bp = bOff + p * n;
          for (int j = 0; j < n; j++) {
            c[ci + j] += aip * b[bp + j];
          }
        }
      }
    }
  }

  @Override
  public void add(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] + b[i];
    }
  }

  @Override
  public void sub(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] - b[i];
    }
  }

  @Override
  public void mul(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] * b[i];
    }
  }

  @Override
  public void div(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] / b[i];
    }
  }

  @Override
  public void affine(float[] a, float s, float t, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] * s + t;
    }
  }

  @Override
  public void axpy(float alpha, float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.fma(alpha, x[i], y[i]);
    }
  }

  @Override
  public void relu(float[] a, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] > 0f ? a[i] : 0f;
    }
  }

  @Override
  public void reluBackward(float[] g, float[] x, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = x[i] > 0f ? g[i] : 0f;
    }
  }

  @Override
  public void exp(float[] a, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = (float) Math.exp(a[i]);
    }
  }

  @Override
  public float sum(float[] a, int off, int n) {
    if (n < SEQUENTIAL_SUM) {
      float s = 0f;
      for (int i = off; i < off + n; i++) {
        s += a[i];
      }
      return s;
    }
    // blocks of SEQUENTIAL_SUM summed left to right, then the block sums pairwise: error grows with log n
    return pairwise(a, null, off, 0, (n + SEQUENTIAL_SUM - 1) / SEQUENTIAL_SUM, off + n);
  }

  /**
   * The pairwise sum of blocks {@code [lo, lo + blocks)} of {@code SEQUENTIAL_SUM} terms each (the last
   * one ends at {@code end}); a term is {@code a[i]}, or {@code a[i] * b[i - off]} when {@code b} is given.
   * Recursion instead of an array of block sums: no allocation.
   */
  private static float pairwise(float[] a, float[] b, int off, int lo, int blocks, int end) {
    if (blocks == 1) {
      int from = off + lo * SEQUENTIAL_SUM;
      int to = Math.min(end, from + SEQUENTIAL_SUM);
      float s = 0f;
      for (int i = from; i < to; i++) {
        s += b == null ? a[i] : a[i] * b[i - off];
      }
      return s;
    }
    int h = blocks / 2;
    return pairwise(a, b, off, lo, h, end) + pairwise(a, b, off, lo + h, blocks - h, end);
  }

  @Override
  public float dot(float[] a, float[] b, int n) {
    if (n < SEQUENTIAL_SUM) {
      float s = 0f;
      for (int i = 0; i < n; i++) {
        s += a[i] * b[i];
      }
      return s;
    }
    return pairwise(a, b, 0, 0, (n + SEQUENTIAL_SUM - 1) / SEQUENTIAL_SUM, n);
  }

  @Override
  public float max(float[] a, int off, int n) {
    float m = a[off];
    for (int i = off; i < off + n; i++) {
      float v = a[i];
      if (v > m || Float.isNaN(v)) {
        m = v;
        if (Float.isNaN(v)) {
          return v;
        }
      }
    }
    return m;
  }

  @Override
  public void log(float[] a, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = (float) Math.log(a[i]);
    }
  }

  @Override
  public void tanh(float[] a, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = (float) Math.tanh(a[i]);
    }
  }

  @Override
  public void sigmoid(float[] a, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = sigmoid(a[i]);
    }
  }

  /** The logistic function of one value in double precision, stable for large |x|. */
  public static float sigmoid(float x) {
    if (x >= 0) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double e = Math.exp(x);
    return (float) (e / (1.0 + e));
  }

  @Override
  public void sigmoidBackward(float[] g, float[] y, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = g[i] * y[i] * (1f - y[i]);
    }
  }

  @Override
  public void tanhBackward(float[] g, float[] y, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = g[i] * (1f - y[i] * y[i]);
    }
  }

  @Override
  public void addRow(float[] a, float[] row, float[] out, int rows, int n) {
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      for (int j = 0; j < n; j++) {
        out[base + j] = a[base + j] + row[j];
      }
    }
  }

  @Override
  public void addColumn(float[] a, float[] column, float[] out, int rows, int n) {
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      float v = column[r];
      for (int j = 0; j < n; j++) {
        out[base + j] = a[base + j] + v;
      }
    }
  }

  @Override
  public void sumAxis(float[] x, int outer, int n, int inner, float[] out) {
    if (inner == 1) {
      for (int o = 0; o < outer; o++) {
        out[o] = sum(x, o * n, n);
      }
      return;
    }
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        float acc = 0f;
        for (int j = 0; j < n; j++) {
          acc += x[(o * n + j) * inner + i];
        }
        out[o * inner + i] = acc;
      }
    }
  }

  @Override
  public void softmaxRows(float[] x, float[] out, int rows, int n, boolean log) {
    // max-shifted, with the exponentials summed in double
    for (int r = 0; r < rows; r++) {
      int off = r * n;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = off; j < off + n; j++) {
        max = Math.max(max, x[j]);
      }
      double sum = 0;
      for (int j = off; j < off + n; j++) {
        sum += Math.exp(x[j] - max);
      }
      double lse = Math.log(sum);
      for (int j = off; j < off + n; j++) {
        double z = x[j] - max;
        out[j] = (float) (log ? z - lse : Math.exp(z) / sum);
      }
    }
  }

  @Override
  public void softmaxBackwardRows(float[] g, float[] y, float[] out, int rows, int n, boolean log) {
    for (int r = 0; r < rows; r++) {
      int off = r * n;
      double acc = 0;
      for (int j = off; j < off + n; j++) {
        acc += log ? g[j] : (double) g[j] * y[j];
      }
      for (int j = off; j < off + n; j++) {
        out[j] = (float) (log ? g[j] - Math.exp(y[j]) * acc : y[j] * (g[j] - acc));
      }
    }
  }
}
