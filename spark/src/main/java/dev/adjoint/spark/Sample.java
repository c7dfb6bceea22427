package dev.adjoint.spark;

import dev.adjoint.Tensor;
import dev.adjoint.data.Dataset;
import dev.adjoint.data.Example;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;

/**
 * One training example as Spark ships it: the input's elements {@code x} (row-major, the trainer's {@code
 * inputShape}) and the target {@code y} (one class index for classification, else the target's elements).
 * Tensors are not {@link Serializable}; float arrays are, and cost 4 bytes an element on the wire.
 *
 * @param x the input's elements
 * @param y the target's elements
 */
public record Sample(float[] x, float[] y) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** Checks that neither array is null. */
  public Sample {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
  }

  /** A classification example: input elements and a class index. */
  public static Sample of(float[] x, int label) {
    return new Sample(x, new float[] {label});
  }

  /** The examples of an Adjoint {@link Dataset}, in order (to {@code parallelize} a small one). */
  public static List<Sample> listOf(Dataset dataset) {
    List<Sample> out = new ArrayList<>(dataset.size());
    for (int i = 0; i < dataset.size(); i++) {
      Example e = dataset.get(i);
      out.add(new Sample(e.x().toFloatArray(), e.y().toFloatArray()));
    }
    return out;
  }

  /**
   * The rows of a Spark SQL {@code Dataset<Row>} as samples: {@code featuresCol} an {@code array<float>} or
   * {@code array<double>} column, {@code labelCol} a numeric column (a class index) or a numeric array.
   */
  public static JavaRDD<Sample> fromRows(org.apache.spark.sql.Dataset<Row> rows, String featuresCol, String labelCol) {
    int fi = rows.schema().fieldIndex(featuresCol);
    int li = rows.schema().fieldIndex(labelCol);
    return rows.toJavaRDD().map(r -> new Sample(floats(r.get(fi), featuresCol), floats(r.get(li), labelCol)));
  }

  private static float[] floats(Object v, String column) {
    if (v instanceof Number n) {
      return new float[] {n.floatValue()};
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      float[] out = new float[seq.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) seq.apply(i)).floatValue();
      }
      return out;
    }
    if (v instanceof List<?> list) {
      float[] out = new float[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((Number) list.get(i)).floatValue();
      }
      return out;
    }
    throw new IllegalArgumentException("Sample.fromRows: column '" + column + "' must hold numbers or numeric "
        + "arrays, found " + (v == null ? "null" : v.getClass().getName()));
  }

  /** The input as a tensor of {@code shape} (for checks and single-JVM comparisons). */
  public Tensor xTensor(int... shape) {
    return Tensor.wrap(x.clone(), shape);
  }
}
