/** PNG plots for the samples (loss curves, fits), drawn with XChart. */
package dev.adjoint.samples.plot;
