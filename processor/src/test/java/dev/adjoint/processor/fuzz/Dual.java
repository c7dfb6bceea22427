package dev.adjoint.processor.fuzz;

/**
 * A forward-mode dual number (value, tangent) for the fuzzer's independent gradient oracle. In a
 * float program ({@code f32}) each value is rounded to {@code float} after every operation, exactly
 * as Java evaluates the float program (double rounding is innocuous for {@code + - * /} of floats,
 * and {@code Math} results are cast back), so decisions match the original bit for bit; tangents
 * stay in double. Subgradients follow the runtime's documented convention: {@code abs'(0) = 0},
 * ties of {@code max}/{@code min} go to the first argument.
 */
public final class Dual {
  /** The value. */
  public final double v;
  /** The tangent. */
  public final double t;
  private final boolean f32;

  private Dual(double v, double t, boolean f32) {
    this.v = f32 ? (float) v : v;
    this.t = t;
    this.f32 = f32;
  }

  /** A double variable with a seed tangent. */
  public static Dual seed(double v, double t) {
    return new Dual(v, t, false);
  }

  /** A float variable with a seed tangent. */
  public static Dual seedF(float v, double t) {
    return new Dual(v, t, true);
  }

  /** A double constant. */
  public static Dual k(double v) {
    return new Dual(v, 0, false);
  }

  /** A float constant. */
  public static Dual kf(float v) {
    return new Dual(v, 0, true);
  }

  private static boolean f(Dual a, Dual b) {
    return a.f32 || b.f32;
  }

  public static Dual add(Dual a, Dual b) {
    return new Dual(a.v + b.v, a.t + b.t, f(a, b));
  }

  public static Dual sub(Dual a, Dual b) {
    return new Dual(a.v - b.v, a.t - b.t, f(a, b));
  }

  public static Dual mul(Dual a, Dual b) {
    return new Dual(a.v * b.v, a.t * b.v + a.v * b.t, f(a, b));
  }

  public static Dual div(Dual a, Dual b) {
    return new Dual(a.v / b.v, (a.t * b.v - a.v * b.t) / (b.v * b.v), f(a, b));
  }

  public static Dual neg(Dual a) {
    return new Dual(-a.v, -a.t, a.f32);
  }

  public static Dual sin(Dual a) {
    return new Dual(Math.sin(a.v), Math.cos(a.v) * a.t, a.f32);
  }

  public static Dual cos(Dual a) {
    return new Dual(Math.cos(a.v), -Math.sin(a.v) * a.t, a.f32);
  }

  public static Dual exp(Dual a) {
    return new Dual(Math.exp(a.v), Math.exp(a.v) * a.t, a.f32);
  }

  public static Dual log(Dual a) {
    return new Dual(Math.log(a.v), a.t / a.v, a.f32);
  }

  public static Dual sqrt(Dual a) {
    double s = Math.sqrt(a.v);
    return new Dual(s, a.t / (2 * s), a.f32);
  }

  public static Dual tanh(Dual a) {
    double th = Math.tanh(a.v);
    return new Dual(th, (1 - th * th) * a.t, a.f32);
  }

  public static Dual abs(Dual a) {
    return new Dual(Math.abs(a.v), Math.signum(a.v) * a.t, a.f32);
  }

  /** {@code Math.pow(a, p)} for a constant exponent. */
  public static Dual pow(Dual a, double p) {
    double d = p == 0 ? 0 : p * Math.pow(a.v, p - 1);
    return new Dual(Math.pow(a.v, p), d * a.t, a.f32);
  }

  public static Dual max(Dual a, Dual b) {
    return new Dual(Math.max(a.v, b.v), a.v >= b.v ? a.t : b.t, f(a, b));
  }

  public static Dual min(Dual a, Dual b) {
    return new Dual(Math.min(a.v, b.v), a.v <= b.v ? a.t : b.t, f(a, b));
  }

  @Override
  public String toString() {
    return v + " + " + t + "ε";
  }
}
