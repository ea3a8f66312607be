"""``voxtell-download`` / ``python download_model.py``: fetch the VoxTell weights.

Downloads, from the Hugging Face repo ``mrokuss/VoxTell``, the ``voxtell_v1.1`` model
(``plans.json``, ``fold_0/checkpoint_final.pth``) and the published embedding bank
(``embeddings/voxtell_v1.1/text_embeddings.npz``), optionally pre-fetching the
Qwen3-Embedding-4B text encoder, into ``./models`` (or ``--dir`` / ``$VOXTELL_HOME/models``).
Interrupted downloads resume; files already present are not fetched again.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from voxtell.env import home_override, hub_endpoint

logger = logging.getLogger("voxtell.download")

REPO_ID = "mrokuss/VoxTell"
MODEL_NAME = "voxtell_v1.1"
TEXT_MODEL = "Qwen/Qwen3-Embedding-4B"


def model_files(model_name: str = MODEL_NAME) -> list[str]:
    return [f"{model_name}/plans.json", f"{model_name}/fold_0/checkpoint_final.pth",
            f"embeddings/{model_name}/text_embeddings.npz"]


class DownloadError(RuntimeError):
    """The hub could not be reached or a file could not be fetched (one-line message)."""


def default_dir() -> Path:
    home = home_override()
    return home / "models" if home is not None else Path("models")


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:.1f} GB"


def _short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def check_reachable(endpoint: str | None, timeout: float = 5.0) -> None:
    """Fail fast with one clear line instead of the hub client's minute of retries."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(hub_endpoint(endpoint))
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DownloadError(f"cannot reach the model hub at {hub_endpoint(endpoint)} ({reason})") from None


def fetch_files(target: Path, files: list[str], *, repo_id: str = REPO_ID, endpoint: str | None = None,
                download: Callable[..., str] | None = None) -> list[tuple[str, int, bool]]:
    """Fetch ``files`` of ``repo_id`` into ``target`` (same relative layout).

    Returns ``(relative path, size in bytes, fetched now?)`` per file. A file that is already
    complete is not requested again, so a second run works offline.
    """
    if download is None:
        from huggingface_hub import hf_hub_download

        download = hf_hub_download

        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    missing = [rel for rel in files if not ((target / rel).is_file() and (target / rel).stat().st_size > 0)]
    if missing:
        check_reachable(endpoint)
    results = []
    for rel in files:
        dest = target / rel
        if dest.is_file() and dest.stat().st_size > 0:
            results.append((rel, dest.stat().st_size, False))
            continue
        logger.info("fetching %s", rel)
        try:
            path = Path(download(repo_id=repo_id, filename=rel, local_dir=str(target), endpoint=endpoint))
        except Exception as exc:  # the hub client raises many types for network failures
            raise DownloadError(f"cannot download {rel} from {hub_endpoint(endpoint)}: {_short_reason(exc)}") from None
        results.append((rel, path.stat().st_size, True))
    return results


def fetch_text_encoder(target: Path, endpoint: str | None = None) -> Path:
    from huggingface_hub import snapshot_download

    dest = target / TEXT_MODEL.split("/")[-1]
    check_reachable(endpoint)
    try:
        snapshot_download(TEXT_MODEL, local_dir=str(dest), endpoint=endpoint)
    except Exception as exc:
        raise DownloadError(f"cannot download {TEXT_MODEL}: {_short_reason(exc)}") from None
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voxtell-download", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="target folder (default ./models or $VOXTELL_HOME/models)")
    parser.add_argument("--model", default=MODEL_NAME, help=f"model folder in the repo (default {MODEL_NAME})")
    parser.add_argument("--with-text-encoder", action="store_true", help=f"also pre-fetch {TEXT_MODEL} (~8 GB)")
    parser.add_argument("--endpoint", default=None, help="hub endpoint (default $HF_ENDPOINT or huggingface.co)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    target = (args.dir or default_dir()).expanduser()
    try:
        target.mkdir(parents=True, exist_ok=True)
        results = fetch_files(target, model_files(args.model), endpoint=args.endpoint)
        encoder = fetch_text_encoder(target, args.endpoint) if args.with_text_encoder else None
    except DownloadError as exc:
        sys.stderr.write(f"voxtell-download: error: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"voxtell-download: error: cannot write to {target}: {exc.strerror or exc}\n")
        return 2
    fetched = [r for r in results if r[2]]
    for rel, size, now in results:
        sys.stdout.write(f"{'fetched' if now else 'present'}  {_human(size):>9}  {target / rel}\n")
    if encoder is not None:
        sys.stdout.write(f"text encoder in {encoder}\n")
    if not fetched and encoder is None:
        sys.stdout.write("Everything was already downloaded; nothing fetched.\n")
    sys.stdout.write(f"Model folder: {target / args.model}  (use -m or VOXTELL_MODEL={target / args.model})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
