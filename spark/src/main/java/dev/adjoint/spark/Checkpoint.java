package dev.adjoint.spark;

import dev.adjoint.nn.Module;
import dev.adjoint.nn.StateDict;
import dev.adjoint.optim.Optimizer;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where training stands, written to a directory so that a restarted driver continues exactly where the last
 * checkpoint was taken. Three files make one checkpoint:
 *
 * <ul>
 *   <li>{@code model-<globalStep>.state}: the parameters in the runtime's state format ({@link StateDict},
 *       readable by {@code Module.load} and by PyTorch scripts);
 *   <li>{@code optimizer-<globalStep>.state}: the optimizer's state dict ({@link OptimizerStates});
 *   <li>{@code checkpoint.properties}: the position (epoch, next step, global step), the running sums of the
 *       current epoch, the finished epochs' metrics and the settings that must not change across a restart.
 * </ul>
 *
 * Each file is written atomically, and {@code checkpoint.properties} last: it names the other two, so a crash
 * at any point leaves the previous complete checkpoint in force. Older model and optimizer files are deleted
 * after the new properties file is in place.
 */
record Checkpoint(int epoch, int step, long globalStep, double lossSum, long count, long correct,
    List<EpochMetrics> history, Map<String, String> settings) {

  static final String FILE = "checkpoint.properties";
  private static final String FORMAT = "adjoint-spark checkpoint 1";

  /** The checkpoint in {@code dir}, or {@code null} when there is none. */
  static Checkpoint read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new IOException("SparkTrainer: " + file + " is not an adjoint-spark checkpoint (format '"
          + p.getProperty("format") + "', expected '" + FORMAT + "')");
    }
    List<EpochMetrics> history = new ArrayList<>();
    for (int i = 0; p.getProperty("history." + i) != null; i++) {
      String[] f = p.getProperty("history." + i).split(",");
      history.add(new EpochMetrics(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
          new Metrics(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Long.parseLong(f[4])),
          Double.parseDouble(f[5])));
    }
    Map<String, String> settings = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("setting.")) {
        settings.put(k.substring("setting.".length()), p.getProperty(k));
      }
    }
    return new Checkpoint(Integer.parseInt(p.getProperty("epoch")), Integer.parseInt(p.getProperty("step")),
        Long.parseLong(p.getProperty("globalStep")), Double.parseDouble(p.getProperty("lossSum")),
        Long.parseLong(p.getProperty("count")), Long.parseLong(p.getProperty("correct")), history, settings);
  }

  /** Loads the parameters and the optimizer state this checkpoint names. */
  void restore(Path dir, Module model, Optimizer optimizer) throws IOException {
    model.load(dir.resolve(modelFile(globalStep)));
    optimizer.loadStateDict(OptimizerStates.load(dir.resolve(optimizerFile(globalStep))));
  }

  /** Writes the model, the optimizer, then the properties that make them current; removes older files. */
  void write(Path dir, Module model, Optimizer optimizer) throws IOException {
    String modelName = modelFile(globalStep);
    String optimizerName = optimizerFile(globalStep);
    model.save(dir.resolve(modelName));
    OptimizerStates.save(optimizer.stateDict(), dir.resolve(optimizerName));
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("epoch", Integer.toString(epoch));
    p.setProperty("step", Integer.toString(step));
    p.setProperty("globalStep", Long.toString(globalStep));
    // hexadecimal doubles: exact, so a resumed epoch reports the same loss as an uninterrupted one
    p.setProperty("lossSum", Double.toHexString(lossSum));
    p.setProperty("count", Long.toString(count));
    p.setProperty("correct", Long.toString(correct));
    p.setProperty("model", modelName);
    p.setProperty("optimizer", optimizerName);
    for (int i = 0; i < history.size(); i++) {
      EpochMetrics m = history.get(i);
      p.setProperty("history." + i, String.format(Locale.ROOT, "%d,%d,%s,%s,%d,%s", m.epoch(), m.steps(),
          Double.toHexString(m.train().loss()), Double.toHexString(m.train().accuracy()), m.train().examples(),
          Double.toHexString(m.seconds())));
    }
    settings.forEach((k, v) -> p.setProperty("setting." + k, v));
    StringWriter w = new StringWriter();
    p.store(w, null);
    StateDict.writeAtomically(dir.resolve(FILE), w.toString().getBytes(StandardCharsets.UTF_8));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "{model,optimizer}-*.state")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (!name.equals(modelName) && !name.equals(optimizerName)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  static String modelFile(long globalStep) {
    return String.format(Locale.ROOT, "model-%08d.state", globalStep);
  }

  static String optimizerFile(long globalStep) {
    return String.format(Locale.ROOT, "optimizer-%08d.state", globalStep);
  }
}
