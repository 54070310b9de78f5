"""Running the center: the access log with request ids, the server log's format, Prometheus
metrics at /metrics and the health report at /healthz."""
