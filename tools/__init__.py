"""Project tools: offline preview, benchmarks and documentation generators."""
