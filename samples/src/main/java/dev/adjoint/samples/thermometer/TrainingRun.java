package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;
import java.util.List;

/**
 * What a training loop leaves behind: the lines it printed (as the seeds print them) and the parameters
 * it ended with.
 */
public record TrainingRun(List<String> lines, Tensor params) {
  public TrainingRun {
    lines = List.copyOf(lines);
  }
}
