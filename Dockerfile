# syntax=docker/dockerfile:1
# Build stage: wheels for the gateway and its generated stubs.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY clients/python ./clients/python
RUN pip wheel --no-cache-dir --wheel-dir /wheels ./clients/python .

# Runtime stage: no compilers, no sources, a non-root user.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin llmgateway \
    && mkdir -p /var/lib/llmgateway && chown 10001 /var/lib/llmgateway
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001
# The default registry database is $XDG_DATA_HOME/llmgateway/registry.db (mount a volume
# there, or set LLMGATEWAY_REGISTRY__DATABASE_URL to a PostgreSQL URL).
# Workers: one server process per CPU the container may use (one event loop each, sharing
# the port). Set it to the CPU limit (`docker run --cpus=4 -e LLMGATEWAY_SERVER__WORKERS=4`);
# `auto` counts the CPUs of a cpuset (--cpuset-cpus) but cannot see a --cpus quota. With more
# than one, set LLMGATEWAY_REDIS__URL so that rate limits, budgets, cache and sessions are
# shared (README: Worker processes).
ENV LLMGATEWAY_SERVER__WORKERS=1 \
    LLMGATEWAY_SERVER__ADDRESS=0.0.0.0:50051 \
    LLMGATEWAY_METRICS__ADDRESS=0.0.0.0:9464 \
    XDG_DATA_HOME=/var/lib \
    PYTHONUNBUFFERED=1
# gRPC, and Prometheus metrics (GET /metrics)
EXPOSE 50051 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["python", "-c", "import grpc,sys;from grpc_health.v1 import health_pb2 as h,health_pb2_grpc as g;s=g.HealthStub(grpc.insecure_channel('127.0.0.1:50051')).Check(h.HealthCheckRequest(),timeout=2);sys.exit(s.status!=1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["llmgateway"]
CMD ["serve"]
