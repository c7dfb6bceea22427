package dev.adjoint;

/**
 * Reference forwards of the view operations for {@link RuleGradientTest}: each reads the input's row-major
 * values through the strides the view would have ({@link DRef#asStrided}), computed here from the shape
 * alone, independently of {@code Views}.
 */
final class ViewRef {
  private ViewRef() {}

  static int norm(int d, int rank) {
    return d < 0 ? d + rank : d;
  }

  static DRef permute(DRef a, int[] dims) {
    int[] st = DRef.strides(a.shape);
    int[] s = new int[dims.length];
    int[] t = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      int d = norm(dims[i], dims.length);
      s[i] = a.shape[d];
      t[i] = st[d];
    }
    return a.asStrided(s, t, 0);
  }

  static DRef expand(DRef a, int[] sizes) {
    int[] st = DRef.strides(a.shape);
    int lead = sizes.length - a.shape.length;
    int[] s = new int[sizes.length];
    int[] t = new int[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      if (i < lead) {
        s[i] = sizes[i];
      } else {
        int have = a.shape[i - lead];
        s[i] = sizes[i] == -1 ? have : sizes[i];
        t[i] = have == s[i] ? st[i - lead] : 0;
      }
    }
    return a.asStrided(s, t, 0);
  }

  /** The shape without dimension {@code d} if its size is 1; {@code d == -1} with... every size-1 dimension. */
  static int[] squeezed(int[] shape, int d) {
    if (d != -1 || shape.length == 0) {
      int k = norm(d, shape.length);
      return shape[k] == 1 ? remove(shape, k) : shape.clone();
    }
    return java.util.Arrays.stream(shape).filter(x -> x != 1).toArray();
  }

  static int[] unsqueezed(int[] shape, int d) {
    int k = norm(d, shape.length + 1);
    int[] r = new int[shape.length + 1];
    for (int i = 0, j = 0; i < r.length; i++) {
      r[i] = i == k ? 1 : shape[j++];
    }
    return r;
  }

  static DRef select(DRef a, int dim, int index) {
    int d = norm(dim, a.shape.length);
    int i = norm(index, a.shape[d]);
    int[] st = DRef.strides(a.shape);
    return a.asStrided(remove(a.shape, d), remove(st, d), i * st[d]);
  }

  static DRef slice(DRef a, int dim, int start, int end, int step) {
    int d = norm(dim, a.shape.length);
    int n = a.shape[d];
    int lo = Math.max(0, Math.min(n, start < 0 ? start + n : start));
    int hi = Math.max(lo, Math.min(n, end < 0 ? end + n : end));
    int[] st = DRef.strides(a.shape);
    int[] s = a.shape.clone();
    int[] t = st.clone();
    s[d] = (hi - lo + step - 1) / step;
    t[d] = st[d] * step;
    return a.asStrided(s, t, lo * st[d]);
  }

  static DRef flatten(DRef a, int start, int end) {
    int s = norm(start, a.shape.length);
    int e = norm(end, a.shape.length);
    int[] r = new int[a.shape.length - (e - s)];
    for (int i = 0, j = 0; i < a.shape.length; i++) {
      if (i <= s || i > e) {
        r[j++] = a.shape[i];
      } else {
        r[j - 1] *= a.shape[i];
      }
    }
    return a.reshape(r);
  }

  static DRef unflatten(DRef a, int dim, int[] sizes) {
    int d = norm(dim, a.shape.length);
    int known = 1;
    for (int x : sizes) {
      known *= x == -1 ? 1 : x;
    }
    int[] r = new int[a.shape.length - 1 + sizes.length];
    for (int i = 0, j = 0; i < a.shape.length; i++) {
      if (i == d) {
        for (int x : sizes) {
          r[j++] = x == -1 ? a.shape[d] / known : x;
        }
      } else {
        r[j++] = a.shape[i];
      }
    }
    return a.reshape(r);
  }

  static DRef diagonal(DRef a, int offset, int dim1, int dim2) {
    int x = norm(dim1, a.shape.length);
    int y = norm(dim2, a.shape.length);
    int[] st = DRef.strides(a.shape);
    int len = offset >= 0 ? Math.min(a.shape[x], a.shape[y] - offset) : Math.min(a.shape[x] + offset, a.shape[y]);
    len = Math.max(len, 0);
    int off = offset >= 0 ? offset * st[y] : -offset * st[x];
    int[] s = new int[a.shape.length - 1];
    int[] t = new int[a.shape.length - 1];
    for (int i = 0, j = 0; i < a.shape.length; i++) {
      if (i != x && i != y) {
        s[j] = a.shape[i];
        t[j++] = st[i];
      }
    }
    s[s.length - 1] = len;
    t[t.length - 1] = st[x] + st[y];
    return a.asStrided(s, t, off);
  }

  static int[] remove(int[] a, int i) {
    int[] r = new int[a.length - 1];
    System.arraycopy(a, 0, r, 0, i);
    System.arraycopy(a, i + 1, r, i, a.length - i - 1);
    return r;
  }
}
