package dev.adjoint;

/**
 * A seeded source of random numbers ({@code torch.Generator}). The stream is SplitMix64, specified
 * here so that a seed gives the same numbers on every JVM; normal samples use the Box–Muller
 * transform. It is not PyTorch's Mersenne Twister: the same seed gives different numbers than
 * PyTorch (tests that compare with PyTorch import PyTorch's initial values instead).
 */
public final class Generator {
  private static final Generator DEFAULT = new Generator(0x5DEECE66DL);

  private long state;
  private double spareGaussian = Double.NaN;

  /** A generator started from {@code seed}. */
  public Generator(long seed) {
    manualSeed(seed);
  }

  /** The generator that creation functions use when none is given. */
  public static Generator defaultGenerator() {
    return DEFAULT;
  }

  /**
   * A generator's state ({@code torch.get_rng_state()}): {@link #setState} with it replays the same
   * sequence of numbers.
   */
  public record State(long state, double spareGaussian) {}

  /** The current state, to replay from later ({@code get_rng_state}). */
  public synchronized State getState() {
    return new State(state, spareGaussian);
  }

  /** Restores a state taken by {@link #getState} ({@code set_rng_state}); returns this generator. */
  public synchronized Generator setState(State s) {
    this.state = s.state();
    this.spareGaussian = s.spareGaussian();
    return this;
  }

  /** Restarts this generator from {@code seed}; returns {@code this}. */
  public synchronized Generator manualSeed(long seed) {
    this.state = seed;
    this.spareGaussian = Double.NaN;
    return this;
  }

  /** The next 64 random bits. */
  public synchronized long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in {@code [0, 1)} with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in {@code [0, bound)}, without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
    }
    long limit = (1L << 32) - ((1L << 32) % bound);
    long r;
    do {
      r = nextLong() >>> 32;
    } while (r >= limit);
    return (int) (r % bound);
  }

  /** A standard normal sample. */
  public synchronized double nextGaussian() {
    if (!Double.isNaN(spareGaussian)) {
      double s = spareGaussian;
      spareGaussian = Double.NaN;
      return s;
    }
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    spareGaussian = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniformly random permutation of {@code 0 .. n-1} (Fisher–Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
