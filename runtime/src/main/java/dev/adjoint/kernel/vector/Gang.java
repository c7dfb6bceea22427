package dev.adjoint.kernel.vector;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that split one kernel call: the calling thread plus dedicated daemon workers, which take the
 * numbered parts of a job from a shared counter until none is left. It replaces a {@code ForkJoinPool}
 * for the kernels because a product of 64×784×512 takes only about 0.3 ms on two threads, and a pool
 * thread woken from {@code park} arrives tens of microseconds late:
 *
 * <ul>
 *   <li>the caller starts on the parts at once, and a worker that arrives late simply takes fewer parts
 *       (none, if the caller has finished them all); the results never depend on who runs which part;
 *   <li>an idle worker spins for {@link #SPIN_NANOS} (default 100 µs, {@code -Dadjoint.spinMicros}) before
 *       it parks, so kernel calls that follow each other closely (a training step) find it awake, as an
 *       OpenMP runtime's workers do;
 *   <li>the caller, once the counter is exhausted, waits only for the parts already running, spinning
 *       briefly and then yielding its core (to a worker that was preempted, on a busy machine).
 * </ul>
 *
 * One job runs at a time. A call made while the gang is busy (from another application thread, or from
 * inside a part) runs all its parts on the calling thread, so nesting cannot deadlock.
 */
final class Gang {

  /** A job's parts, {@code part(0) .. part(parts - 1)}, in any order and on any thread. */
  @FunctionalInterface
  interface Parts {
    void run(int part);
  }

  /** How long an idle worker spins before parking. */
  static final long SPIN_NANOS = spinNanos();

  private static long spinNanos() {
    String p = System.getProperty("adjoint.spinMicros");
    try {
      return p == null ? 100_000L : Math.max(0, Long.parseLong(p.trim())) * 1000L;
    } catch (NumberFormatException e) {
      return 100_000L;
    }
  }

  /** How long the caller spins for the parts still running on workers before it parks. */
  static final long AWAIT_SPIN_NANOS = 50_000L;

  /** The gang every kernel call shares, created on first parallel use. */
  static Gang shared() {
    return Holder.SHARED;
  }

  private static final class Holder {
    static final Gang SHARED = new Gang(Math.max(Runtime.getRuntime().availableProcessors(),
        VectorKernels.instance().threads()) - 1);
  }

  private final Worker[] workers;

  private final AtomicBoolean busy = new AtomicBoolean();

  Gang(int workerCount) {
    workers = new Worker[workerCount];
    for (int i = 0; i < workerCount; i++) {
      workers[i] = new Worker("adjoint-kernel-" + (i + 1));
      workers[i].start();
    }
  }

  /** The most threads a job can use: the caller and every worker. */
  int size() {
    return workers.length + 1;
  }

  /**
   * Runs {@code body} for every part in {@code [0, parts)} on at most {@code threads} threads (the caller
   * among them) and returns when all are done. A part that throws is rethrown here.
   */
  void run(int parts, int threads, Parts body) {
    int helpers = Math.min(Math.min(threads, parts) - 1, workers.length);
    if (helpers <= 0 || !busy.compareAndSet(false, true)) {
      for (int p = 0; p < parts; p++) {
        body.run(p);
      }
      return;
    }
    try {
      Job job = new Job(parts, body);
      for (int i = 0; i < helpers; i++) {
        workers[i].post(job);
      }
      job.work(true);
      job.await();
    } finally {
      busy.set(false);
    }
  }

  /**
   * One call's parts and a count of the finished ones. The caller takes parts from the front, the workers
   * from the back ({@link #range} holds both ends), so that with two threads each writes one contiguous
   * region: neighbouring parts (column chunks of C) share cache lines at their edges.
   */
  private static final class Job {
    final int parts;
    final Parts body;
    /** {@code lo << 32 | hi}: parts {@code [lo, hi)} are still free. */
    final AtomicLong range;
    final AtomicInteger done = new AtomicInteger();
    final Thread caller = Thread.currentThread();
    volatile boolean waiting;
    volatile Throwable failure;

    Job(int parts, Parts body) {
      this.parts = parts;
      this.body = body;
      this.range = new AtomicLong(parts);
    }

    /** The next free part, from the front or the back, or -1 when none is left. */
    int claim(boolean front) {
      while (true) {
        long r = range.get();
        int lo = (int) (r >>> 32);
        int hi = (int) r;
        if (lo >= hi) {
          return -1;
        }
        long next = front ? (long) (lo + 1) << 32 | hi : (long) lo << 32 | (hi - 1);
        if (range.compareAndSet(r, next)) {
          return front ? lo : hi - 1;
        }
      }
    }

    void work(boolean front) {
      for (int p = claim(front); p >= 0; p = claim(front)) {
        try {
          body.run(p);
        } catch (Throwable t) {
          failure = t;
        } finally {
          if (done.incrementAndGet() == parts && waiting) {
            LockSupport.unpark(caller);
          }
        }
      }
    }

    /**
     * Waits for the parts other threads still run: spins for {@link #AWAIT_SPIN_NANOS} (a part takes
     * tens of microseconds), then parks until the last part's thread unparks it, so that on a busy
     * machine a worker that lost its core can have the caller's.
     */
    void await() {
      long start = System.nanoTime();
      while (done.get() < parts && System.nanoTime() - start < AWAIT_SPIN_NANOS) {
        Thread.onSpinWait();
      }
      if (done.get() < parts) {
        waiting = true;
        while (done.get() < parts) {
          LockSupport.park(this);
        }
        waiting = false;
      }
      Throwable t = failure;
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
      if (t != null) {
        throw new IllegalStateException(t);
      }
    }
  }

  private static final class Worker extends Thread {
    /** The job to join, cleared when done (so a finished job's arrays are not kept alive). */
    private final AtomicReference<Job> posted = new AtomicReference<>();
    private volatile boolean parked;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    void post(Job job) {
      posted.set(job);
      if (parked) {
        LockSupport.unpark(this);
      }
    }

    @Override
    public void run() {
      while (true) {
        Job job = posted.get();
        if (job == null) {
          long start = System.nanoTime();
          while ((job = posted.get()) == null && System.nanoTime() - start < SPIN_NANOS) {
            Thread.onSpinWait();
          }
          if (job == null) {
            parked = true;
            if (posted.get() == null) {
              LockSupport.park(this);
            }
            parked = false;
            continue;
          }
        }
        job.work(false);
        posted.compareAndSet(job, null); // a job posted meanwhile stays
      }
    }
  }
}
