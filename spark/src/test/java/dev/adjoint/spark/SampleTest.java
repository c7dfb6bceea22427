package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Samples from a Spark SQL table: array columns and numeric labels. */
class SampleTest {
  @Test
  void rowsWithAnArrayColumnAndALabelBecomeSamples() {
    StructType schema = new StructType()
        .add("pixels", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("label", DataTypes.IntegerType)
        .add("note", DataTypes.StringType);
    Dataset<Row> df = LocalSpark.session().createDataFrame(List.of(
        RowFactory.create(new double[] {0.5, 1.5, -2}, 3, "a"),
        RowFactory.create(new double[] {1, 0, 0.25}, 7, "b")), schema);
    List<Sample> samples = Sample.fromRows(df, "pixels", "label").collect();
    assertEquals(2, samples.size());
    assertArrayEquals(new float[] {0.5f, 1.5f, -2f}, samples.get(0).x());
    assertArrayEquals(new float[] {3}, samples.get(0).y());
    assertArrayEquals(new float[] {7}, samples.get(1).y());

    var e = assertThrows(Exception.class, () -> Sample.fromRows(df, "pixels", "note").collect());
    assertEquals(true, String.valueOf(e.getMessage()).contains("Sample.fromRows: column 'note' must hold numbers"),
        e.getMessage());
  }
}
