package dev.adjoint.kernel.vector;

import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.ScalarKernels;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels: the only class in Adjoint that imports {@code jdk.incubator.vector}. Loaded
 * reflectively by {@code KernelProvider} only when it is chosen, so the runtime works on a JVM started
 * without {@code --add-modules jdk.incubator.vector}.
 *
 * <p><b>Width.</b> The species is a {@code static final} constant (C2 only intrinsifies vector code whose
 * species it can constant-fold): {@code -Dadjoint.vectorBitSize=128|256|512} forces it, otherwise
 * {@code FloatVector.SPECIES_PREFERRED}. Every loop is written against {@code S.length()}.
 *
 * <p><b>Matmul</b> ({@link #gemm}) is BLIS-style: {@code B} is packed into {@code KC×NR} column panels,
 * {@code A} into {@code MR×KC} row panels (both zero-padded at the edges, both packed straight from the
 * transposed or untransposed layout, so {@code A·Bᵀ} and {@code Aᵀ·B} never materialise a transpose), and
 * an {@code MR×NR = 4×(2·lanes)} register-blocked FMA micro-kernel (8 accumulators) runs over them. Edge
 * tiles run the same full-width kernel on the padded panels and spill the accumulators into a scratch
 * array, from which scalar code adds the valid part: no masks in the hot loop (masked loads defeated C2
 * and dropped the kernel to a few GFLOP/s; see TOOLCHAIN.md §4). Products of at least
 * {@link #PARALLEL_WORK} multiply-adds are split over the shared {@link Gang} (the calling thread and
 * dedicated workers that spin briefly before they park): when A packs into at most {@link #SHARED_A_MAX}
 * floats, the columns are cut into chunks (about {@link #CHUNKS_PER_THREAD} per thread) that the threads
 * take from a shared counter, each thread packing all of A on its first chunk, so a thread that starts
 * late, or loses its core for a while, does less; otherwise the columns (or, with too few column panels,
 * the rows) are cut into one range per thread. {@code -Dadjoint.threads=N} sets the number of threads
 * (default: available processors). Every split gives the same result as one thread.
 *
 * <p><b>Elementwise</b> loops run {@code S.loopBound(n)} full vectors and finish the tail with scalar code.
 * The arithmetic ones perform the same float operations in the same order as {@link ScalarKernels}, so
 * they are bit-identical to it. {@code exp}, {@code sigmoid} and softmax use the inlined {@link #exp}
 * (within 1 ulp of {@code Math.exp}), {@code log} and {@code tanh} the Vector API's lanewise functions
 * (a few ulps from {@code Math}'s). Sums and dot products of fewer than {@link Kernels#SEQUENTIAL_SUM}
 * terms are summed left to right in scalar code, as the contract requires; longer ones use four vector
 * accumulators. The compute-bound kernels (transcendentals, softmax) split arrays of at least
 * {@link #PARALLEL_ELEMENTS} elements over the gang too, and so do the memory-bound elementwise ones (add,
 * sub, mul, div, affine, axpy, relu and its backward), in parts of about {@link #GRAIN} elements on
 * vector-aligned bounds, so every element goes through the same code whatever the number of threads;
 * reductions stay on one thread (a split would change their order). Note that the Vector API's {@code LOG}
 * and {@code TANH} (and {@code EXP}, which {@link #exp} falls back to beyond ±86.6) are not bit-reproducible across JIT
 * tiers (SVML in C2 code, {@code Math} in the interpreter): an element may differ by an ulp between a
 * cold and a warm call. Sums never use {@code reduceLanes(ADD)}, whose order also differs between the tiers: their
 * lanes are added left to right.
 *
 * <p><b>Pre-packed B.</b> {@link #packB} packs a whole {@code op(B)} once, in the layout the loops read
 * (KC-row blocks of NR-column panels), and {@link #gemmPacked} runs the same loops on it without packing:
 * same splits, same micro-kernel, so the same bits as {@link #gemm}. A linear layer uses it for its weight
 * at inference ({@code LinearRules.WeightCache}).
 *
 * <p>No method allocates arrays, except {@link #packB} (its result) and the first {@link #gemm} on a
 * thread (its packing buffers are thread-local and reused); a parallel product allocates only its few
 * task objects.
 */
public final class VectorKernels implements Kernels {

  /** The vector species, fixed per JVM (see the class comment). */
  static final VectorSpecies<Float> S = species();

  private static final int L = S.length();

  /** Doubles of the same width: a float vector converts into two of them (batch norm's sums). */
  static final VectorSpecies<Double> DS = VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));

  /** Rows of the micro-kernel's tile. */
  static final int MR = 4;

  /** Columns of the micro-kernel's tile: two vectors. */
  static final int NR = 2 * L;

  /** Depth of one packed panel pair: a KC×NR B micro-panel (16 KB at 256 bits) stays in L1. */
  static final int KC = 256;

  /** Rows of A packed at a time (a multiple of MR): the MC×KC block (96 KB) stays in L2. */
  static final int MC = 96;

  /** Columns of B packed at a time (a multiple of NR for every width): the KC×NC block sits in L3. */
  static final int NC = 2048;

  /** Multiply-adds ({@code m·n·k}) below which a product runs on the calling thread only. */
  public static final long PARALLEL_WORK = 64L * 64 * 64;

  /** Multiply-adds below which a product with fewer column panels than threads runs on one thread. */
  static final long ROW_SPLIT_WORK = 8 * PARALLEL_WORK;

  /** Below this many multiply-adds the packing overhead dominates and the scalar loop is used. */
  static final long TINY_WORK = 4096;

  private static final int DEFAULT_THREADS = defaultThreads();

  private static final VectorKernels INSTANCE = new VectorKernels(DEFAULT_THREADS);

  private static final VectorKernels SINGLE = new VectorKernels(1);

  private final int threads;

  private VectorKernels(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("VectorKernels: threads must be at least 1, got " + threads);
    }
    this.threads = threads;
  }

  /** The kernels with the default number of threads ({@code -Dadjoint.threads}, else all processors). */
  public static VectorKernels instance() {
    return INSTANCE;
  }

  /** Kernels whose matrix products use at most {@code threads} threads of the shared gang (benchmarks). */
  public static VectorKernels withThreads(int threads) {
    return new VectorKernels(threads);
  }

  /** The vector width in bits (the species' size). */
  public static int bitSize() {
    return S.vectorBitSize();
  }

  private static VectorSpecies<Float> species() {
    String p = System.getProperty("adjoint.vectorBitSize");
    if (p != null) {
      switch (p.trim()) {
        case "128":
          return FloatVector.SPECIES_128;
        case "256":
          return FloatVector.SPECIES_256;
        case "512":
          return FloatVector.SPECIES_512;
        default:
          break; // 0 or invalid: KernelProvider does not load this class for 0 and warns about the rest
      }
    }
    return FloatVector.SPECIES_PREFERRED;
  }

  private static int defaultThreads() {
    String p = System.getProperty("adjoint.threads");
    int cpus = Runtime.getRuntime().availableProcessors();
    if (p == null) {
      return cpus;
    }
    try {
      return Math.max(1, Integer.parseInt(p.trim()));
    } catch (NumberFormatException e) {
      return cpus;
    }
  }

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize() + (threads == DEFAULT_THREADS ? "" : "-t" + threads);
  }

  /** The most threads one matrix product uses. */
  public int threads() {
    return threads;
  }

  // ---------------------------------------------------------------- gemm

  /** Per-thread packing buffers and the edge-tile spill area. */
  private static final class Scratch {
    float[] a = new float[MC * KC];
    float[] b = new float[0];
    /** The second packed B of {@link #gemmShared}. */
    float[] b2 = new float[0];
    float[] fullA = new float[0];
    /** The product whose A {@link #fullA} holds (a token object; the kernels never compare data). */
    Object fullAJob;
    final float[] spill = new float[MR * NR];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if ((long) m * n * k < TINY_WORK) {
      ScalarKernels.instance().gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
      return;
    }
    product(transA, transB, m, n, k, a, aOff, b, bOff, null, c, cOff, accumulate);
  }

  /**
   * A whole {@code op(B)} in the layout {@link #block} and {@link #chunked} read: KC-row blocks one after
   * the other (block {@code pc} at {@code pc·nPad}), each as the NR-column panels {@link #packB} writes.
   */
  private record Packed(int k, int n, float[] data, boolean transB, float[] b, int bOff) implements PackedB {}

  /**
   * Packs all of {@code op(B)} once. Large operands are packed by the gang, one KC block
   * per part.
   */
  @Override
  public PackedB packB(boolean transB, int k, int n, float[] b, int bOff) {
    if (k < 0 || n < 0) {
      throw new IllegalArgumentException("packB: negative size k=" + k + ", n=" + n);
    }
    int nPad = (n + NR - 1) / NR * NR;
    float[] data = new float[k * nPad];
    int ldb = transB ? k : n;
    int blocks = (k + KC - 1) / KC;
    int t = Math.min(threads, blocks);
    if (t <= 1 || (long) k * n < PARALLEL_PACK) {
      packRange(transB, b, bOff, ldb, k, n, nPad, data, 0, blocks);
      return new Packed(k, n, data, transB, b, bOff);
    }
    Gang.shared().run(blocks, t, blk -> packRange(transB, b, bOff, ldb, k, n, nPad, data, blk, blk + 1));
    return new Packed(k, n, data, transB, b, bOff);
  }

  /** Elements of {@code B} from which {@link #packB} splits the packing over the gang. */
  static final long PARALLEL_PACK = 1 << 16;

  private static void packRange(boolean transB, float[] b, int bOff, int ldb, int k, int n, int nPad,
      float[] data, int blockLo, int blockHi) {
    for (int blk = blockLo; blk < blockHi; blk++) {
      int pc = blk * KC;
      packB(transB, b, bOff, ldb, pc, Math.min(KC, k - pc), 0, n, data, pc * nPad);
    }
  }

  @Override
  public void gemmPacked(boolean transA, int m, float[] a, int aOff, PackedB b, float[] c, int cOff,
      boolean accumulate) {
    if (!(b instanceof Packed p)) {
      throw new IllegalArgumentException("gemmPacked: " + b.getClass().getSimpleName()
          + " was not packed by " + name());
    }
    if (m <= 0 || p.n() <= 0) {
      return;
    }
    if ((long) m * p.n() * p.k() < TINY_WORK) {
      // as gemm does, so that the result is the same to the last bit (b is unchanged since packing)
      ScalarKernels.instance().gemm(transA, p.transB(), m, p.n(), p.k(), a, aOff, p.b(), p.bOff(), c, cOff,
          accumulate);
      return;
    }
    product(transA, false, m, p.n(), p.k(), a, aOff, null, 0, p.data(), c, cOff, accumulate);
  }

  /**
   * {@link #gemm} past the tiny-product check; {@code pre} is all of {@code op(B)} packed by
   * {@link #packB} (then {@code b} is unused), or {@code null} to pack {@code b} on the way.
   */
  private void product(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] pre, float[] c, int cOff, boolean accumulate) {
    long work = (long) m * n * k;
    if (!accumulate) {
      Arrays.fill(c, cOff, cOff + m * n, 0f);
    }
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    int panels = (n + NR - 1) / NR;
    int t = threads;
    // a product narrower than t column panels splits its rows, and each thread packs the same B: below
    // ROW_SPLIT_WORK that costs more than it saves (64×512×10, a classifier head: 36 µs on one thread,
    // 45-70 µs on two at load 2-3)
    if (t <= 1 || work < PARALLEL_WORK || (panels < t && work < ROW_SPLIT_WORK)) {
      if (panels <= IN_PLACE_A_PANELS) {
        blockInPlaceA(transA, transB, k, a, aOff, lda, b, bOff, ldb, pre, c, cOff, n, 0, m, 0, n);
      } else {
        block(transA, transB, k, a, aOff, lda, b, bOff, ldb, pre, c, cOff, n, 0, m, 0, n);
      }
      return;
    }
    int mPad = (m + MR - 1) / MR * MR;
    if (panels >= 2 * t && (long) mPad * k <= SHARED_A_MAX) {
      // column chunks handed out by the gang's counter: a thread that starts late (woken, or sharing its
      // core) simply takes fewer chunks; each thread packs all of A once, on its first chunk
      int chunkPanels = Math.max(1, Math.min(NC / NR, panels / (CHUNKS_PER_THREAD * t)));
      int chunks = (panels + chunkPanels - 1) / chunkPanels;
      int chunkCols = chunkPanels * NR;
      Object job = new Object();
      Gang.shared().run(chunks, t, ch -> chunk(job, transA, transB, m, k, a, aOff, lda, b, bOff, ldb, pre,
          c, cOff, n, ch * chunkCols, chunkCols));
    } else if (panels >= t) {
      // split the columns into t ranges of whole panels; each thread packs its own B and all of A
      int per = (panels + t - 1) / t;
      int parts = (panels + per - 1) / per;
      Gang.shared().run(parts, t, i -> block(transA, transB, k, a, aOff, lda, b, bOff, ldb, pre, c, cOff, n,
          0, m, i * per * NR, Math.min(n, (i + 1) * per * NR)));
    } else {
      int rowPanels = (m + MR - 1) / MR;
      int per = (rowPanels + t - 1) / t;
      int parts = (rowPanels + per - 1) / per;
      Gang.shared().run(parts, t, i -> block(transA, transB, k, a, aOff, lda, b, bOff, ldb, pre, c, cOff, n,
          i * per * MR, Math.min(m, (i + 1) * per * MR), 0, n));
    }
  }

  /** Column chunks per thread in the chunked split: more balance a late start, fewer cost less overhead. */
  static final int CHUNKS_PER_THREAD = 8;

  /**
   * Batches of products too small to split are spread over the gang, a few whole products per part (each
   * product still runs {@link #gemm}'s single-threaded path); large products are split inside
   * {@link #gemm} instead.
   */
  @Override
  public void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
      float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
      float[] c, int cOff, int cStride, boolean accumulate) {
    long work = (long) m * n * k;
    int t = Math.min(threads, batch);
    if (t <= 1 || work >= PARALLEL_WORK || work * batch < PARALLEL_WORK) {
      Kernels.super.gemmBatched(transA, transB, batch, m, n, k, a, aOff, aStride, b, bOff, bStride,
          c, cOff, cStride, accumulate);
      return;
    }
    VectorKernels single = SINGLE;
    // parts of about PARALLEL_WORK multiply-adds each, taken from the gang's counter
    int per = (int) Math.max(1, Math.min(batch, PARALLEL_WORK / Math.max(1, work)));
    int parts = (batch + per - 1) / per;
    Gang.shared().run(parts, t, i -> {
      for (int q = i * per; q < Math.min(batch, (i + 1) * per); q++) {
        single.gemm(transA, transB, m, n, k, a, aOff + q * aStride, b, bOff + q * bStride,
            c, cOff + q * cStride, accumulate);
      }
    });
  }

  /** Largest fully packed A (floats, MR-padded rows × k) a thread keeps for the chunked split: 4 MB. */
  static final long SHARED_A_MAX = 1 << 20;

  /**
   * One column chunk {@code [j0, j0 + chunkCols)} of a chunked product. The first chunk a thread takes of
   * a product ({@code job}) packs all of {@code op(A)} (every KC block, rows padded to MR) into the
   * thread's scratch; its later chunks reuse it. Each chunk packs only its own B. Each element of C sees
   * the same sequence of operations as in {@link #block}, so the result does not depend on the number
   * of threads or on which thread takes which chunk.
   */
  private static void chunk(Object job, boolean transA, boolean transB, int m, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] pre, float[] c, int cOff, int ldc,
      int j0, int chunkCols) {
    Scratch s = SCRATCH.get();
    int mPad = (m + MR - 1) / MR * MR;
    if (s.fullAJob != job) {
      if (s.fullA.length < mPad * k) {
        s.fullA = new float[mPad * k];
      }
      for (int pc = 0; pc < k; pc += KC) {
        packA(transA, a, aOff, lda, 0, m, pc, Math.min(KC, k - pc), s.fullA, mPad * pc);
      }
      s.fullAJob = job;
    }
    int needB = Math.min(KC, k) * chunkCols;
    if (pre == null && s.b.length < needB) {
      s.b = new float[needB];
    }
    float[] ap = s.fullA;
    float[] bp = pre != null ? pre : s.b;
    int nPad = (ldc + NR - 1) / NR * NR;
    int nc = Math.min(ldc, j0 + chunkCols) - j0;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      // a packed chunk starts at 0 of the scratch; a pre-packed B holds every panel of the KC block
      int chunkIdx = pre != null ? pc * nPad + (j0 / NR) * kc * NR : 0;
      if (pre == null) {
        packB(transB, b, bOff, ldb, pc, kc, j0, nc, bp, 0);
      }
      for (int ic = 0; ic < m; ic += MC) {
        int mc = Math.min(MC, m - ic);
        for (int jr = 0; jr < nc; jr += NR) {
          int cols = Math.min(NR, nc - jr);
          int bIdx = chunkIdx + (jr / NR) * kc * NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            micro(ap, mPad * pc + ((ic + ir) / MR) * kc * MR, bp, bIdx, kc, c, cOff + (ic + ir) * ldc + j0 + jr,
                ldc, rows, cols, s.spill);
          }
        }
      }
    }
  }

  /** {@code C[i0..i1, j0..j1) += op(A)[i0..i1, :]·op(B)[:, j0..j1)}, C with row stride {@code ldc}. */
  private static void block(boolean transA, boolean transB, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] pre,
      float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
    Scratch s = SCRATCH.get();
    int ncMax = Math.min(NC, j1 - j0);
    int need = Math.min(KC, k) * ((ncMax + NR - 1) / NR) * NR;
    if (pre == null && s.b.length < need) {
      s.b = new float[need];
    }
    float[] ap = s.a;
    float[] bp = pre != null ? pre : s.b;
    int nPad = (ldc + NR - 1) / NR * NR;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        int chunkIdx = pre != null ? pc * nPad + (jc / NR) * kc * NR : 0;
        if (pre == null) {
          packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, 0);
        }
        for (int ic = i0; ic < i1; ic += MC) {
          int mc = Math.min(MC, i1 - ic);
          packA(transA, a, aOff, lda, ic, mc, pc, kc, ap, 0);
          for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bIdx = chunkIdx + (jr / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
              int rows = Math.min(MR, mc - ir);
              micro(ap, (ir / MR) * kc * MR, bp, bIdx, kc, c, cOff + (ic + ir) * ldc + jc + jr, ldc,
                  rows, cols, s.spill);
            }
          }
        }
      }
    }
  }

  /**
   * Column panels of B up to which a single-threaded product reads A where it lies instead of packing it.
   * Packing A pays for itself by being read once per column panel; with one or two panels (a 64×64·64×32
   * layer: one) it is read once or twice, and the copy cost about two thirds of the micro-kernel's time in
   * the profile (async-profiler, issue 16).
   */
  static final int IN_PLACE_A_PANELS = 2;

  /**
   * {@link #block} for narrow products: the same loops, B packed as there, but A read in place by
   * {@link #microInPlaceA} (MR rows at a time, straight from the untransposed or transposed layout); a last
   * partial row panel is packed (zero-padded) and runs {@link #micro}. Each element of C sees the same
   * multiply-adds in the same order as in {@link #block}, so the result is the same to the last bit.
   */
  private static void blockInPlaceA(boolean transA, boolean transB, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] pre,
      float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
    Scratch s = SCRATCH.get();
    int ncMax = Math.min(NC, j1 - j0);
    int need = Math.min(KC, k) * ((ncMax + NR - 1) / NR) * NR;
    if (pre == null && s.b.length < need) {
      s.b = new float[need];
    }
    float[] bp = pre != null ? pre : s.b;
    int nPad = (ldc + NR - 1) / NR * NR;
    // op(A)[i][p] = a[aOff + i·rowStep + p·colStep]
    int rowStep = transA ? 1 : lda;
    int colStep = transA ? lda : 1;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        int chunkIdx = pre != null ? pc * nPad + (jc / NR) * kc * NR : 0;
        if (pre == null) {
          packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, 0);
        }
        for (int jr = 0; jr < nc; jr += NR) {
          int cols = Math.min(NR, nc - jr);
          int bIdx = chunkIdx + (jr / NR) * kc * NR;
          for (int i = i0; i < i1; i += MR) {
            int rows = Math.min(MR, i1 - i);
            int cIdx = cOff + i * ldc + jc + jr;
            if (rows == MR) {
              microInPlaceA(a, aOff + i * rowStep + pc * colStep, rowStep, colStep, bp, bIdx, kc, c, cIdx, ldc,
                  cols, s.spill);
            } else {
              packA(transA, a, aOff, lda, i, rows, pc, kc, s.a, 0);
              micro(s.a, 0, bp, bIdx, kc, c, cIdx, ldc, rows, cols, s.spill);
            }
          }
        }
      }
    }
  }

  /**
   * {@link #micro} for a full MR-row tile whose A rows are read in place: row {@code r}, column {@code p}
   * of the tile at {@code a[aIdx + r·rowStep + p·colStep]}. The same operations as {@link #micro} on the
   * packed panel.
   */
  private static void microInPlaceA(float[] a, int aIdx, int rowStep, int colStep, float[] bp, int bIdx, int kc,
      float[] c, int cIdx, int ldc, int cols, float[] spill) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int a0i = aIdx;
    int a1i = a0i + rowStep;
    int a2i = a1i + rowStep;
    int a3i = a2i + rowStep;
    int bi = bIdx;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector a0 = FloatVector.broadcast(S, a[a0i]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[a1i]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[a2i]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[a3i]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      a0i += colStep;
      a1i += colStep;
      a2i += colStep;
      a3i += colStep;
      bi += NR;
    }
    if (cols == NR) {
      int r0 = cIdx;
      int r1 = r0 + ldc;
      int r2 = r1 + ldc;
      int r3 = r2 + ldc;
      FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
      FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
      FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
      FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
      FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
      FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
      FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
      FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
    } else {
      c00.intoArray(spill, 0);
      c01.intoArray(spill, L);
      c10.intoArray(spill, NR);
      c11.intoArray(spill, NR + L);
      c20.intoArray(spill, 2 * NR);
      c21.intoArray(spill, 2 * NR + L);
      c30.intoArray(spill, 3 * NR);
      c31.intoArray(spill, 3 * NR + L);
      for (int r = 0; r < MR; r++) {
        int ci = cIdx + r * ldc;
        for (int col = 0; col < cols; col++) {
          c[ci + col] += spill[r * NR + col];
        }
      }
    }
  }

  /**
   * Two products that share A ({@code C1 += A·B1}, {@code C2 += A·B2}; forward mode's {@code W·X} and {@code W·Ẋ}).
   * A narrow single-threaded pair (the case {@link #blockInPlaceA} serves, at 512 bits, where the 32 vector
   * registers hold both tiles' accumulators) runs {@link #microInPlaceAShared}: each value of A is read and
   * broadcast once for both products. Every element of C1 and C2 sees the operations of {@link #gemm} in its
   * order, so the values are those of the two products to the last bit; other shapes make the two calls.
   */
  @Override
  public void gemmShared(int m, int n, int k, float[] a, float[] b1, float[] b2, float[] c1, float[] c2) {
    long work = (long) m * n * k;
    int panels = (n + NR - 1) / NR;
    boolean single = threads <= 1 || work < PARALLEL_WORK || (panels < threads && work < ROW_SPLIT_WORK);
    if (L < 16 || m <= 0 || n <= 0 || work < TINY_WORK || !single || panels > IN_PLACE_A_PANELS) {
      Kernels.super.gemmShared(m, n, k, a, b1, b2, c1, c2);
      return;
    }
    Scratch s = SCRATCH.get();
    int need = Math.min(KC, k) * panels * NR;
    if (s.b.length < need) {
      s.b = new float[need];
    }
    if (s.b2.length < need) {
      s.b2 = new float[need];
    }
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      packB(false, b1, 0, n, pc, kc, 0, n, s.b, 0);
      packB(false, b2, 0, n, pc, kc, 0, n, s.b2, 0);
      for (int jr = 0; jr < n; jr += NR) {
        int cols = Math.min(NR, n - jr);
        int bIdx = (jr / NR) * kc * NR;
        for (int i = 0; i < m; i += MR) {
          int rows = Math.min(MR, m - i);
          int cIdx = i * n + jr;
          if (rows == MR) {
            microInPlaceAShared(a, i * k + pc, k, s.b, s.b2, bIdx, kc, c1, c2, cIdx, n, cols, s.spill);
          } else {
            packA(false, a, 0, k, i, rows, pc, kc, s.a, 0);
            micro(s.a, 0, s.b, bIdx, kc, c1, cIdx, n, rows, cols, s.spill);
            micro(s.a, 0, s.b2, bIdx, kc, c2, cIdx, n, rows, cols, s.spill);
          }
        }
      }
    }
  }

  /**
   * {@code C += A·B}, {@code TC += TA·B}, {@code TC += A·TB} in one sweep for a narrow single-threaded product of one
   * KC block ({@code k ≤ KC}) at 512 bits: {@link #microInPlaceAJvp} keeps the three tiles' accumulators apart and
   * adds {@code TA·B}'s to {@code TC} before {@code A·TB}'s, so every element gets the values of the three
   * {@link #gemm} calls; other shapes make the calls ({@link Kernels#gemmJvp}).
   */
  @Override
  public void gemmJvp(int m, int n, int k, float[] a, float[] ta, float[] b, float[] tb, float[] c, float[] tc) {
    long work = (long) m * n * k;
    int panels = (n + NR - 1) / NR;
    boolean single = threads <= 1 || work < PARALLEL_WORK || (panels < threads && work < ROW_SPLIT_WORK);
    if (L < 16 || m <= 0 || n <= 0 || k > KC || work < TINY_WORK || !single || panels > IN_PLACE_A_PANELS) {
      Kernels.super.gemmJvp(m, n, k, a, ta, b, tb, c, tc);
      return;
    }
    Scratch s = SCRATCH.get();
    int need = k * panels * NR;
    if (s.b.length < need) {
      s.b = new float[need];
    }
    if (s.b2.length < need) {
      s.b2 = new float[need];
    }
    packB(false, b, 0, n, 0, k, 0, n, s.b, 0);
    packB(false, tb, 0, n, 0, k, 0, n, s.b2, 0);
    for (int jr = 0; jr < n; jr += NR) {
      int cols = Math.min(NR, n - jr);
      int bIdx = (jr / NR) * k * NR;
      for (int i = 0; i < m; i += MR) {
        int rows = Math.min(MR, m - i);
        int cIdx = i * n + jr;
        if (rows == MR) {
          microInPlaceAJvp(a, ta, i * k, k, s.b, s.b2, bIdx, k, c, tc, cIdx, n, cols, s.spill);
        } else {
          // the last partial row panel: the three products in the calls' order
          packA(false, ta, 0, k, i, rows, 0, k, s.a, 0);
          micro(s.a, 0, s.b, bIdx, k, tc, cIdx, n, rows, cols, s.spill);
          packA(false, a, 0, k, i, rows, 0, k, s.a, 0);
          micro(s.a, 0, s.b, bIdx, k, c, cIdx, n, rows, cols, s.spill);
          micro(s.a, 0, s.b2, bIdx, k, tc, cIdx, n, rows, cols, s.spill);
        }
      }
    }
  }

  /**
   * One MR-row tile of {@link #gemmJvp}: twenty-four accumulators (A·B, TA·B and A·TB), each value of A and TA
   * broadcast once, each B and TB vector loaded once. Each accumulator gets the FMAs of {@link #microInPlaceA} in its
   * order; {@code TC} gets {@code TA·B}'s tile, then {@code A·TB}'s.
   */
  private static void microInPlaceAJvp(float[] a, float[] ta, int aIdx, int lda, float[] bp1, float[] bp2, int bIdx,
      int kc, float[] c, float[] tc, int cIdx, int ldc, int cols, float[] spill) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector d00 = FloatVector.zero(S);
    FloatVector d01 = FloatVector.zero(S);
    FloatVector d10 = FloatVector.zero(S);
    FloatVector d11 = FloatVector.zero(S);
    FloatVector d20 = FloatVector.zero(S);
    FloatVector d21 = FloatVector.zero(S);
    FloatVector d30 = FloatVector.zero(S);
    FloatVector d31 = FloatVector.zero(S);
    FloatVector e00 = FloatVector.zero(S);
    FloatVector e01 = FloatVector.zero(S);
    FloatVector e10 = FloatVector.zero(S);
    FloatVector e11 = FloatVector.zero(S);
    FloatVector e20 = FloatVector.zero(S);
    FloatVector e21 = FloatVector.zero(S);
    FloatVector e30 = FloatVector.zero(S);
    FloatVector e31 = FloatVector.zero(S);
    int ai = aIdx;
    int bi = bIdx;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp1, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp1, bi + L);
      FloatVector t0 = FloatVector.fromArray(S, bp2, bi);
      FloatVector t1 = FloatVector.fromArray(S, bp2, bi + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ai]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      d00 = a0.fma(t0, d00);
      d01 = a0.fma(t1, d01);
      FloatVector u0 = FloatVector.broadcast(S, ta[ai]);
      e00 = u0.fma(b0, e00);
      e01 = u0.fma(b1, e01);
      FloatVector a1 = FloatVector.broadcast(S, a[ai + lda]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      d10 = a1.fma(t0, d10);
      d11 = a1.fma(t1, d11);
      FloatVector u1 = FloatVector.broadcast(S, ta[ai + lda]);
      e10 = u1.fma(b0, e10);
      e11 = u1.fma(b1, e11);
      FloatVector a2 = FloatVector.broadcast(S, a[ai + 2 * lda]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      d20 = a2.fma(t0, d20);
      d21 = a2.fma(t1, d21);
      FloatVector u2 = FloatVector.broadcast(S, ta[ai + 2 * lda]);
      e20 = u2.fma(b0, e20);
      e21 = u2.fma(b1, e21);
      FloatVector a3 = FloatVector.broadcast(S, a[ai + 3 * lda]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      d30 = a3.fma(t0, d30);
      d31 = a3.fma(t1, d31);
      FloatVector u3 = FloatVector.broadcast(S, ta[ai + 3 * lda]);
      e30 = u3.fma(b0, e30);
      e31 = u3.fma(b1, e31);
      ai++;
      bi += NR;
    }
    if (cols == NR) {
      int r0 = cIdx;
      int r1 = r0 + ldc;
      int r2 = r1 + ldc;
      int r3 = r2 + ldc;
      FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
      FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
      FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
      FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
      FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
      FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
      FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
      FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
      // TA·B's tile first, then A·TB's, as the calls would
      FloatVector.fromArray(S, tc, r0).add(e00).add(d00).intoArray(tc, r0);
      FloatVector.fromArray(S, tc, r0 + L).add(e01).add(d01).intoArray(tc, r0 + L);
      FloatVector.fromArray(S, tc, r1).add(e10).add(d10).intoArray(tc, r1);
      FloatVector.fromArray(S, tc, r1 + L).add(e11).add(d11).intoArray(tc, r1 + L);
      FloatVector.fromArray(S, tc, r2).add(e20).add(d20).intoArray(tc, r2);
      FloatVector.fromArray(S, tc, r2 + L).add(e21).add(d21).intoArray(tc, r2 + L);
      FloatVector.fromArray(S, tc, r3).add(e30).add(d30).intoArray(tc, r3);
      FloatVector.fromArray(S, tc, r3 + L).add(e31).add(d31).intoArray(tc, r3 + L);
      return;
    }
    c00.intoArray(spill, 0);
    c01.intoArray(spill, L);
    c10.intoArray(spill, NR);
    c11.intoArray(spill, NR + L);
    c20.intoArray(spill, 2 * NR);
    c21.intoArray(spill, 2 * NR + L);
    c30.intoArray(spill, 3 * NR);
    c31.intoArray(spill, 3 * NR + L);
    spillInto(c, cIdx, ldc, cols, spill);
    e00.intoArray(spill, 0);
    e01.intoArray(spill, L);
    e10.intoArray(spill, NR);
    e11.intoArray(spill, NR + L);
    e20.intoArray(spill, 2 * NR);
    e21.intoArray(spill, 2 * NR + L);
    e30.intoArray(spill, 3 * NR);
    e31.intoArray(spill, 3 * NR + L);
    spillInto(tc, cIdx, ldc, cols, spill);
    d00.intoArray(spill, 0);
    d01.intoArray(spill, L);
    d10.intoArray(spill, NR);
    d11.intoArray(spill, NR + L);
    d20.intoArray(spill, 2 * NR);
    d21.intoArray(spill, 2 * NR + L);
    d30.intoArray(spill, 3 * NR);
    d31.intoArray(spill, 3 * NR + L);
    spillInto(tc, cIdx, ldc, cols, spill);
  }

  /**
   * {@link #microInPlaceA} for two B panels at once ({@code C1 += A·B1}, {@code C2 += A·B2}, A read in place
   * with row stride {@code lda}): sixteen accumulators, each A value broadcast once for four FMAs. Each element
   * of C1 and C2 gets the same FMAs in the same order as in {@link #microInPlaceA}.
   */
  private static void microInPlaceAShared(float[] a, int aIdx, int lda, float[] bp1, float[] bp2, int bIdx, int kc,
      float[] c1, float[] c2, int cIdx, int ldc, int cols, float[] spill) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector d00 = FloatVector.zero(S);
    FloatVector d01 = FloatVector.zero(S);
    FloatVector d10 = FloatVector.zero(S);
    FloatVector d11 = FloatVector.zero(S);
    FloatVector d20 = FloatVector.zero(S);
    FloatVector d21 = FloatVector.zero(S);
    FloatVector d30 = FloatVector.zero(S);
    FloatVector d31 = FloatVector.zero(S);
    int a0i = aIdx;
    int bi = bIdx;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp1, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp1, bi + L);
      FloatVector e0 = FloatVector.fromArray(S, bp2, bi);
      FloatVector e1 = FloatVector.fromArray(S, bp2, bi + L);
      FloatVector a0 = FloatVector.broadcast(S, a[a0i]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      d00 = a0.fma(e0, d00);
      d01 = a0.fma(e1, d01);
      FloatVector a1 = FloatVector.broadcast(S, a[a0i + lda]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      d10 = a1.fma(e0, d10);
      d11 = a1.fma(e1, d11);
      FloatVector a2 = FloatVector.broadcast(S, a[a0i + 2 * lda]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      d20 = a2.fma(e0, d20);
      d21 = a2.fma(e1, d21);
      FloatVector a3 = FloatVector.broadcast(S, a[a0i + 3 * lda]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      d30 = a3.fma(e0, d30);
      d31 = a3.fma(e1, d31);
      a0i++;
      bi += NR;
    }
    // the tiles written as microInPlaceA ends (inline: a vector passed to a call that is not inlined is boxed)
    if (cols == NR) {
      int r0 = cIdx;
      int r1 = r0 + ldc;
      int r2 = r1 + ldc;
      int r3 = r2 + ldc;
      FloatVector.fromArray(S, c1, r0).add(c00).intoArray(c1, r0);
      FloatVector.fromArray(S, c1, r0 + L).add(c01).intoArray(c1, r0 + L);
      FloatVector.fromArray(S, c1, r1).add(c10).intoArray(c1, r1);
      FloatVector.fromArray(S, c1, r1 + L).add(c11).intoArray(c1, r1 + L);
      FloatVector.fromArray(S, c1, r2).add(c20).intoArray(c1, r2);
      FloatVector.fromArray(S, c1, r2 + L).add(c21).intoArray(c1, r2 + L);
      FloatVector.fromArray(S, c1, r3).add(c30).intoArray(c1, r3);
      FloatVector.fromArray(S, c1, r3 + L).add(c31).intoArray(c1, r3 + L);
      FloatVector.fromArray(S, c2, r0).add(d00).intoArray(c2, r0);
      FloatVector.fromArray(S, c2, r0 + L).add(d01).intoArray(c2, r0 + L);
      FloatVector.fromArray(S, c2, r1).add(d10).intoArray(c2, r1);
      FloatVector.fromArray(S, c2, r1 + L).add(d11).intoArray(c2, r1 + L);
      FloatVector.fromArray(S, c2, r2).add(d20).intoArray(c2, r2);
      FloatVector.fromArray(S, c2, r2 + L).add(d21).intoArray(c2, r2 + L);
      FloatVector.fromArray(S, c2, r3).add(d30).intoArray(c2, r3);
      FloatVector.fromArray(S, c2, r3 + L).add(d31).intoArray(c2, r3 + L);
      return;
    }
    c00.intoArray(spill, 0);
    c01.intoArray(spill, L);
    c10.intoArray(spill, NR);
    c11.intoArray(spill, NR + L);
    c20.intoArray(spill, 2 * NR);
    c21.intoArray(spill, 2 * NR + L);
    c30.intoArray(spill, 3 * NR);
    c31.intoArray(spill, 3 * NR + L);
    spillInto(c1, cIdx, ldc, cols, spill);
    d00.intoArray(spill, 0);
    d01.intoArray(spill, L);
    d10.intoArray(spill, NR);
    d11.intoArray(spill, NR + L);
    d20.intoArray(spill, 2 * NR);
    d21.intoArray(spill, 2 * NR + L);
    d30.intoArray(spill, 3 * NR);
    d31.intoArray(spill, 3 * NR + L);
    spillInto(c2, cIdx, ldc, cols, spill);
  }

  /** {@code C[r, 0..cols) += spill[r, 0..cols)} for the MR rows of a partial-width tile. */
  private static void spillInto(float[] c, int cIdx, int ldc, int cols, float[] spill) {
    for (int r = 0; r < MR; r++) {
      int ci = cIdx + r * ldc;
      for (int col = 0; col < cols; col++) {
        c[ci + col] += spill[r * NR + col];
      }
    }
  }

  /**
   * Packs {@code op(A)[ic..ic+mc, pc..pc+kc)} as consecutive MR-row panels, each {@code kc} groups of MR
   * values (column {@code p} of the panel), rows past {@code mc} zero.
   */
  private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
      float[] ap, int apOff) {
    int idx = apOff;
    for (int ir = 0; ir < mc; ir += MR) {
      int rows = Math.min(MR, mc - ir);
      if (transA) {
        // op(A)[i][p] = a[p·lda + i]: each p gives MR consecutive values
        for (int p = 0; p < kc; p++) {
          int src = aOff + (pc + p) * lda + ic + ir;
          int dst = idx + p * MR;
          for (int r = 0; r < rows; r++) {
            ap[dst + r] = a[src + r];
          }
          for (int r = rows; r < MR; r++) {
            ap[dst + r] = 0f;
          }
        }
      } else if (rows == MR) {
        int s0 = aOff + (ic + ir) * lda + pc;
        int s1 = s0 + lda;
        int s2 = s1 + lda;
        int s3 = s2 + lda;
        for (int p = 0; p < kc; p++) {
          int dst = idx + p * MR;
          ap[dst] = a[s0 + p];
          ap[dst + 1] = a[s1 + p];
          ap[dst + 2] = a[s2 + p];
          ap[dst + 3] = a[s3 + p];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int dst = idx + p * MR;
          for (int r = 0; r < MR; r++) {
            ap[dst + r] = r < rows ? a[aOff + (ic + ir + r) * lda + pc + p] : 0f;
          }
        }
      }
      idx += kc * MR;
    }
  }

  /**
   * Packs {@code op(B)[pc..pc+kc, jc..jc+nc)} as consecutive NR-column panels, each {@code kc} rows of NR
   * values, columns past {@code nc} zero.
   */
  private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
      float[] bp, int bpOff) {
    int idx = bpOff;
    for (int jr = 0; jr < nc; jr += NR) {
      int cols = Math.min(NR, nc - jr);
      if (transB) {
        // op(B)[p][j] = b[j·ldb + p]: a transpose, done in tiles of 16 values of p (a whole cache line
        // of each column, so no line is read twice: with a power-of-two ldb the NR lines map onto few
        // L1 sets and would not survive between tiles; 8-value tiles were 10-15% slower overall)
        for (int p0 = 0; p0 < kc; p0 += 16) {
          int pe = Math.min(kc, p0 + 16);
          for (int col = 0; col < cols; col++) {
            int src = bOff + (jc + jr + col) * ldb + pc;
            for (int p = p0; p < pe; p++) {
              bp[idx + p * NR + col] = b[src + p];
            }
          }
        }
        if (cols < NR) {
          for (int p = 0; p < kc; p++) {
            Arrays.fill(bp, idx + p * NR + cols, idx + (p + 1) * NR, 0f);
          }
        }
      } else if (cols == NR) {
        for (int p = 0; p < kc; p++) {
          int src = bOff + (pc + p) * ldb + jc + jr;
          int dst = idx + p * NR;
          FloatVector.fromArray(S, b, src).intoArray(bp, dst);
          FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = bOff + (pc + p) * ldb + jc + jr;
          int dst = idx + p * NR;
          for (int col = 0; col < NR; col++) {
            bp[dst + col] = col < cols ? b[src + col] : 0f;
          }
        }
      }
      idx += kc * NR;
    }
  }

  /**
   * The 4×(2·lanes) micro-kernel: {@code C[0..rows, 0..cols) += Ap·Bp} over {@code kc} packed columns. The
   * full tile is always computed (the panels are zero-padded); a partial tile goes through {@code spill}.
   */
  private static void micro(float[] ap, int aIdx, float[] bp, int bIdx, int kc,
      float[] c, int cIdx, int ldc, int rows, int cols, float[] spill) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int ai = aIdx;
    int bi = bIdx;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      ai += MR;
      bi += NR;
    }
    if (rows == MR && cols == NR) {
      int r0 = cIdx;
      int r1 = r0 + ldc;
      int r2 = r1 + ldc;
      int r3 = r2 + ldc;
      FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
      FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
      FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
      FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
      FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
      FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
      FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
      FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
    } else {
      c00.intoArray(spill, 0);
      c01.intoArray(spill, L);
      c10.intoArray(spill, NR);
      c11.intoArray(spill, NR + L);
      c20.intoArray(spill, 2 * NR);
      c21.intoArray(spill, 2 * NR + L);
      c30.intoArray(spill, 3 * NR);
      c31.intoArray(spill, 3 * NR + L);
      for (int r = 0; r < rows; r++) {
        int ci = cIdx + r * ldc;
        for (int col = 0; col < cols; col++) {
          c[ci + col] += spill[r * NR + col];
        }
      }
    }
  }

  // ---------------------------------------------------------------- batch norm's sums

  /**
   * {@link Kernels#shiftedSums} on vectors: each float vector converted into two double vectors (lower and upper
   * half), two accumulators for each sum that run over every row, each row's tail in scalar code; at the end the
   * accumulators' lanes added left to right, then the tails: a fixed order, with about four times fewer dependent
   * additions per element than the scalar chains.
   */
  @Override
  public void shiftedSums(float[] x, int off, int rows, int stride, int n, double shift, double[] into) {
    DoubleVector s0 = DoubleVector.zero(DS);
    DoubleVector s1 = DoubleVector.zero(DS);
    DoubleVector q0 = DoubleVector.zero(DS);
    DoubleVector q1 = DoubleVector.zero(DS);
    DoubleVector k = DoubleVector.broadcast(DS, shift);
    double ts = 0;
    double tq = 0;
    int ub = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int base = off + r * stride;
      for (int j = 0; j < ub; j += L) {
        FloatVector v = FloatVector.fromArray(S, x, base + j);
        DoubleVector d0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0)).sub(k);
        DoubleVector d1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1)).sub(k);
        s0 = s0.add(d0);
        s1 = s1.add(d1);
        q0 = d0.fma(d0, q0);
        q1 = d1.fma(d1, q1);
      }
      for (int j = ub; j < n; j++) {
        double d = x[base + j] - shift;
        ts += d;
        tq += d * d;
      }
    }
    into[0] += lanesInOrder(s0.add(s1)) + ts;
    into[1] += lanesInOrder(q0.add(q1)) + tq;
  }

  /** {@link Kernels#gradSums} on vectors, as {@link #shiftedSums}. */
  @Override
  public void gradSums(float[] g, float[] x, int off, int rows, int stride, int n, double mean, double[] into) {
    DoubleVector s0 = DoubleVector.zero(DS);
    DoubleVector s1 = DoubleVector.zero(DS);
    DoubleVector q0 = DoubleVector.zero(DS);
    DoubleVector q1 = DoubleVector.zero(DS);
    DoubleVector m = DoubleVector.broadcast(DS, mean);
    double ts = 0;
    double tq = 0;
    int ub = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int base = off + r * stride;
      for (int j = 0; j < ub; j += L) {
        FloatVector gv = FloatVector.fromArray(S, g, base + j);
        FloatVector xv = FloatVector.fromArray(S, x, base + j);
        DoubleVector g0 = (DoubleVector) gv.convertShape(VectorOperators.F2D, DS, 0);
        DoubleVector g1 = (DoubleVector) gv.convertShape(VectorOperators.F2D, DS, 1);
        DoubleVector d0 = ((DoubleVector) xv.convertShape(VectorOperators.F2D, DS, 0)).sub(m);
        DoubleVector d1 = ((DoubleVector) xv.convertShape(VectorOperators.F2D, DS, 1)).sub(m);
        s0 = s0.add(g0);
        s1 = s1.add(g1);
        q0 = g0.fma(d0, q0);
        q1 = g1.fma(d1, q1);
      }
      for (int j = ub; j < n; j++) {
        int i = base + j;
        ts += g[i];
        tq += g[i] * (x[i] - mean);
      }
    }
    into[0] += lanesInOrder(s0.add(s1)) + ts;
    into[1] += lanesInOrder(q0.add(q1)) + tq;
  }

  /**
   * The lanes of {@code v} added left to right in float. {@code reduceLanes(ADD)} leaves the order unspecified,
   * and it differs between C2's code and the interpreter's, so a sum computed before and after the JIT compiled
   * its kernel differed in the last bit (a generated backward against the eager one, FashionCnnTest, about one
   * run in a hundred under load).
   */
  private static float lanesInOrder(FloatVector v) {
    float s = v.lane(0);
    for (int i = 1; i < L; i++) {
      s += v.lane(i);
    }
    return s;
  }

  /** The lanes of {@code v} added left to right ({@code reduceLanes} leaves the order unspecified). */
  private static double lanesInOrder(DoubleVector v) {
    double[] a = v.toArray();
    double s = a[0];
    for (int i = 1; i < a.length; i++) {
      s += a[i];
    }
    return s;
  }

  // ---------------------------------------------------------------- direct convolution

  /**
   * {@link Kernels#convDirect}: MR output channels by NR wide-output columns at a time, the weight rows read in
   * place (broadcast, as {@link #microInPlaceA}) and the image's rows read in place at {@code rowOff[p]} (no
   * column matrix, no packing); the remaining channels one vector at a time. Each vector of the wide output lies
   * in one row ({@code ws} is a multiple of the lanes) and is stored whole into the {@code NCHW} plane when the
   * plane has room for it: the lanes past the row's end land at the start of later rows, which later vectors of
   * the same plane overwrite (the planes are written in increasing {@code f}); a vector with no such room (the
   * plane's end) is stored lane by lane.
   */
  @Override
  public void convDirect(int m, int k, float[] w, int wOff, int[] rowOff, float[] img, int imgOff, int ws, int oh,
      int ow, float[] bias, float[] out, int outOff) {
    if (ws % L != 0 || m <= 0 || oh <= 0 || ow <= 0) {
      Kernels.super.convDirect(m, k, w, wOff, rowOff, img, imgOff, ws, oh, ow, bias, out, outOff);
      return;
    }
    int f = oh * ws;
    float[] spill = SCRATCH.get().spill;
    int o = 0;
    for (; o + MR <= m; o += MR) {
      int wi = wOff + o * k;
      for (int f0 = 0; f0 < f; f0 += NR) {
        convMicro(w, wi, k, rowOff, img, imgOff + f0, bias, o, out, outOff, f0, ws, oh, ow, spill);
      }
    }
    for (; o < m; o++) {
      int wi = wOff + o * k;
      for (int f0 = 0; f0 < f; f0 += L) {
        FloatVector acc = FloatVector.zero(S);
        int bi = imgOff + f0;
        for (int p = 0; p < k; p++) {
          acc = FloatVector.broadcast(S, w[wi + p]).fma(FloatVector.fromArray(S, img, bi + rowOff[p]), acc);
        }
        int y = f0 / ws;
        storeWide(acc, bias, o, out, outOff, y, f0 - y * ws, oh, ow, spill);
      }
    }
  }

  /** {@link #convDirect}'s MR×NR tile: output channels {@code o..o+MR}, wide columns {@code f0..f0+NR}. */
  private static void convMicro(float[] w, int wi, int k, int[] rowOff, float[] img, int imgIdx, float[] bias,
      int o, float[] out, int outOff, int f0, int ws, int oh, int ow, float[] spill) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int a0i = wi;
    int a1i = a0i + k;
    int a2i = a1i + k;
    int a3i = a2i + k;
    for (int p = 0; p < k; p++) {
      int bi = imgIdx + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, img, bi);
      FloatVector b1 = FloatVector.fromArray(S, img, bi + L);
      FloatVector a0 = FloatVector.broadcast(S, w[a0i + p]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, w[a1i + p]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, w[a2i + p]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, w[a3i + p]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
    }
    // the two vectors' rows and columns, found once for the four channels (an integer division each)
    int y0 = f0 / ws;
    int x0 = f0 - y0 * ws;
    int y1 = x0 + L < ws ? y0 : y0 + 1;
    int x1 = x0 + L < ws ? x0 + L : 0;
    storeWide(c00, bias, o, out, outOff, y0, x0, oh, ow, spill);
    storeWide(c01, bias, o, out, outOff, y1, x1, oh, ow, spill);
    storeWide(c10, bias, o + 1, out, outOff, y0, x0, oh, ow, spill);
    storeWide(c11, bias, o + 1, out, outOff, y1, x1, oh, ow, spill);
    storeWide(c20, bias, o + 2, out, outOff, y0, x0, oh, ow, spill);
    storeWide(c21, bias, o + 2, out, outOff, y1, x1, oh, ow, spill);
    storeWide(c30, bias, o + 3, out, outOff, y0, x0, oh, ow, spill);
    storeWide(c31, bias, o + 3, out, outOff, y1, x1, oh, ow, spill);
  }

  /**
   * Stores {@code bias[o] + acc}, the wide-output vector at row {@code y}, column {@code x0} of channel {@code o}, into
   * its plane of {@code out}: nothing if it lies in the dropped columns or rows, whole if the plane has room for all
   * lanes (the lanes past the row's end are overwritten later, see {@link #convDirect}), else lane by lane.
   */
  private static void storeWide(FloatVector acc, float[] bias, int o, float[] out, int outOff, int y, int x0,
      int oh, int ow, float[] spill) {
    if (y >= oh || x0 >= ow) {
      return;
    }
    FloatVector v = bias == null ? acc : FloatVector.broadcast(S, bias[o]).add(acc);
    int inPlane = y * ow + x0;
    int dst = outOff + o * oh * ow + inPlane;
    if (inPlane + L <= oh * ow) {
      v.intoArray(out, dst);
    } else {
      v.intoArray(spill, 0);
      for (int i = 0, n = ow - x0; i < n; i++) {
        out[dst + i] = spill[i];
      }
    }
  }

  /**
   * {@link Kernels#convWeightGrad}: MR output channels by two taps at a time, eight vector accumulators loaded from
   * {@code acc} (one vector of {@link #convLanes} partial sums per channel and tap), run over every image and wide
   * column in order, and stored back: no lanes are added here, so a caller that sums many calls (the parts of a
   * batch) adds the lanes once at the end. The remaining channels and taps one vector at a time, in the same order.
   */
  @Override
  public void convWeightGrad(int m, int k, float[] g, int gOff, int gStride, int[] rowOff, float[] img,
      int imgOff, int imgStride, int count, int fLen, float[] acc, int accOff) {
    if (fLen % L != 0) { // the default writes each sum into the first of its lanes
      Kernels.super.convWeightGrad(m, k, g, gOff, gStride, rowOff, img, imgOff, imgStride, count, fLen, acc, accOff);
      return;
    }
    int o = 0;
    for (; o + MR <= m; o += MR) {
      int p = 0;
      for (; p + 2 <= k; p += 2) {
        wgradMicro(o, p, k, g, gOff, gStride, rowOff, img, imgOff, imgStride, count, fLen, acc, accOff);
      }
      for (; p < k; p++) {
        for (int r = o; r < o + MR; r++) {
          wgradOne(r, p, k, g, gOff, gStride, rowOff, img, imgOff, imgStride, count, fLen, acc, accOff);
        }
      }
    }
    for (; o < m; o++) {
      for (int p = 0; p < k; p++) {
        wgradOne(o, p, k, g, gOff, gStride, rowOff, img, imgOff, imgStride, count, fLen, acc, accOff);
      }
    }
  }

  @Override
  public int convLanes() {
    return L;
  }

  private static void wgradMicro(int o, int p, int k, float[] g, int gOff, int gStride, int[] rowOff, float[] img,
      int imgOff, int imgStride, int count, int fLen, float[] acc, int accOff) {
    int i00 = accOff + (o * k + p) * L;
    int row = k * L;
    FloatVector c00 = FloatVector.fromArray(S, acc, i00);
    FloatVector c01 = FloatVector.fromArray(S, acc, i00 + L);
    FloatVector c10 = FloatVector.fromArray(S, acc, i00 + row);
    FloatVector c11 = FloatVector.fromArray(S, acc, i00 + row + L);
    FloatVector c20 = FloatVector.fromArray(S, acc, i00 + 2 * row);
    FloatVector c21 = FloatVector.fromArray(S, acc, i00 + 2 * row + L);
    FloatVector c30 = FloatVector.fromArray(S, acc, i00 + 3 * row);
    FloatVector c31 = FloatVector.fromArray(S, acc, i00 + 3 * row + L);
    int r0 = rowOff[p];
    int r1 = rowOff[p + 1];
    for (int s = 0; s < count; s++) {
      int g0 = gOff + s * gStride + o * fLen;
      int g1 = g0 + fLen;
      int g2 = g1 + fLen;
      int g3 = g2 + fLen;
      int x0 = imgOff + s * imgStride + r0;
      int x1 = imgOff + s * imgStride + r1;
      for (int f = 0; f < fLen; f += L) {
        FloatVector b0 = FloatVector.fromArray(S, img, x0 + f);
        FloatVector b1 = FloatVector.fromArray(S, img, x1 + f);
        FloatVector a0 = FloatVector.fromArray(S, g, g0 + f);
        c00 = a0.fma(b0, c00);
        c01 = a0.fma(b1, c01);
        FloatVector a1 = FloatVector.fromArray(S, g, g1 + f);
        c10 = a1.fma(b0, c10);
        c11 = a1.fma(b1, c11);
        FloatVector a2 = FloatVector.fromArray(S, g, g2 + f);
        c20 = a2.fma(b0, c20);
        c21 = a2.fma(b1, c21);
        FloatVector a3 = FloatVector.fromArray(S, g, g3 + f);
        c30 = a3.fma(b0, c30);
        c31 = a3.fma(b1, c31);
      }
    }
    c00.intoArray(acc, i00);
    c01.intoArray(acc, i00 + L);
    c10.intoArray(acc, i00 + row);
    c11.intoArray(acc, i00 + row + L);
    c20.intoArray(acc, i00 + 2 * row);
    c21.intoArray(acc, i00 + 2 * row + L);
    c30.intoArray(acc, i00 + 3 * row);
    c31.intoArray(acc, i00 + 3 * row + L);
  }

  private static void wgradOne(int o, int p, int k, float[] g, int gOff, int gStride, int[] rowOff, float[] img,
      int imgOff, int imgStride, int count, int fLen, float[] acc, int accOff) {
    int ia = accOff + (o * k + p) * L;
    FloatVector c = FloatVector.fromArray(S, acc, ia);
    for (int s = 0; s < count; s++) {
      int gi = gOff + s * gStride + o * fLen;
      int xi = imgOff + s * imgStride + rowOff[p];
      for (int f = 0; f < fLen; f += L) {
        c = FloatVector.fromArray(S, g, gi + f).fma(FloatVector.fromArray(S, img, xi + f), c);
      }
    }
    c.intoArray(acc, ia);
  }

  // ---------------------------------------------------------------- elementwise

  /**
   * Elements from which the elementwise kernels split over the gang: the compute-bound ones ({@code exp},
   * {@code log}, {@code tanh}, {@code sigmoid}, softmax) and the memory-bound ones ({@code add sub mul div
   * affine axpy relu reluBackward}), since two cores' caches and load paths move about three times what one
   * does (1M floats copied in 44 µs on two threads, 147 µs on one). Below it (a training step's 64×512
   * activations) one thread is faster than waking another. Each element is computed alone, so no split
   * changes a bit.
   */
  public static final int PARALLEL_ELEMENTS = 1 << 17;

  /** A kernel over the index range {@code [lo, hi)}. */
  @FunctionalInterface
  private interface Range {
    void run(int lo, int hi);
  }

  /**
   * Runs {@code r} over {@code [0, n)}, split into at most {@code threads} pieces whose bounds are
   * multiples of {@code align} (so every piece but the last has no scalar tail and the result does not
   * depend on the split) when {@code work} elements reach {@link #PARALLEL_ELEMENTS}.
   */
  private void forRanges(int n, long work, int align, Range r) {
    int t = threads;
    if (t <= 1 || work < PARALLEL_ELEMENTS || n < 2 * align) {
      r.run(0, n);
      return;
    }
    // parts of about GRAIN elements of work, taken from the gang's counter (a late thread takes fewer)
    long perWork = Math.max(1, work / n);
    int per = (int) Math.max(align, (GRAIN / perWork + align - 1) / align * align);
    int parts = (n + per - 1) / per;
    Gang.shared().run(parts, t, i -> r.run(i * per, Math.min(n, (i + 1) * per)));
  }

  @Override
  public void parallelFor(int parts, java.util.function.IntConsumer part) {
    if (threads <= 1 || parts <= 1) {
      Kernels.super.parallelFor(parts, part);
      return;
    }
    Gang.shared().run(parts, threads, part::accept);
  }

  /** Elements of work in one part of a split elementwise kernel (PyTorch's grain size). */
  static final int GRAIN = 1 << 15;

  @Override
  public void add(float[] a, float[] b, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = a[i] + b[i];
      }
    });
  }

  @Override
  public void sub(float[] a, float[] b, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector.fromArray(S, a, i).sub(FloatVector.fromArray(S, b, i)).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = a[i] - b[i];
      }
    });
  }

  @Override
  public void mul(float[] a, float[] b, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector.fromArray(S, a, i).mul(FloatVector.fromArray(S, b, i)).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = a[i] * b[i];
      }
    });
  }

  @Override
  public void div(float[] a, float[] b, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector.fromArray(S, a, i).div(FloatVector.fromArray(S, b, i)).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = a[i] / b[i];
      }
    });
  }

  @Override
  public void affine(float[] a, float s, float t, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      // mul then add (two roundings), exactly as the scalar reference
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector.fromArray(S, a, i).mul(s).add(t).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = a[i] * s + t;
      }
    });
  }

  @Override
  public void axpy(float alpha, float[] x, float[] y, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      int i = lo;
      FloatVector va = FloatVector.broadcast(S, alpha);
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        va.fma(FloatVector.fromArray(S, x, i), FloatVector.fromArray(S, y, i)).intoArray(y, i);
      }
      for (; i < hi; i++) {
        y[i] = Math.fma(alpha, x[i], y[i]);
      }
    });
  }

  @Override
  public void relu(float[] a, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      // compare and blend rather than max: NaN maps to 0 as in the reference (a > 0 is false for NaN)
      FloatVector zero = FloatVector.zero(S);
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector v = FloatVector.fromArray(S, a, i);
        zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = a[i] > 0f ? a[i] : 0f;
      }
    });
  }

  @Override
  public void reluBackward(float[] g, float[] x, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      FloatVector zero = FloatVector.zero(S);
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector v = FloatVector.fromArray(S, x, i);
        zero.blend(FloatVector.fromArray(S, g, i), v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
      }
      for (; i < hi; i++) {
        out[i] = x[i] > 0f ? g[i] : 0f;
      }
    });
  }

  /** {@code 1.5·2^23}: adding it rounds to an integer {@code n} and leaves {@code n} in the low bits. */
  private static final float EXP_SHIFT = 0x1.8p23f;

  private static final float LOG2E = 1.44269504088896341f;

  /** {@code ln 2} in two parts (Cody–Waite): the first has few bits, so {@code n·LN2_HI} is exact. */
  private static final float LN2_HI = 0.693359375f;

  private static final float LN2_LO = -2.12194440e-4f;

  /** Inputs up to this magnitude have normal results with {@code |n| ≤ 125} (the fast path). */
  private static final float EXP_FAST_MAX = 86.6f;

  // e^r ≈ 1 + r + c2·r² + … + c6·r⁶ on |r| ≤ ln2/2: minimax for relative error, 3.6e-9 with these floats
  private static final float EXP_C2 = 0.4999999403953552f;
  private static final float EXP_C3 = 0.1666652113199234f;
  private static final float EXP_C4 = 0.04166838899254799f;
  private static final float EXP_C5 = 0.00836874544620514f;
  private static final float EXP_C6 = 0.0013814539415761828f;

  /**
   * {@code e^x} lane-wise, within 1 ulp of {@code Math.exp} (tested over the whole float range). Inlined
   * FMA code, 1.4× as fast as the Vector API's {@code EXP} (a call into the JDK's SVML stub) at 512 bits:
   * {@code n = round(x·log2 e)} by adding {@link #EXP_SHIFT}, {@code r = x − n·ln 2} with {@code ln 2} in
   * two parts, a degree-6 polynomial for {@code e^r} on {@code |r| ≤ ln2/2} (6 FMAs), and the product with
   * {@code 2^n} done by adding {@code n} to the polynomial's exponent bits (an integer add, which leaves
   * the FMA pipes to the polynomial). A vector with a lane beyond ±{@link #EXP_FAST_MAX} or a NaN goes to
   * the Vector API's {@code EXP} instead (overflow to ∞, subnormal results, NaN). The fast path is
   * deterministic: the same bits in interpreted and compiled code.
   *
   * <p>Small on purpose (C2 inlines it into each loop; a vector passed to a call that is not inlined is
   * boxed, which is why the loops measure it, see benchmarks/README.md).
   */
  static FloatVector exp(FloatVector x) {
    if (!x.abs().compare(VectorOperators.LE, EXP_FAST_MAX).allTrue()) {
      return x.lanewise(VectorOperators.EXP);
    }
    FloatVector t = x.fma(LOG2E, EXP_SHIFT);
    FloatVector n = t.sub(EXP_SHIFT);
    FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
    r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector p = r.fma(EXP_C6, EXP_C5);
    p = p.fma(r, FloatVector.broadcast(S, EXP_C4));
    p = p.fma(r, FloatVector.broadcast(S, EXP_C3));
    p = p.fma(r, FloatVector.broadcast(S, EXP_C2));
    p = p.fma(r, one);
    p = p.fma(r, one);
    // the low bits of t hold n (two's complement); shifted by 23 they land in the exponent field
    return p.reinterpretAsInts().add(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
  }

  @Override
  public void exp(float[] a, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> expRange(a, out, lo, hi));
  }

  private static void expRange(float[] a, float[] out, int lo, int hi) {
    int i = lo;
    for (; i + L <= hi; i += L) {
      exp(FloatVector.fromArray(S, a, i)).intoArray(out, i);
    }
    for (; i < hi; i++) {
      out[i] = (float) Math.exp(a[i]);
    }
  }

  @Override
  public void log(float[] a, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> logRange(a, out, lo, hi));
  }

  private static void logRange(float[] a, float[] out, int lo, int hi) {
    int i = lo;
    for (; i + L <= hi; i += L) {
      FloatVector.fromArray(S, a, i).lanewise(VectorOperators.LOG).intoArray(out, i);
    }
    for (; i < hi; i++) {
      out[i] = (float) Math.log(a[i]);
    }
  }

  @Override
  public void tanh(float[] a, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> tanhRange(a, out, lo, hi));
  }

  private static void tanhRange(float[] a, float[] out, int lo, int hi) {
    int i = lo;
    for (; i + L <= hi; i += L) {
      FloatVector.fromArray(S, a, i).lanewise(VectorOperators.TANH).intoArray(out, i);
    }
    for (; i < hi; i++) {
      out[i] = (float) Math.tanh(a[i]);
    }
  }

  @Override
  public void sigmoid(float[] a, float[] out, int n) {
    forRanges(n, n, L, (lo, hi) -> sigmoidRange(a, out, lo, hi));
  }

  private static void sigmoidRange(float[] a, float[] out, int lo, int hi) {
    // 1 / (1 + exp(-x)): exp(-x) overflows to +inf for x < -88 and the quotient is then exactly 0
    FloatVector one = FloatVector.broadcast(S, 1f);
    int i = lo;
    for (; i + L <= hi; i += L) {
      FloatVector e = exp(FloatVector.fromArray(S, a, i).neg());
      one.div(one.add(e)).intoArray(out, i);
    }
    for (; i < hi; i++) {
      out[i] = ScalarKernels.sigmoid(a[i]);
    }
  }

  @Override
  public void sigmoidBackward(float[] g, float[] y, float[] out, int n) {
    int i = 0;
    for (int ub = S.loopBound(n); i < ub; i += L) {
      FloatVector vy = FloatVector.fromArray(S, y, i);
      FloatVector.fromArray(S, g, i).mul(vy).mul(vy.neg().add(1f)).intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = g[i] * y[i] * (1f - y[i]);
    }
  }

  @Override
  public void tanhBackward(float[] g, float[] y, float[] out, int n) {
    int i = 0;
    for (int ub = S.loopBound(n); i < ub; i += L) {
      FloatVector vy = FloatVector.fromArray(S, y, i);
      FloatVector.fromArray(S, g, i).mul(vy.mul(vy).neg().add(1f)).intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = g[i] * (1f - y[i] * y[i]);
    }
  }

  @Override
  public void tanhJvp(float[] x, float[] t, float[] y, float[] ty, int n) {
    forRanges(n, n, L, (lo, hi) -> tanhJvpRange(x, t, y, ty, lo, hi));
  }

  /** {@link #tanhRange} and {@link #tanhBackward}'s operations on each element, in one loop. */
  private static void tanhJvpRange(float[] x, float[] t, float[] y, float[] ty, int lo, int hi) {
    int i = lo;
    for (; i + L <= hi; i += L) {
      FloatVector vy = FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH);
      FloatVector vt = FloatVector.fromArray(S, t, i);
      vy.intoArray(y, i);
      vt.mul(vy.mul(vy).neg().add(1f)).intoArray(ty, i);
    }
    for (; i < hi; i++) {
      float v = (float) Math.tanh(x[i]);
      float g = t[i];
      y[i] = v;
      ty[i] = g * (1f - v * v);
    }
  }

  /**
   * One pass over the block when its rows are whole vectors ({@code n} a multiple of the lanes, below the gang's
   * split): each vector of {@code z} and {@code ż} is the one {@link #addColumn} or {@link #addRow} would store, and
   * the same vectors go through {@link #tanhJvpRange}'s operations, so the values are the unfused ones to the bit.
   */
  @Override
  public void tanhJvpBias(float[] p, float[] tp, float[] bias, float[] tBias, boolean perRow, float[] y,
      float[] ty, int rows, int n) {
    if (n % L != 0 || (long) rows * n >= PARALLEL_ELEMENTS) {
      Kernels.super.tanhJvpBias(p, tp, bias, tBias, perRow, y, ty, rows, n);
      return;
    }
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      FloatVector vb = FloatVector.broadcast(S, perRow ? bias[r] : 0f);
      FloatVector vtb = FloatVector.broadcast(S, perRow ? tBias[r] : 0f);
      for (int j = 0; j < n; j += L) {
        FloatVector z = FloatVector.fromArray(S, p, base + j).add(perRow ? vb : FloatVector.fromArray(S, bias, j));
        FloatVector tz = FloatVector.fromArray(S, tp, base + j)
            .add(perRow ? vtb : FloatVector.fromArray(S, tBias, j));
        FloatVector vy = z.lanewise(VectorOperators.TANH);
        vy.intoArray(y, base + j);
        tz.mul(vy.mul(vy).neg().add(1f)).intoArray(ty, base + j);
      }
    }
  }

  @Override
  public void sigmoidJvp(float[] x, float[] t, float[] y, float[] ty, int n) {
    forRanges(n, n, L, (lo, hi) -> sigmoidJvpRange(x, t, y, ty, lo, hi));
  }

  /** {@link #sigmoidRange} and {@link #sigmoidBackward}'s operations on each element, in one loop. */
  private static void sigmoidJvpRange(float[] x, float[] t, float[] y, float[] ty, int lo, int hi) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    int i = lo;
    for (; i + L <= hi; i += L) {
      FloatVector e = exp(FloatVector.fromArray(S, x, i).neg());
      FloatVector vy = one.div(one.add(e));
      FloatVector vt = FloatVector.fromArray(S, t, i);
      vy.intoArray(y, i);
      vt.mul(vy).mul(vy.neg().add(1f)).intoArray(ty, i);
    }
    for (; i < hi; i++) {
      float v = ScalarKernels.sigmoid(x[i]);
      float g = t[i];
      y[i] = v;
      ty[i] = g * v * (1f - v);
    }
  }

  @Override
  public void reluJvp(float[] x, float[] t, float[] y, float[] ty, int n) {
    forRanges(n, n, L, (lo, hi) -> {
      // relu's and reluBackward's compare-and-blend: NaN maps to 0, and relu'(0) = 0
      FloatVector zero = FloatVector.zero(S);
      int i = lo;
      for (int ub = lo + S.loopBound(hi - lo); i < ub; i += L) {
        FloatVector v = FloatVector.fromArray(S, x, i);
        FloatVector vy = zero.blend(v, v.compare(VectorOperators.GT, 0f));
        FloatVector vt = FloatVector.fromArray(S, t, i);
        vy.intoArray(y, i);
        zero.blend(vt, vy.compare(VectorOperators.GT, 0f)).intoArray(ty, i);
      }
      for (; i < hi; i++) {
        float v = x[i] > 0f ? x[i] : 0f;
        float g = t[i];
        y[i] = v;
        ty[i] = v > 0f ? g : 0f;
      }
    });
  }

  @Override
  public void addRow(float[] a, float[] row, float[] out, int rows, int n) {
    int ub = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      int j = 0;
      for (; j < ub; j += L) {
        FloatVector.fromArray(S, a, base + j).add(FloatVector.fromArray(S, row, j)).intoArray(out, base + j);
      }
      for (; j < n; j++) {
        out[base + j] = a[base + j] + row[j];
      }
    }
  }

  @Override
  public void addColumn(float[] a, float[] column, float[] out, int rows, int n) {
    int ub = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      float v = column[r];
      FloatVector vv = FloatVector.broadcast(S, v);
      int j = 0;
      for (; j < ub; j += L) {
        FloatVector.fromArray(S, a, base + j).add(vv).intoArray(out, base + j);
      }
      for (; j < n; j++) {
        out[base + j] = a[base + j] + v;
      }
    }
  }

  // ---------------------------------------------------------------- reductions

  @Override
  public float sum(float[] a, int off, int n) {
    if (n < SEQUENTIAL_SUM) {
      float s = 0f;
      for (int i = off; i < off + n; i++) {
        s += a[i];
      }
      return s;
    }
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    int i = off;
    int end = off + n;
    for (int ub = off + (n / (4 * L)) * (4 * L); i < ub; i += 4 * L) {
      s0 = s0.add(FloatVector.fromArray(S, a, i));
      s1 = s1.add(FloatVector.fromArray(S, a, i + L));
      s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * L));
      s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * L));
    }
    for (; i + L <= end; i += L) {
      s0 = s0.add(FloatVector.fromArray(S, a, i));
    }
    float s = lanesInOrder(s0.add(s1).add(s2.add(s3)));
    for (; i < end; i++) {
      s += a[i];
    }
    return s;
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
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    int i = 0;
    for (int ub = (n / (4 * L)) * (4 * L); i < ub; i += 4 * L) {
      s0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), s0);
      s1 = FloatVector.fromArray(S, a, i + L).fma(FloatVector.fromArray(S, b, i + L), s1);
      s2 = FloatVector.fromArray(S, a, i + 2 * L).fma(FloatVector.fromArray(S, b, i + 2 * L), s2);
      s3 = FloatVector.fromArray(S, a, i + 3 * L).fma(FloatVector.fromArray(S, b, i + 3 * L), s3);
    }
    for (; i + L <= n; i += L) {
      s0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), s0);
    }
    float s = lanesInOrder(s0.add(s1).add(s2.add(s3)));
    for (; i < n; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Override
  public float max(float[] a, int off, int n) {
    int i = off;
    int end = off + n;
    float m;
    if (n >= L) {
      FloatVector vm = FloatVector.fromArray(S, a, i);
      i += L;
      if (n >= 4 * L) {
        // four independent chains: a Java-semantics max (NaN, ±0) is several instructions long; any order
        // of maxima gives the same result
        FloatVector m1 = FloatVector.fromArray(S, a, i);
        FloatVector m2 = FloatVector.fromArray(S, a, i + L);
        FloatVector m3 = FloatVector.fromArray(S, a, i + 2 * L);
        i += 3 * L;
        for (; i + 4 * L <= end; i += 4 * L) {
          vm = vm.max(FloatVector.fromArray(S, a, i));
          m1 = m1.max(FloatVector.fromArray(S, a, i + L));
          m2 = m2.max(FloatVector.fromArray(S, a, i + 2 * L));
          m3 = m3.max(FloatVector.fromArray(S, a, i + 3 * L));
        }
        vm = vm.max(m1).max(m2.max(m3));
      }
      for (; i + L <= end; i += L) {
        vm = vm.max(FloatVector.fromArray(S, a, i)); // lanewise Math.max: NaN propagates
      }
      m = vm.reduceLanes(VectorOperators.MAX);
    } else {
      m = a[i++];
    }
    for (; i < end; i++) {
      m = Math.max(m, a[i]);
    }
    return m;
  }

  @Override
  public void sumAxis(float[] x, int outer, int n, int inner, float[] out) {
    if (inner == 1) {
      for (int o = 0; o < outer; o++) {
        out[o] = sum(x, o * n, n);
      }
      return;
    }
    // accumulate whole rows of length `inner`: each output is still summed left to right in j
    int ub = S.loopBound(inner);
    for (int o = 0; o < outer; o++) {
      int dst = o * inner;
      Arrays.fill(out, dst, dst + inner, 0f);
      for (int j = 0; j < n; j++) {
        int src = (o * n + j) * inner;
        int i = 0;
        for (; i < ub; i += L) {
          FloatVector.fromArray(S, out, dst + i).add(FloatVector.fromArray(S, x, src + i)).intoArray(out, dst + i);
        }
        for (; i < inner; i++) {
          out[dst + i] += x[src + i];
        }
      }
    }
  }

  @Override
  public void softmaxRows(float[] x, float[] out, int rows, int n, boolean log) {
    if (n == 0) {
      return;
    }
    forRanges(rows, (long) rows * n, 1, (lo, hi) -> softmaxRange(x, out, lo, hi, n, log));
  }

  private void softmaxRange(float[] x, float[] out, int r0, int r1, int n, boolean log) {
    int ub = S.loopBound(n);
    for (int r = r0; r < r1; r++) {
      int off = r * n;
      float max = max(x, off, n);
      FloatVector vmax = FloatVector.broadcast(S, max);
      FloatVector acc = FloatVector.zero(S);
      int j = 0;
      for (; j < ub; j += L) {
        FloatVector e = exp(FloatVector.fromArray(S, x, off + j).sub(vmax));
        if (!log) {
          e.intoArray(out, off + j);
        }
        acc = acc.add(e);
      }
      float sum = lanesInOrder(acc);
      for (; j < n; j++) {
        float e = (float) Math.exp(x[off + j] - max);
        if (!log) {
          out[off + j] = e;
        }
        sum += e;
      }
      if (log) {
        float lse = (float) Math.log(sum);
        j = 0;
        for (; j < ub; j += L) {
          FloatVector.fromArray(S, x, off + j).sub(vmax).sub(lse).intoArray(out, off + j);
        }
        for (; j < n; j++) {
          out[off + j] = x[off + j] - max - lse;
        }
      } else {
        // one division per row, then products (as PyTorch's vectorised softmax): within an ulp of e/sum
        float inv = 1f / sum;
        j = 0;
        for (; j < ub; j += L) {
          FloatVector.fromArray(S, out, off + j).mul(inv).intoArray(out, off + j);
        }
        for (; j < n; j++) {
          out[off + j] *= inv;
        }
      }
    }
  }

  @Override
  public void softmaxBackwardRows(float[] g, float[] y, float[] out, int rows, int n, boolean log) {
    forRanges(rows, (long) rows * n, 1, (lo, hi) -> softmaxBackwardRange(g, y, out, lo, hi, n, log));
  }

  private static void softmaxBackwardRange(float[] g, float[] y, float[] out, int r0, int r1, int n,
      boolean log) {
    int ub = S.loopBound(n);
    for (int r = r0; r < r1; r++) {
      int off = r * n;
      FloatVector acc = FloatVector.zero(S);
      int j = 0;
      for (; j < ub; j += L) {
        FloatVector vg = FloatVector.fromArray(S, g, off + j);
        acc = log ? acc.add(vg) : vg.fma(FloatVector.fromArray(S, y, off + j), acc);
      }
      float s = lanesInOrder(acc);
      for (; j < n; j++) {
        s += log ? g[off + j] : g[off + j] * y[off + j];
      }
      FloatVector vs = FloatVector.broadcast(S, s);
      j = 0;
      if (log) {
        for (; j < ub; j += L) {
          FloatVector e = exp(FloatVector.fromArray(S, y, off + j));
          FloatVector.fromArray(S, g, off + j).sub(e.mul(vs)).intoArray(out, off + j);
        }
        for (; j < n; j++) {
          out[off + j] = g[off + j] - (float) Math.exp(y[off + j]) * s;
        }
      } else {
        for (; j < ub; j += L) {
          FloatVector vy = FloatVector.fromArray(S, y, off + j);
          vy.mul(FloatVector.fromArray(S, g, off + j).sub(vs)).intoArray(out, off + j);
        }
        for (; j < n; j++) {
          out[off + j] = y[off + j] * (g[off + j] - s);
        }
      }
    }
  }

  // ---------------------------------------------------------------- packing into reused storage
  // (appended for the MLP's training forward, which packs a changed weight on every step)

  /**
   * {@link #packB(boolean, int, int, float[], int)} into {@code reuse}'s array when {@code reuse} was packed
   * by these kernels for the same {@code k} and {@code n} (otherwise into a new one). The packed values are
   * the same as {@code packB}'s, so {@link #gemmPacked} gives the same bits as {@link #gemm}.
   *
   * <p>A transposed {@code B} ({@code transB}, a linear layer's weight read as {@code Wᵀ}) is packed in
   * {@code L×L} tiles transposed in registers (16×16 at 512 bits, 8×8 at 256: log₂ L rounds of two-vector
   * zips, {@link FloatVector#selectFrom(jdk.incubator.vector.Vector, jdk.incubator.vector.Vector)}) instead of
   * the scalar strided copy: 512×784 in about 135 µs instead of 370 on one thread. Edges (columns past the
   * last whole tile, a KC block not a multiple of L) and 128-bit vectors use the scalar copy. From
   * {@link #PARALLEL_PACK} elements on, the whole tiles split over the gang in parts of
   * {@link #REUSE_TILES_PER_PART} tiles (the same values whatever the split).
   */
  @Override
  public PackedB packB(boolean transB, int k, int n, float[] b, int bOff, PackedB reuse) {
    if (k < 0 || n < 0) {
      throw new IllegalArgumentException("packB: negative size k=" + k + ", n=" + n);
    }
    int nPad = (n + NR - 1) / NR * NR;
    float[] data = reuse instanceof Packed p && p.k() == k && p.n() == n ? p.data() : new float[k * nPad];
    int ldb = transB ? k : n;
    int blocks = (k + KC - 1) / KC;
    if (!transB || (L != 16 && L != 8)) {
      // packB writes every value of a block, the zero padding included
      packRange(transB, b, bOff, ldb, k, n, nPad, data, 0, blocks);
      return new Packed(k, n, data, transB, b, bOff);
    }
    int nt = n - n % L; // columns of op(B) in whole tiles
    int tiles = nt / L;
    if (threads > 1 && (long) k * n >= PARALLEL_PACK && tiles >= 2 * REUSE_TILES_PER_PART) {
      // the tiles of L rows of B split over the gang (each part writes its own columns of every block)
      int parts = (tiles + REUSE_TILES_PER_PART - 1) / REUSE_TILES_PER_PART;
      Gang.shared().run(parts, threads, part -> packReuseTiles(b, bOff, ldb, k, nPad, data,
          part * REUSE_TILES_PER_PART * L, Math.min(nt, (part + 1) * REUSE_TILES_PER_PART * L)));
    } else {
      packReuseTiles(b, bOff, ldb, k, nPad, data, 0, nt);
    }
    packReuseEdges(b, bOff, ldb, k, n, nPad, data, nt);
    return new Packed(k, n, data, transB, b, bOff);
  }

  /** Whole tiles (L rows of a transposed B) per part when the packing into reused storage splits. */
  static final int REUSE_TILES_PER_PART = 4;

  /** Packs the columns {@code [jLo, jHi)} of {@code op(B) = Bᵀ} (whole tiles of L) into every KC block. */
  private static void packReuseTiles(float[] b, int bOff, int ldb, int k, int nPad, float[] data, int jLo,
      int jHi) {
    int blocks = (k + KC - 1) / KC;
    // L rows of B at a time, each read from start to end across the KC blocks (long streams for the
    // prefetcher: the weight was just updated and is mostly outside L2)
    for (int j0 = jLo; j0 < jHi; j0 += L) {
      for (int blk = 0; blk < blocks; blk++) {
        int pc = blk * KC;
        int kc = Math.min(KC, k - pc);
        int kt = kc - kc % L;
        // the tile's columns j0..j0+L sit in panel j0/NR at column j0 % NR; row p of the block at p·NR
        int dst = pc * nPad + (j0 / NR) * kc * NR + j0 % NR;
        int src = bOff + j0 * ldb + pc;
        for (int p0 = 0; p0 < kt; p0 += L) {
          if (L == 16) {
            transposeTile16(b, src + p0, ldb, data, dst + p0 * NR, NR);
          } else {
            transposeTile8(b, src + p0, ldb, data, dst + p0 * NR, NR);
          }
        }
        for (int p = kt; p < kc; p++) {
          for (int c = 0; c < L; c++) {
            data[dst + p * NR + c] = b[src + c * ldb + p];
          }
        }
      }
    }
  }

  /** The columns of {@code op(B) = Bᵀ} past the last whole tile, then the zero padding to the panel width. */
  private static void packReuseEdges(float[] b, int bOff, int ldb, int k, int n, int nPad, float[] data, int nt) {
    int blocks = (k + KC - 1) / KC;
    for (int blk = 0; blk < blocks; blk++) {
      int pc = blk * KC;
      int kc = Math.min(KC, k - pc);
      for (int j = nt; j < nPad; j++) {
        int dst = pc * nPad + (j / NR) * kc * NR + j % NR;
        int src = bOff + j * ldb + pc;
        for (int p = 0; p < kc; p++) {
          data[dst + p * NR] = j < n ? b[src + p] : 0f;
        }
      }
    }
  }


  /** Lane indices of the two-vector zips: {@code (x0, y0, x1, y1, ...)} from the low and the high halves. */
  private static final FloatVector ZIP_LO = zip(0);
  private static final FloatVector ZIP_HI = zip(L / 2);

  private static FloatVector zip(int from) {
    float[] idx = new float[L];
    for (int j = 0; j < L / 2; j++) {
      idx[2 * j] = from + j;
      idx[2 * j + 1] = L + from + j;
    }
    return FloatVector.fromArray(S, idx, 0);
  }

  // A tile is transposed by log2(L) rounds of the perfect shuffle: row 2i of a round is zipLo(row i,
  // row i + L/2) of the previous one, row 2i+1 is zipHi; each round rotates the bits of (row, column) by
  // one, so after log2(L) rounds row and column have swapped. Generated (unrolled so that C2 keeps every
  // row in a register); the two variants differ only in L.
  /** One 16×16 tile: {@code out[oIdx + j·ldo + i] = a[aIdx + i·lda + j]}, transposed in registers. */
  private static void transposeTile16(float[] a, int aIdx, int lda, float[] out, int oIdx, int ldo) {
    FloatVector r0 = FloatVector.fromArray(S, a, aIdx + 0 * lda);
    FloatVector r1 = FloatVector.fromArray(S, a, aIdx + 1 * lda);
    FloatVector r2 = FloatVector.fromArray(S, a, aIdx + 2 * lda);
    FloatVector r3 = FloatVector.fromArray(S, a, aIdx + 3 * lda);
    FloatVector r4 = FloatVector.fromArray(S, a, aIdx + 4 * lda);
    FloatVector r5 = FloatVector.fromArray(S, a, aIdx + 5 * lda);
    FloatVector r6 = FloatVector.fromArray(S, a, aIdx + 6 * lda);
    FloatVector r7 = FloatVector.fromArray(S, a, aIdx + 7 * lda);
    FloatVector r8 = FloatVector.fromArray(S, a, aIdx + 8 * lda);
    FloatVector r9 = FloatVector.fromArray(S, a, aIdx + 9 * lda);
    FloatVector r10 = FloatVector.fromArray(S, a, aIdx + 10 * lda);
    FloatVector r11 = FloatVector.fromArray(S, a, aIdx + 11 * lda);
    FloatVector r12 = FloatVector.fromArray(S, a, aIdx + 12 * lda);
    FloatVector r13 = FloatVector.fromArray(S, a, aIdx + 13 * lda);
    FloatVector r14 = FloatVector.fromArray(S, a, aIdx + 14 * lda);
    FloatVector r15 = FloatVector.fromArray(S, a, aIdx + 15 * lda);
    FloatVector a0 = ZIP_LO.selectFrom(r0, r8);
    FloatVector a1 = ZIP_HI.selectFrom(r0, r8);
    FloatVector a2 = ZIP_LO.selectFrom(r1, r9);
    FloatVector a3 = ZIP_HI.selectFrom(r1, r9);
    FloatVector a4 = ZIP_LO.selectFrom(r2, r10);
    FloatVector a5 = ZIP_HI.selectFrom(r2, r10);
    FloatVector a6 = ZIP_LO.selectFrom(r3, r11);
    FloatVector a7 = ZIP_HI.selectFrom(r3, r11);
    FloatVector a8 = ZIP_LO.selectFrom(r4, r12);
    FloatVector a9 = ZIP_HI.selectFrom(r4, r12);
    FloatVector a10 = ZIP_LO.selectFrom(r5, r13);
    FloatVector a11 = ZIP_HI.selectFrom(r5, r13);
    FloatVector a12 = ZIP_LO.selectFrom(r6, r14);
    FloatVector a13 = ZIP_HI.selectFrom(r6, r14);
    FloatVector a14 = ZIP_LO.selectFrom(r7, r15);
    FloatVector a15 = ZIP_HI.selectFrom(r7, r15);
    FloatVector b0 = ZIP_LO.selectFrom(a0, a8);
    FloatVector b1 = ZIP_HI.selectFrom(a0, a8);
    FloatVector b2 = ZIP_LO.selectFrom(a1, a9);
    FloatVector b3 = ZIP_HI.selectFrom(a1, a9);
    FloatVector b4 = ZIP_LO.selectFrom(a2, a10);
    FloatVector b5 = ZIP_HI.selectFrom(a2, a10);
    FloatVector b6 = ZIP_LO.selectFrom(a3, a11);
    FloatVector b7 = ZIP_HI.selectFrom(a3, a11);
    FloatVector b8 = ZIP_LO.selectFrom(a4, a12);
    FloatVector b9 = ZIP_HI.selectFrom(a4, a12);
    FloatVector b10 = ZIP_LO.selectFrom(a5, a13);
    FloatVector b11 = ZIP_HI.selectFrom(a5, a13);
    FloatVector b12 = ZIP_LO.selectFrom(a6, a14);
    FloatVector b13 = ZIP_HI.selectFrom(a6, a14);
    FloatVector b14 = ZIP_LO.selectFrom(a7, a15);
    FloatVector b15 = ZIP_HI.selectFrom(a7, a15);
    FloatVector c0 = ZIP_LO.selectFrom(b0, b8);
    FloatVector c1 = ZIP_HI.selectFrom(b0, b8);
    FloatVector c2 = ZIP_LO.selectFrom(b1, b9);
    FloatVector c3 = ZIP_HI.selectFrom(b1, b9);
    FloatVector c4 = ZIP_LO.selectFrom(b2, b10);
    FloatVector c5 = ZIP_HI.selectFrom(b2, b10);
    FloatVector c6 = ZIP_LO.selectFrom(b3, b11);
    FloatVector c7 = ZIP_HI.selectFrom(b3, b11);
    FloatVector c8 = ZIP_LO.selectFrom(b4, b12);
    FloatVector c9 = ZIP_HI.selectFrom(b4, b12);
    FloatVector c10 = ZIP_LO.selectFrom(b5, b13);
    FloatVector c11 = ZIP_HI.selectFrom(b5, b13);
    FloatVector c12 = ZIP_LO.selectFrom(b6, b14);
    FloatVector c13 = ZIP_HI.selectFrom(b6, b14);
    FloatVector c14 = ZIP_LO.selectFrom(b7, b15);
    FloatVector c15 = ZIP_HI.selectFrom(b7, b15);
    FloatVector d0 = ZIP_LO.selectFrom(c0, c8);
    FloatVector d1 = ZIP_HI.selectFrom(c0, c8);
    FloatVector d2 = ZIP_LO.selectFrom(c1, c9);
    FloatVector d3 = ZIP_HI.selectFrom(c1, c9);
    FloatVector d4 = ZIP_LO.selectFrom(c2, c10);
    FloatVector d5 = ZIP_HI.selectFrom(c2, c10);
    FloatVector d6 = ZIP_LO.selectFrom(c3, c11);
    FloatVector d7 = ZIP_HI.selectFrom(c3, c11);
    FloatVector d8 = ZIP_LO.selectFrom(c4, c12);
    FloatVector d9 = ZIP_HI.selectFrom(c4, c12);
    FloatVector d10 = ZIP_LO.selectFrom(c5, c13);
    FloatVector d11 = ZIP_HI.selectFrom(c5, c13);
    FloatVector d12 = ZIP_LO.selectFrom(c6, c14);
    FloatVector d13 = ZIP_HI.selectFrom(c6, c14);
    FloatVector d14 = ZIP_LO.selectFrom(c7, c15);
    FloatVector d15 = ZIP_HI.selectFrom(c7, c15);
    d0.intoArray(out, oIdx + 0 * ldo);
    d1.intoArray(out, oIdx + 1 * ldo);
    d2.intoArray(out, oIdx + 2 * ldo);
    d3.intoArray(out, oIdx + 3 * ldo);
    d4.intoArray(out, oIdx + 4 * ldo);
    d5.intoArray(out, oIdx + 5 * ldo);
    d6.intoArray(out, oIdx + 6 * ldo);
    d7.intoArray(out, oIdx + 7 * ldo);
    d8.intoArray(out, oIdx + 8 * ldo);
    d9.intoArray(out, oIdx + 9 * ldo);
    d10.intoArray(out, oIdx + 10 * ldo);
    d11.intoArray(out, oIdx + 11 * ldo);
    d12.intoArray(out, oIdx + 12 * ldo);
    d13.intoArray(out, oIdx + 13 * ldo);
    d14.intoArray(out, oIdx + 14 * ldo);
    d15.intoArray(out, oIdx + 15 * ldo);
  }

  /** One 8×8 tile: {@code out[oIdx + j·ldo + i] = a[aIdx + i·lda + j]}, transposed in registers. */
  private static void transposeTile8(float[] a, int aIdx, int lda, float[] out, int oIdx, int ldo) {
    FloatVector r0 = FloatVector.fromArray(S, a, aIdx + 0 * lda);
    FloatVector r1 = FloatVector.fromArray(S, a, aIdx + 1 * lda);
    FloatVector r2 = FloatVector.fromArray(S, a, aIdx + 2 * lda);
    FloatVector r3 = FloatVector.fromArray(S, a, aIdx + 3 * lda);
    FloatVector r4 = FloatVector.fromArray(S, a, aIdx + 4 * lda);
    FloatVector r5 = FloatVector.fromArray(S, a, aIdx + 5 * lda);
    FloatVector r6 = FloatVector.fromArray(S, a, aIdx + 6 * lda);
    FloatVector r7 = FloatVector.fromArray(S, a, aIdx + 7 * lda);
    FloatVector a0 = ZIP_LO.selectFrom(r0, r4);
    FloatVector a1 = ZIP_HI.selectFrom(r0, r4);
    FloatVector a2 = ZIP_LO.selectFrom(r1, r5);
    FloatVector a3 = ZIP_HI.selectFrom(r1, r5);
    FloatVector a4 = ZIP_LO.selectFrom(r2, r6);
    FloatVector a5 = ZIP_HI.selectFrom(r2, r6);
    FloatVector a6 = ZIP_LO.selectFrom(r3, r7);
    FloatVector a7 = ZIP_HI.selectFrom(r3, r7);
    FloatVector b0 = ZIP_LO.selectFrom(a0, a4);
    FloatVector b1 = ZIP_HI.selectFrom(a0, a4);
    FloatVector b2 = ZIP_LO.selectFrom(a1, a5);
    FloatVector b3 = ZIP_HI.selectFrom(a1, a5);
    FloatVector b4 = ZIP_LO.selectFrom(a2, a6);
    FloatVector b5 = ZIP_HI.selectFrom(a2, a6);
    FloatVector b6 = ZIP_LO.selectFrom(a3, a7);
    FloatVector b7 = ZIP_HI.selectFrom(a3, a7);
    FloatVector c0 = ZIP_LO.selectFrom(b0, b4);
    FloatVector c1 = ZIP_HI.selectFrom(b0, b4);
    FloatVector c2 = ZIP_LO.selectFrom(b1, b5);
    FloatVector c3 = ZIP_HI.selectFrom(b1, b5);
    FloatVector c4 = ZIP_LO.selectFrom(b2, b6);
    FloatVector c5 = ZIP_HI.selectFrom(b2, b6);
    FloatVector c6 = ZIP_LO.selectFrom(b3, b7);
    FloatVector c7 = ZIP_HI.selectFrom(b3, b7);
    c0.intoArray(out, oIdx + 0 * ldo);
    c1.intoArray(out, oIdx + 1 * ldo);
    c2.intoArray(out, oIdx + 2 * ldo);
    c3.intoArray(out, oIdx + 3 * ldo);
    c4.intoArray(out, oIdx + 4 * ldo);
    c5.intoArray(out, oIdx + 5 * ldo);
    c6.intoArray(out, oIdx + 6 * ldo);
    c7.intoArray(out, oIdx + 7 * ldo);
  }
}
