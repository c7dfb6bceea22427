package dev.adjoint.samples.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The samples' PNG plots, drawn with XChart ({@code org.knowm.xchart:xchart}). Plotting runs headless
 * ({@code java.awt.headless=true}); nothing opens a window.
 */
public final class Plots {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 600;

  private Plots() {}

  /**
   * Seed 002's plot: the model's predictions {@code tP} as a line and the measurements {@code tC} as points,
   * both against the raw readings {@code tU}. Writes {@code file} (a {@code .png}) and returns it.
   */
  public static Path fittedLine(float[] tU, float[] tC, float[] tP, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Thermometer: fitted line")
        .xAxisTitle("Temperature (°Fahrenheit)").yAxisTitle("Temperature (°Celsius)").build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);

    Integer[] order = IntStream.range(0, tU.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> tU[i]));
    double[] x = new double[tU.length];
    double[] line = new double[tU.length];
    for (int k = 0; k < order.length; k++) {
      x[k] = tU[order[k]];
      line[k] = tP[order[k]];
    }
    XYSeries model = chart.addSeries("model t_p", x, line);
    model.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    model.setMarker(SeriesMarkers.NONE);
    XYSeries data = chart.addSeries("measured t_c", toDouble(tU), toDouble(tC));
    data.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    data.setMarker(SeriesMarkers.CIRCLE);
    return write(chart, file);
  }

  /**
   * Training and validation loss per epoch (epochs from 1), both axes logarithmic. Writes {@code file}
   * (a {@code .png}) and returns it.
   */
  public static Path lossCurves(float[] trainLosses, float[] valLosses, Path file) throws IOException {
    if (trainLosses.length != valLosses.length) {
      throw new IllegalArgumentException("lossCurves: " + trainLosses.length + " training losses but "
          + valLosses.length + " validation losses");
    }
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Thermometer: loss per epoch")
        .xAxisTitle("Epoch (log scale)").yAxisTitle("Loss (MSE, log scale)").build();
    // Both axes logarithmic: the first epochs, where the loss falls fastest, get room. (On a linear axis
    // XChart puts the ticks of equally spaced data at data points, 1, 178, 355, ...)
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    double[] epochs = IntStream.rangeClosed(1, trainLosses.length).asDoubleStream().toArray();
    chart.addSeries("training", epochs, toDouble(trainLosses)).setMarker(SeriesMarkers.NONE);
    chart.addSeries("validation", epochs, toDouble(valLosses)).setMarker(SeriesMarkers.NONE);
    return write(chart, file);
  }

  /**
   * A Gaussian process's posterior: the mean as a line with its ±2 standard deviation band, and the data as
   * points. Writes {@code file} (a {@code .png}) and returns it.
   */
  public static Path gpPosterior(double[] x, double[] y, double[] grid, double[] mean, double[] std, Path file)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Gaussian process: posterior")
        .xAxisTitle("x").yAxisTitle("y").build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideSW);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    double[] lo = new double[grid.length];
    double[] hi = new double[grid.length];
    for (int i = 0; i < grid.length; i++) {
      lo[i] = mean[i] - 2 * std[i];
      hi[i] = mean[i] + 2 * std[i];
    }
    chart.addSeries("mean + 2 std", grid, hi).setMarker(SeriesMarkers.NONE);
    chart.addSeries("mean", grid, mean).setMarker(SeriesMarkers.NONE);
    chart.addSeries("mean - 2 std", grid, lo).setMarker(SeriesMarkers.NONE);
    XYSeries data = chart.addSeries("data", x, y);
    data.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    data.setMarker(SeriesMarkers.CIRCLE);
    return write(chart, file);
  }

  private static Path write(XYChart chart, Path file) throws IOException {
    String name = file.getFileName().toString();
    if (!name.endsWith(".png")) {
      throw new IllegalArgumentException("Plots: the file name must end in .png, got " + file);
    }
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    // BitmapEncoder appends the extension itself
    String base = parent.resolve(name.substring(0, name.length() - ".png".length())).toString();
    BitmapEncoder.saveBitmap(chart, base, BitmapFormat.PNG);
    return file;
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
