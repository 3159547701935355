"""Wait until the gateway answers, then check that the bench model is served.

Polls the standard gRPC health service (grpc.health.v1, overall status "") and,
when the server does not offer it, falls back to ListModels. Then calls
ListModels once and fails if --model is not listed. Exit 0 when ready, 1 on
timeout or a missing model.

  python bench/wait_ready.py --addr 127.0.0.1:50051 --model bench/fake --timeout 60 [--pid PID]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import grpc
import psutil
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llmgateway.v1 import gateway_service_pb2_grpc, model_pb2


async def wait(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    deadline = t0 + args.timeout
    last = ""
    async with grpc.aio.insecure_channel(args.addr) as ch:
        health = health_pb2_grpc.HealthStub(ch)
        metadata = (("authorization", f"Bearer {args.api_key}"),) if args.api_key else None
        gw = gateway_service_pb2_grpc.GatewayServiceStub(ch)
        while time.monotonic() < deadline:
            if args.pid and not psutil.pid_exists(args.pid):
                print(f"gateway process {args.pid} exited", file=sys.stderr)
                return 1
            try:
                r = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if r.status == health_pb2.HealthCheckResponse.SERVING:
                    break
                last = f"health status {health_pb2.HealthCheckResponse.ServingStatus.Name(r.status)}"
            except grpc.aio.AioRpcError as e:
                if e.code() == grpc.StatusCode.UNIMPLEMENTED:
                    try:
                        await gw.ListModels(model_pb2.ListModelsRequest(), timeout=1, metadata=metadata)
                        break
                    except grpc.aio.AioRpcError as e2:
                        last = f"ListModels {e2.code().name}"
                else:
                    last = f"health {e.code().name}"
            await asyncio.sleep(0.2)
        else:
            print(f"gateway at {args.addr} not ready after {args.timeout} s ({last})", file=sys.stderr)
            return 1
        ready_s = time.monotonic() - t0
        models = await gw.ListModels(model_pb2.ListModelsRequest(), timeout=5, metadata=metadata)
        ids = [m.id for m in models.models]
        if args.model and args.model not in ids:
            print(f"gateway is up but does not list {args.model!r}: {ids}", file=sys.stderr)
            return 1
        print(f"gateway ready after {ready_s:.2f} s; models: {', '.join(ids)}", flush=True)
        return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--addr", default="127.0.0.1:50051")
    ap.add_argument("--model", default="bench/fake")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--pid", type=int, default=0, help="give up early if this process exits")
    ap.add_argument("--api-key", default="", help="for a gateway that requires one")
    args = ap.parse_args()
    sys.exit(asyncio.run(wait(args)))


if __name__ == "__main__":
    main()
