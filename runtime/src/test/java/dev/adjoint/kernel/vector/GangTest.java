package dev.adjoint.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The gang that splits kernel calls: every part once, failures surface, nesting and contention are safe. */
class GangTest {

  @Test
  void runsEveryPartExactlyOnce() {
    Gang gang = new Gang(3);
    for (int parts : new int[] {1, 2, 3, 4, 7, 64, 1000}) {
      for (int threads : new int[] {1, 2, 4, 9}) {
        AtomicIntegerArray seen = new AtomicIntegerArray(parts);
        gang.run(parts, threads, seen::incrementAndGet);
        for (int p = 0; p < parts; p++) {
          assertEquals(1, seen.get(p), "part " + p + " of " + parts + " on " + threads + " threads");
        }
      }
    }
  }

  @Test
  void usesTheWorkersWhenThePartsAreLong() {
    Gang gang = new Gang(1);
    Set<Thread> ran = ConcurrentHashMap.newKeySet();
    // parts long enough that the worker (spinning or woken) arrives before the caller has done them all
    gang.run(64, 2, p -> {
      ran.add(Thread.currentThread());
      long end = System.nanoTime() + 1_000_000;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    });
    assertEquals(2, ran.size(), "threads that ran parts: " + ran);
  }

  @Test
  void aFailingPartIsRethrownAndTheGangStaysUsable() {
    Gang gang = new Gang(1);
    IllegalArgumentException boom = new IllegalArgumentException("part 5");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gang.run(16, 2, p -> {
      if (p == 5) {
        throw boom;
      }
    }));
    assertSame(boom, e);
    AtomicIntegerArray seen = new AtomicIntegerArray(16);
    gang.run(16, 2, seen::incrementAndGet);
    for (int p = 0; p < 16; p++) {
      assertEquals(1, seen.get(p));
    }
  }

  @Test
  void aNestedCallRunsOnItsCaller() {
    Gang gang = new Gang(1);
    AtomicIntegerArray seen = new AtomicIntegerArray(8 * 8);
    gang.run(8, 2, outer -> gang.run(8, 2, inner -> seen.incrementAndGet(outer * 8 + inner)));
    for (int i = 0; i < 64; i++) {
      assertEquals(1, seen.get(i));
    }
  }

  @Test
  void concurrentProductsFromManyThreadsAreExact() throws InterruptedException {
    // the shared gang runs one product at a time; the others run on their callers, with the same bits
    int m = 64;
    int k = 300;
    int n = 512;
    SplittableRandom r = new SplittableRandom(5);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextDouble(-1, 1);
    }
    float[] want = new float[m * n];
    VectorKernels.withThreads(1).gemm(false, false, m, n, k, a, 0, b, 0, want, 0, false);
    VectorKernels two = VectorKernels.withThreads(2);
    List<Thread> callers = new ArrayList<>();
    List<float[]> results = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      float[] c = new float[m * n];
      results.add(c);
      callers.add(new Thread(() -> {
        for (int rep = 0; rep < 50; rep++) {
          two.gemm(false, false, m, n, k, a, 0, b, 0, c, 0, false);
        }
      }));
    }
    callers.forEach(Thread::start);
    for (Thread t : callers) {
      t.join();
    }
    for (float[] c : results) {
      assertArrayEquals(want, c);
    }
    assertTrue(Gang.shared().size() >= 2);
  }
}
