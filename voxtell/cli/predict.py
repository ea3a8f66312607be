"""``voxtell-predict``: segment NIfTI images from the command line (flags of the official CLI).

Exit codes: 0 success, 1 usage error (argparse, as the official CLI), 2 bad input (one line on
stderr: missing or non-NIfTI input, 2-D/4-D image, unusable model directory, empty prompts,
unknown protocol; with an archive query, series that could not be segmented).

Batches for researchers: ``--protocol`` runs a protocol's structures (outputs named by them,
their post-processing applied), ``--stats FILE.csv`` writes one row per volume and structure,
``--dicomweb URL --study-date RANGE --modality CT`` segments every matching series of an archive.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voxtell.logs import keep_identifiers_out_of_logs

if TYPE_CHECKING:
    from voxtell.cli.batch import StatsWriter, Target
    from voxtell.protocols import Protocol

logger = logging.getLogger("voxtell.cli")


class CliError(Exception):
    """A user error: reported as one stderr line with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voxtell-predict",
                                description="Free-text promptable 3D segmentation of NIfTI images with VoxTell.")
    p.add_argument("-i", "--input", nargs="+", help="one folder of .nii/.nii.gz files, or one or more files")
    p.add_argument("-o", "--output", help="output folder (created if missing)")
    p.add_argument("-m", "--model", help="model folder (default: $VOXTELL_MODEL, then ./models/voxtell_v1.1)")
    p.add_argument("-p", "--prompts", nargs="+", help="text prompts, the same for every image")
    p.add_argument("--jobs", help="per-image prompts: JSON list of {image, prompts}, inline or a .json file")
    p.add_argument("--protocol", metavar="NAME_OR_FILE",
                   help="a protocol's structures instead of prompts: a shipped protocol id or a .yaml file; outputs "
                        "carry the structure names (and colours, RT types), each structure's post-processing applied")
    p.add_argument("--stats", metavar="FILE.csv",
                   help="write one row per volume and structure (voxels, volume_ml, mean, sd, components); "
                        "rows are appended and flushed per volume")
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda", help="compute device (default cuda)")
    p.add_argument("--gpu", type=int, default=0, help="CUDA device index (default 0)")
    p.add_argument("--save-combined", action="store_true", help="one multi-label file per image")
    p.add_argument("--embeddings", help="local embedding bank (.npz)")
    p.add_argument("--no-precomputed", action="store_true", help="do not use the model's embedding bank")
    p.add_argument("--list-embeddings", action="store_true", help="list the bank's prompts and exit")
    p.add_argument("--no-overwrite", action="store_true", help="skip images whose outputs all exist")
    p.add_argument("--verbose", action="store_true", help="per-image messages; engine path and precision")
    p.add_argument("--tile-step-size", type=float, default=0.5, help="sliding-window step as a patch fraction")
    p.add_argument("--reference", action="store_true", help="exact official algorithm (slower)")
    p.add_argument("--fp32-accumulation", action="store_true", help="float32 sliding-window accumulators")
    p.add_argument("--cache-dir", help="persistent prompt-embedding cache folder")
    p.add_argument("--text-precision", choices=["fp32", "fp16", "bf16"], help="text encoder precision")
    p.add_argument("--text-placement", choices=["gpu", "offload", "cpu"], help="text encoder placement")
    p.add_argument("--output-format", choices=["nifti", "dicom-seg", "rtstruct"], default="nifti",
                   help="for DICOM input (a .zip or a folder of one series): NIfTI masks, one DICOM SEG or one RTSTRUCT")
    p.add_argument("--series-uid", help="which series of a DICOM input holding several")
    p.add_argument("--dicomweb", metavar="URL", help="read the series from this DICOMweb archive (credentials: "
                   "VOXTELL_DICOMWEB_USER/PASSWORD or VOXTELL_DICOMWEB_TOKEN in the environment)")
    p.add_argument("--study", metavar="UID", help="with --dicomweb: the StudyInstanceUID")
    p.add_argument("--series", metavar="UID", help="with --dicomweb: the SeriesInstanceUID (needed when the study has several)")
    p.add_argument("--store", action="store_true", help="with --dicomweb: send the DICOM SEG / RTSTRUCT back to the archive")
    p.add_argument("--study-date", metavar="RANGE", help="with --dicomweb and no --study: segment the series of the "
                   "studies of these dates (YYYYMMDD or YYYYMMDD-YYYYMMDD)")
    p.add_argument("--modality", metavar="MOD", help="with --study-date: only series of this modality (e.g. CT); "
                     "default: the protocol's modality")
    return p


