"""``voxtell-web serve``: run the server (binds to 127.0.0.1 unless an API key is set)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from pathlib import Path

from voxtell.api import configure_cuda_allocator, keep_identifiers_out_of_logs


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    from backend.settings import Settings
    from backend.states import Mode

    parser = argparse.ArgumentParser(prog="voxtell-web")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app and API")
    serve.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--model", default=None, help="model folder (default: resolution order, else demo)")
    serve.add_argument("--device", default=None, help="cuda, cuda:1, cpu or auto")
    serve.add_argument("--data-dir", type=Path, default=None)
    worker = sub.add_parser("worker", help="distributed mode: load the model and run jobs from the broker")
    worker.add_argument("--device", choices=["cuda", "cpu"], default=None, help="default: cuda when available")
    worker.add_argument("--gpu", type=int, default=None, help="which GPU (one worker per GPU)")
    worker.add_argument("--model", default=None, help="model folder (default: resolution order, else demo)")
    worker.add_argument("--data-dir", type=Path, default=None, help="the data dir every node mounts")
    worker.add_argument("--threads", type=int, default=None,
                        help="CPU threads for the network (default: every core; cores / workers when "
                             "several CPU workers share a machine)")
    cluster = sub.add_parser("cluster", help="try the distributed mode on this machine: Redis, PostgreSQL, "
                             "one API node and two workers (Ctrl+C stops all)")
    cluster.add_argument("--port", type=int, default=8000)
    cluster.add_argument("--workers", type=int, default=2)
    cluster.add_argument("--data-dir", type=Path, default=None)
    sub.add_parser("dicom-node", help="distributed mode: the DICOM node as its own process "
                   "(VOXTELL_DICOM_PORT; embedded mode runs it inside serve)").add_argument(
        "--data-dir", type=Path, default=None, help="the data dir every node mounts")
    from backend.admin import add_commands, run

    add_commands(sub)  # users, tokens, projects, audit, protocols, dicom
    args = parser.parse_args(argv)
    if args.command == "cluster":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        from backend.devtools.cluster import run_cluster

        return run_cluster(args.port, args.workers, args.data_dir)
    overrides = {k: v for k, v in {"host": getattr(args, "host", None), "port": getattr(args, "port", None),
                                   "model": getattr(args, "model", None), "data_dir": args.data_dir,
                                   "worker_threads": getattr(args, "threads", None)}.items()
                 if v is not None}
    settings = Settings(**overrides)
    if args.command in ("users", "tokens", "projects", "audit", "protocols", "dicom"):
        return run(args, settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    keep_identifiers_out_of_logs()
    configure_cuda_allocator()
    if args.command == "dicom-node":
        from backend.app import serve_dicom_node

        return serve_dicom_node(settings)
    if args.command == "worker":
        from backend.jobs.distributed.worker import serve_worker

        return serve_worker(settings, _worker_device(args.device, args.gpu))
    if args.device is not None:
        settings = settings.model_copy(update={"device": args.device})
    if not is_loopback(settings.host) and not settings.sign_in_required:
        sys.stderr.write(f"voxtell-web: error: refusing to bind to {settings.host} without VOXTELL_API_KEY set\n")
        return 2
    import uvicorn

    from backend.app import create_app

    factory = None
    if settings.test_hold_dir is not None and settings.mode == Mode.EMBEDDED:  # TESTS ONLY (browser tests)
        from backend.devtools.held_predictor import held_factory

        factory = held_factory(settings.test_hold_dir)
    uvicorn.run(create_app(settings, predictor_factory=factory), host=settings.host, port=settings.port, log_level="info",
                access_log=False,  # access logs would carry ids only, but keep logs minimal
                server_header=False)  # no "server: uvicorn" banner
    return 0


def _worker_device(device: str | None, gpu: int | None) -> str:
    if device is None:
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    return f"cuda:{gpu}" if device == "cuda" and gpu is not None else device


if __name__ == "__main__":
    raise SystemExit(main())
