"""The recognition engine: RapidOCR with the PP-OCRv4 models its wheel ships (nothing is downloaded), run by
OpenVINO."""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
import unicodedata
from dataclasses import dataclass, field

MODELS = "PP-OCRv4 mobile"
READ_WIDTH = 160  # pixels: a recognised line is padded to at least this width at 48 px high (rapidocr: 320)
RESCUE = 0.3  # a Chinese character this likely where the recogniser's blank narrowly wins is read, given room
SHAPES_KEPT = 100  # input shapes whose compiled kernels OpenVINO keeps, per model
REC_BATCH = 8  # lines recognised together, of similar widths (rapidocr sorts them): a third faster in OpenVINO
BULLETS = "•·●▪◦"  # a list's bullet starting a line is markup, not text: HTML's text has none either


@dataclass
class Line:
    """A recognised line of text: its box on the page image (pixels) and the engine's confidence."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    blackout: list = field(default_factory=list)  # (x0, x1) of the box's parts that redaction removed

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def char_widths(text: str) -> list[int]:
    """Each character's width in a line of print, in digits: a Chinese character as wide as two."""
    return [2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text]


def openvino():
    """OpenVINO without its telemetry. Its import would send an event to Google Analytics and write a client
    id under ~/intel (openvino-telemetry, on unless a user opted out); a None in sys.modules makes that
    package's import fail, which the one part of OpenVINO using it, the model converter, takes as no
    telemetry. The runtime needs neither."""
    sys.modules.setdefault("openvino_telemetry", None)
    import openvino as ov

    return ov


def threads() -> int | None:
    """One thread in a worker of the ingest pool, which spreads the pages over the CPUs; in a single process
    every CPU (None)."""
    return 1 if multiprocessing.parent_process() is not None else None


@functools.lru_cache(maxsize=1)
def precision() -> str:
    """bfloat16 where the CPU computes it natively (AMX, AVX-512 BF16), twice as fast for detection and a
    third for recognition at the same accuracy (docs/ocr.md); float32 elsewhere."""
    return "bf16" if "BF16" in openvino().Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES") else "f32"


@functools.lru_cache(maxsize=1)
def engine_name() -> str:
    """What read a page, as stored with it and in the cache's key: the models, and the runtime and precision,
    which change a few characters of a page."""
    from importlib.metadata import version

    return f"{MODELS} (rapidocr-onnxruntime {version('rapidocr-onnxruntime')}) on OpenVINO {version('openvino')} {precision()}"


def _compiled(path, *, image: bool = False):
    """One of the engine's models compiled by OpenVINO for the CPU, called as rapidocr calls its sessions. The
    detector (`image`) takes the page's bytes as they are and normalises them in its own graph: in numpy that
    took a seventh of a page's time."""
    ov = openvino()
    core = ov.Core()
    model = core.read_model(str(path))
    if image:
        steps = ov.preprocess.PrePostProcessor(model)
        steps.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
        steps.input().model().set_layout(ov.Layout("NCHW"))
        steps.input().preprocess().convert_element_type(ov.Type.f32).mean(127.5).scale(127.5)  # rapidocr's (x/255-0.5)/0.5
        model = steps.build()
    # Not pinned: OpenVINO pins its threads to cores, and the one thread of each worker went to the same core.
    # Its cache of kernels by input shape (every batch of lines has its own width) is kept to 100 shapes: at
    # its default of 5,000 a worker grew by 35 MB a page (docs/ocr.md).
    config = {"PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": "1", "INFERENCE_PRECISION_HINT": precision(),
              "ENABLE_CPU_PINNING": False, "CPU_RUNTIME_CACHE_CAPACITY": SHAPES_KEPT}
    if threads():
        config["INFERENCE_NUM_THREADS"] = str(threads())
    request = core.compile_model(model, "CPU", config).create_infer_request()

    def run(batch):
        request.infer({0: batch})
        return [request.get_output_tensor(0).data.copy()]  # the request's buffer is reused by the next call

    return run