def _load_jobs(spec: str) -> list[dict[str, Any]]:
    text = spec
    if spec.strip().endswith(".json") and not spec.lstrip().startswith("["):
        path = Path(spec)
        if not path.is_file():
            raise CliError(f"jobs file not found: {path}")
        text = path.read_text(encoding="utf-8")
    try:
        jobs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"--jobs is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(jobs, list) or not all(isinstance(j, dict) and "image" in j and "prompts" in j for j in jobs):
        raise CliError('--jobs must be a JSON list of {"image": ..., "prompts": ...} objects')
    return jobs


def _check_prompts(prompts: Sequence[Any]) -> None:
    if not prompts or any(not isinstance(p, str) or not p.strip() for p in prompts):
        raise CliError("prompts must be non-empty text")


def _check_image(path: Path) -> None:
    from voxtell.io.itk import is_itk_path, itk_header
    from voxtell.io.nifti import is_nifti_path

    if not path.exists():
        raise CliError(f"input not found: {path}")
    if is_itk_path(path):
        size, components, _ = itk_header(path)
        if len(size) != 3 or components != 1:
            raise CliError(f"{path.name}: only 3-D scalar images are supported")
        return
    if not is_nifti_path(path):
        raise CliError(f"not a NIfTI file (.nii or .nii.gz; .nrrd and .mha also work): {path.name}")
    import nibabel as nib

    try:
        shape = nib.load(str(path)).shape  # type: ignore[attr-defined]  # header only: no voxel read
    except Exception as exc:
        raise CliError(f"cannot read {path.name} as NIfTI: {exc}") from None
    if not (len(shape) == 3 or (len(shape) == 4 and shape[3] == 1)):
        raise CliError(f"{path.name}: only 3-D images are supported, this one has shape {tuple(shape)}")


def _device(args: argparse.Namespace) -> Any:
    import torch

    if args.device == "cuda":
        if torch.cuda.is_available():
            return torch.device(f"cuda:{args.gpu}")
        logger.warning("CUDA is not available; falling back to CPU")
    return torch.device("cpu")


def _list_embeddings(args: argparse.Namespace) -> int:
    from voxtell.inference.predictor import find_embedding_bank
    from voxtell.resolve import resolve_model_dir
    from voxtell.text.bank import load_embedding_bank

    source = Path(args.embeddings) if args.embeddings else None
    if source is None:
        source = find_embedding_bank(resolve_model_dir(args.model))
    if source is None:
        raise CliError("no embedding bank: give --embeddings FILE.npz")
    labels = sorted(load_embedding_bank(source))
    sys.stdout.write(f"{len(labels)} precomputed embeddings available:\n")
    sys.stdout.write("".join(f"{label}\n" for label in labels))
    return 0


