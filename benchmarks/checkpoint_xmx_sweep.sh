#!/bin/sh
# The smallest -Xmx (in MB, to 4 MB) in which each CheckpointBench variant runs 3 steps: the peak heap a step
# needs, parameters and gradients included. Run from the repository root after `mvn -o -pl benchmarks -am package`.
#   sh benchmarks/checkpoint_xmx_sweep.sh
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
CP=${BENCH_CLASSES:-benchmarks/target/classes}:${RUNTIME_CLASSES:-runtime/target/classes}:$(ls ~/.m2/repository/org/ejml/ejml-core/0.46.1/*.jar):$(ls ~/.m2/repository/org/ejml/ejml-ddense/0.46.1/*.jar)
for variant in plain reentrant non-reentrant; do
  lo=64; hi=1024   # lo fails, hi runs
  while [ $((hi - lo)) -gt 4 ]; do
    mid=$(((lo + hi) / 2))
    if $JAVA -Xmx${mid}m -XX:+UseSerialGC -Dadjoint.threads=1 --add-modules jdk.incubator.vector -cp "$CP" \
        dev.adjoint.benchmarks.CheckpointBench 3 $variant >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
  done
  echo "xmx $variant ${hi}m"
done