def engine():
    """Loaded once per process."""
    return _engine(os.getpid())


def fork_safe() -> bool:
    """Whether a process forked from this one can still load the engine: not once this one has compiled it,
    since OpenVINO's threads are lost in the fork and a child's compiling waits on them for ever."""
    return _engine.cache_info().currsize == 0


@functools.lru_cache(maxsize=1)
def _engine(pid: int):
    """rapidocr's pre- and post-processing around the PP-OCRv4 models of its wheel,
    run by OpenVINO (1.6 to 2.5 times onnxruntime's speed on the same models, docs/ocr.md)."""
    from pathlib import Path

    import rapidocr_onnxruntime
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    class Resized(DetPreProcess):
        def __init__(self, chosen):  # rapidocr's choice of size for the page
            super().__init__(chosen.limit_side_len, chosen.limit_type)

        def __call__(self, img):  # resized to the detector's multiple of 32; normalised in its graph
            resized = self.resize(img)
            return None if resized is None else resized[None]

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, print_verbose=False,
                   rec_batch_num=REC_BATCH, rec_img_shape=[3, 48, READ_WIDTH])
    ocr.text_det.infer = _compiled(models / "ch_PP-OCRv4_det_infer.onnx", image=True)
    choose = ocr.text_det.get_preprocess
    ocr.text_det.get_preprocess = lambda side: Resized(choose(side))
    ocr.text_cls.infer = _compiled(models / "ch_ppocr_mobile_v2.0_cls_infer.onnx")
    recognised = _compiled(models / "ch_PP-OCRv4_rec_infer.onnx")  # its dictionary was read at init
    ideographs = _ideographs(ocr.text_rec.postprocess_op.character)
    ocr.text_rec.session = lambda batch: [rescue(recognised(batch)[0], ideographs)]
    return ocr


def _ideographs(characters: list[str]):
    """Which of the recogniser's outputs are Chinese characters (0 is CTC's blank)."""
    import numpy as np

    return np.array([len(c) == 1 and unicodedata.category(c) == "Lo" and unicodedata.east_asian_width(c) == "W"
                     for c in characters])


def rescue(preds, ideographs):
    """The recogniser's per-frame probabilities (lines, frames, characters), with the characters it drops given
    back. PP-OCRv4 drops some characters where it sees them: in 竞争性磋商 the frame of 磋 gives 磋 0.40 and
    the blank 0.57, so greedy decoding reads 竞争性商 (docs/ocr.md). Where two characters read stand far
    enough apart for one more (1.6 times the line's median pitch), the likeliest Chinese character of the
    frames between them is read if its probability is at least RESCUE and it is neither neighbour; its
    probability counts in the line's confidence, which it lowers."""
    import numpy as np

    best = preds.argmax(axis=2)
    for line, seq in enumerate(best):
        read = np.flatnonzero((seq != 0) & np.r_[True, seq[1:] != seq[:-1]])
        if len(read) < 3:
            continue
        gaps = np.diff(read)
        for at in np.flatnonzero(gaps >= max(1.6 * float(np.median(gaps)), 3)):
            before, after = read[at], read[at + 1]
            frames = preds[line, before + 1:after] * ideographs  # blank and non-Chinese outputs at 0
            frame, char = np.unravel_index(frames.argmax(), frames.shape)
            if frames[frame, char] >= RESCUE and char not in (seq[before], seq[after]):
                probs = preds[line, before + 1 + frame]
                probs[0], probs[char] = probs[char], probs[0]
    return preds


def recognise(image) -> tuple[list[Line], list]:
    """The lines of a page image (a numpy array, grey or RGB) in the engine's order, and their quadrilaterals
    (corner points, for the page's skew)."""
    import numpy as np

    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    result, _ = engine()(image)
    lines, quads = [], []
    for quad, text, score in result or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        text = text.lstrip(BULLETS + " ")
        if text.strip():
            lines.append(Line(text, float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)), float(score)))
            quads.append(quad)
    return lines, quads
