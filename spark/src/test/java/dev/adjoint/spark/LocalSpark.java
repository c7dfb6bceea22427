package dev.adjoint.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * One Spark session for every test class in the surefire JVM: {@code local[2,4]}, two task threads, and a
 * failed task tried up to four times (plain {@code local[2]} never retries). Spark's shutdown hook stops it.
 */
final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2,4]")
          .appName("adjoint-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
    }
    return session;
  }

  static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(session().sparkContext());
  }
}