def _progress(verbose: bool) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    state: dict[str, Any] = {}

    def callback(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None or done == 1:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(total=total, unit="window", leave=verbose, file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done == total:
            bar.close()
            state["bar"] = None

    return callback


def _nifti_jobs(inputs: Sequence[str], prompts: Sequence[str]) -> list[dict[str, Any]]:
    from voxtell.inference.batch import expand_inputs

    try:
        images = expand_inputs(inputs)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    for image in images:
        _check_image(image)
    return [{"image": str(p), "prompts": list(prompts)} for p in images]


def _run_dicom(args: argparse.Namespace, predictor: Any, targets: list[Target], stats: StatsWriter | None) -> list[Path]:
    from voxtell.cli.dicom_input import predict_dicom

    try:
        return predict_dicom(predictor, Path(args.input[0]), [t.prompt for t in targets], Path(args.output),
                             args.output_format, args.series_uid, args.save_combined, _progress(args.verbose),
                             targets=targets, stats=stats)
    except ValueError as exc:  # InvalidInputError included: bad series, tilt, zip problems
        raise CliError(str(exc)) from None


def _check_archive_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.dicomweb is None:
        if args.study or args.series or args.store or args.study_date or args.modality:
            parser.error("--study, --series, --study-date, --modality and --store go with --dicomweb")
        return
    if args.input or args.jobs is not None:
        parser.error("--dicomweb reads the series from the archive: no -i/--input or --jobs")
    if args.study and (args.study_date or args.modality):
        parser.error("--study-date and --modality search the archive: not with --study")
    if args.series and not args.study:
        parser.error("--series goes with --study")
    if not args.study and not args.study_date:
        parser.error("--dicomweb needs --study UID, or --study-date RANGE to segment the matching series")
    if (args.prompts is None) == (args.protocol is None):
        parser.error("give exactly one of -p/--prompts and --protocol")
    if not args.output and not args.store:
        parser.error("give -o/--output, --store or both")
    if args.store and args.output_format == "nifti":
        raise CliError("--store sends a DICOM object: add --output-format dicom-seg or rtstruct")
    if not args.dicomweb.startswith(("http://", "https://")):
        raise CliError(f"--dicomweb must be an http(s) URL, got {args.dicomweb!r}")
    if args.study_date:
        from voxtell.cli.dicomweb_input import parse_date_range

        try:
            parse_date_range(args.study_date)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    if args.prompts is not None:
        _check_prompts(args.prompts)


def _run_archive(args: argparse.Namespace, predictor: Any, targets: list[Target], stats: StatsWriter | None,
                 protocol: Protocol | None) -> tuple[list[Path], list[str]]:
    from voxtell.cli.dicomweb_input import predict_archive_query, predict_from_archive
    from voxtell.io.dicomweb import DicomWebError

    prompts = [t.prompt for t in targets]
    output = Path(args.output) if args.output else None
    try:
        if args.study:
            return predict_from_archive(predictor, args.dicomweb, args.study, args.series, prompts, output,
                                        args.output_format, args.store, args.save_combined, _progress(args.verbose),
                                        targets=targets, stats=stats), []
        modality = args.modality or (protocol.modality if protocol is not None else None)
        return predict_archive_query(predictor, args.dicomweb, args.study_date, modality.upper() if modality else None,
                                     prompts, output, args.output_format, args.store, args.save_combined,
                                     _progress(args.verbose), targets=targets, stats=stats)
    except (ValueError, DicomWebError) as exc:
        raise CliError(str(exc)) from None


def _load_protocol(name: str) -> Protocol:
    from voxtell.protocols import ProtocolError, find_protocol

    try:
        protocol = find_protocol(name)
    except ProtocolError as exc:
        raise CliError(str(exc)) from None
    for warning in protocol.warnings:
        logger.info("protocol %s: %s", protocol.id, warning)
    return protocol


def _open_stats(path: str | None) -> StatsWriter | None:
    if path is None:
        return None
    if not path.lower().endswith(".csv"):
        raise CliError(f"--stats writes a CSV file: give a name ending in .csv, got {path[:80]!r}")
    from voxtell.cli.batch import StatsWriter

    try:
        return StatsWriter(Path(path))
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.list_embeddings:
        return _list_embeddings(args)
    _check_archive_args(args, parser)
    archive = args.dicomweb is not None
    if sum(x is not None for x in (args.prompts, args.jobs, args.protocol)) != 1:
        parser.error("give exactly one of -p/--prompts, --jobs and --protocol")
    if not args.output and not archive:
        parser.error("-o/--output is required")
    if args.jobs is None and not args.input and not archive:
        parser.error("-i/--input is required unless --jobs is used")
    if not 0 < args.tile_step_size <= 1:
        raise CliError("--tile-step-size must be in (0, 1]")
    from voxtell.cli.batch import targets_from_prompts, targets_from_protocol

    protocol = _load_protocol(args.protocol) if args.protocol is not None else None
    targets = targets_from_protocol(protocol) if protocol is not None else targets_from_prompts(args.prompts or [])
    batch = protocol is not None or args.stats is not None  # masks through voxtell.cli.batch
    jobs: list[dict[str, Any]]
    if archive:
        jobs = []
    elif args.jobs is not None:
        if args.input:
            logger.warning("-i/--input is ignored when --jobs is given")
        jobs = _load_jobs(args.jobs)
        if not jobs:
            raise CliError("--jobs lists no images")
        for job in jobs:
            prompts = [job["prompts"]] if isinstance(job["prompts"], str) else job["prompts"]
            _check_prompts(prompts)
            _check_image(Path(job["image"]))
    else:
        _check_prompts([t.prompt for t in targets])
        from voxtell.cli.dicom_input import is_dicom_input

        for item in args.input:
            if not Path(item).exists():
                raise CliError(f"input not found: {item}")
        dicom = len(args.input) == 1 and is_dicom_input(Path(args.input[0]))
        if args.output_format != "nifti" and not dicom:
            raise CliError(f"--output-format {args.output_format} needs a DICOM input (a .zip or a folder of one series)")
        jobs = [] if dicom else _nifti_jobs(args.input, [t.prompt for t in targets])
    stats = _open_stats(args.stats)
    try:
        written, failed = _predict(args, jobs, targets, batch, stats, protocol)
    finally:
        if stats is not None:
            stats.close()
    sys.stdout.write(f"Prediction completed successfully! Wrote {len(written)} file(s).\n" if not failed else
                     f"Wrote {len(written)} file(s); {len(failed)} series skipped.\n")
    if stats is not None:
        sys.stdout.write(f"Statistics: {stats.rows} row(s) in {stats.path}\n")
    sys.stdout.flush()
    if failed:
        raise CliError(f"{len(failed)} series could not be segmented: {'; '.join(failed)}")
    return 0


def _predict(args: argparse.Namespace, jobs: list[dict[str, Any]], targets: list[Target], batch: bool,
             stats: StatsWriter | None, protocol: Protocol | None) -> tuple[list[Path], list[str]]:
    archive = args.dicomweb is not None

    import torch

    from voxtell.inference.predictor import VoxTellPredictor
    from voxtell.resolve import resolve_model_dir

    model_dir = resolve_model_dir(args.model)
    predictor = VoxTellPredictor(
        model_dir, device=_device(args), embedding_bank=args.embeddings,
        use_precomputed_embeddings=not args.no_precomputed, reference=args.reference,
        cache_dir=args.cache_dir, text_precision=args.text_precision, text_placement=args.text_placement,
        accumulation_dtype=torch.float32 if args.fp32_accumulation else None,
        notice_callback=lambda message: logger.warning("%s", message))
    predictor.tile_step_size = args.tile_step_size
    if predictor.is_demo:
        from voxtell.demo import DEMO_NOTICE

        logger.warning(DEMO_NOTICE)
    if args.verbose:
        info = predictor.info()
        logger.info("model %s on %s: %s path, %s, %s accumulators", info["model_name"], info["device"],
                    info["path"], info["precision"], info["accumulation_dtype"])
    if args.save_combined:
        logger.warning("NOTE: in combined label maps, later prompts overwrite earlier ones where masks overlap")
    if archive:
        return _run_archive(args, predictor, targets, stats, protocol)
    if not jobs:  # a DICOM series
        return _run_dicom(args, predictor, targets, stats), []
    if batch:
        from voxtell.cli.batch import predict_nifti_batch, targets_from_prompts

        per_image = [(Path(job["image"]), targets if args.jobs is None else targets_from_prompts(
            [job["prompts"]] if isinstance(job["prompts"], str) else job["prompts"])) for job in jobs]
        return predict_nifti_batch(predictor, per_image, Path(args.output), args.save_combined,
                                   not args.no_overwrite, args.verbose, _progress(args.verbose), stats), []
    return predictor.predict_from_jobs(jobs, args.output, save_combined=args.save_combined,
                                       overwrite=not args.no_overwrite, verbose=args.verbose,
                                       progress_callback=_progress(args.verbose)), []


def main(argv: Sequence[str] | None = None) -> int:
    from voxtell.env import configure_cuda_allocator
    from voxtell.errors import InvalidInputError
    from voxtell.model.checkpoint import CheckpointError
    from voxtell.model.config import ModelConfigError
    from voxtell.text.bank import EmbeddingBankError

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    keep_identifiers_out_of_logs()
    configure_cuda_allocator()
    try:
        return run(args, parser)
    except (CliError, InvalidInputError, CheckpointError, ModelConfigError, EmbeddingBankError,
            FileNotFoundError) as exc:
        sys.stderr.write(f"voxtell-predict: error: {exc}\n")
        return 2
    except BrokenPipeError:
        # Python flushes stdout at exit; point it at devnull so that does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
