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
    int blocks = (n + SEQUENTIAL_SUM - 1) / SEQUENTIAL_SUM;
    float[] partial = new float[blocks];
    for (int b = 0; b < blocks; b++) {
      int lo = off + b * SEQUENTIAL_SUM;
      int hi = Math.min(off + n, lo + SEQUENTIAL_SUM);
      float s = 0f;
      for (int i = lo; i < hi; i++) {
        s += a[i];
      }
      partial[b] = s;
    }
    return pairwise(partial, 0, blocks);
  }

  private static float pairwise(float[] p, int lo, int n) {
    if (n == 1) {
      return p[lo];
    }
    int h = n / 2;
    return pairwise(p, lo, h) + pairwise(p, lo + h, n - h);
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
    float[] prod = new float[n];
    mul(a, b, prod, n);
    return sum(prod, 0, n);
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
}
