package dev.adjoint.spark.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.spark.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The sample end to end on the runtime's shipped mini FashionMNIST (1280 training, 1000 test images; the first 640 train). */
class SparkFashionMnistTest {
  static final Path MINI = Path.of("..", "runtime", "src", "test", "resources", "goldens", "fashion-mnist-mini");

  @Test
  void printsEachEpochsLossAndAccuracyAndLearns() throws IOException {
    // the session of the other test classes when they ran first (getOrCreate), else a local[2] one
    SparkSession spark = SparkSession.builder().master("local[2,4]").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    var buf = new ByteArrayOutputStream();
    List<EpochMetrics> history = SparkFashionMnist.run(SparkFashionMnist.Options.parse("--epochs 2 --partitions 2 --limit 640 "
        + "--shuffle 1 --lr 0.05 --no-progress --data " + MINI), JavaSparkContext.fromSparkContext(spark.sparkContext()),
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertTrue(lines.get(0).matches("FashionMNIST MLP on Spark local\\[2(,4)?\\]: 640 training images in 2 partitions, "
        + "synchronous steps, batch 64, SGD lr 0\\.05"), lines.get(0));
    Pattern epoch = Pattern.compile("Epoch [12]: train loss \\d\\.\\d{6}, train accuracy \\d+\\.\\d% \\| test loss "
        + "\\d\\.\\d{6}, test accuracy \\d+\\.\\d% \\| 10 steps, \\d+\\.\\d s");
    assertTrue(epoch.matcher(lines.get(2)).matches(), lines.get(2));
    assertTrue(epoch.matcher(lines.get(3)).matches(), lines.get(3));
    assertEquals("Done!", lines.get(4));
    assertEquals(2, history.size());
    assertTrue(history.get(1).train().loss() < history.get(0).train().loss(), history.toString());
    assertTrue(history.get(1).train().accuracy() > history.get(0).train().accuracy() + 0.1, history.toString());
  }

  @Test
  void badArgumentsAreExplained() {
    var e = assertThrows(IllegalArgumentException.class, () -> SparkFashionMnist.Options.parse("--epochs"));
    assertTrue(e.getMessage().startsWith("--epochs needs a value. Usage: SparkFashionMnist"), e.getMessage());
    var o = SparkFashionMnist.Options.parse("--average 8 --compiled");
    assertEquals(8, o.average());
    assertTrue(o.compiled());
  }
}
