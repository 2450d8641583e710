"""Read an uploaded document in a separate process, with limits on its memory and time.

A hostile or broken file can make a reader use gigabytes of memory or run for minutes
(PDFium inflated a 3 MB PDF to 15 GB). Reading it in the worker itself would take the
worker, and every task queued behind it, down with it. So the worker starts a small process
for each document (`python -m tracker.extraction.contained`), which:

1. lowers its own address-space limit (RLIMIT_AS) and CPU-time limit (RLIMIT_CPU);
2. reads the file from its standard input, and the limits and the file's name from its
   one argument (JSON);
3. calls `read_document` (which refuses too many pages, or streams that expand past the
   limit, before PDFium reads them);
4. when the PDF is a scan, says on a line of its own how many pages it will read by OCR
   (`{"ocr_pages": 12}`) before it reads them, and raises its own CPU-time limit by
   `ocr_seconds_per_page` for each (Tesseract runs in processes of its own, which inherit
   the limits);
5. writes the text, or the plain message of an ExtractionError, to its standard output as
   JSON on its last line, and exits.

The worker waits no longer than the time limit, plus `ocr_seconds_per_page` for each page
the process said it would read by OCR, and then kills it with everything it started (it
runs in a process group of its own). A process that runs out of memory, or is stopped for
time, or dies any other way becomes an ExtractionError with a plain message; the worker
carries on. A process, not `multiprocessing`: Celery's prefork workers are daemonic, and
daemonic processes may not start children with `multiprocessing`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .ocr import MAX_OCR_PAGES, OCR_SECONDS_PER_PAGE
from .reading import read_document
from .source import ExtractionError, SourceText, describe_size

log = logging.getLogger(__name__)

# The exit status of a reading process that ran out of memory in Python.
OUT_OF_MEMORY = 3
# What Python or a library writes when an allocation fails before `main` can answer.
OUT_OF_MEMORY_SIGNS = (
    b"MemoryError",
    b"Cannot allocate memory",
    b"out of memory",
    b"failed to map segment",  # a library loaded past the limit
)
# The project's folder (the one holding `tracker/`), so the process can import this module.
SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class ReadingLimits:
    """What reading one document may use (settings REPORT_IMPORT_READ_* and REPORT_IMPORT_MAX_*)."""

    memory_bytes: int  # address space of the reading process
    seconds: float  # wall-clock time, and CPU time, of the reading process
    max_pages: int
    max_expanded_bytes: int  # what a PDF's compressed streams may expand to
    max_ocr_pages: int = MAX_OCR_PAGES  # pages of a scan read by OCR
    ocr_seconds_per_page: float = OCR_SECONDS_PER_PAGE  # more time for each of them

    def most_seconds(self, ocr_pages: int = 0) -> float:
        """The time allowed for a document with `ocr_pages` pages to read by OCR."""
        return self.seconds + self.ocr_seconds_per_page * min(ocr_pages, self.max_ocr_pages)


def read_contained(data: bytes, filename: str = "", *, limits: ReadingLimits) -> SourceText:
    """Read a document as `read_document` does, in a process of its own within `limits`.
    Raises ExtractionError (plain English) for a file that cannot be read within them."""
    try:
        # The file's name goes in as JSON, one argument, never through a shell.
        arguments = json.dumps({"limits": asdict(limits), "filename": filename})
        process = subprocess.Popen(  # noqa: S603 - this module, run by this Python
            [sys.executable, "-m", __name__, arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": _python_path()},
            start_new_session=True,  # a process group, so OCR's processes go with it
        )
    except OSError as exc:  # the machine's fault, not the file's: no message for the person
        raise RuntimeError("Could not start a process to read the document") from exc
    started = time.monotonic()
    allowed = limits.seconds
    try:
        output, errors = _wait(process, data, limits, started)
    except _TookTooLong as stopped:
        allowed = stopped.allowed
        _kill(process)
        process.communicate()
        log.warning("Stopped reading %r after %.1f s (the limit)", filename, allowed)
        raise ExtractionError(took_too_long(allowed)) from None
    finally:
        # Whatever stopped the wait (a Celery time limit, say), the process goes with it.
        if process.poll() is None:
            _kill(process)
            process.wait()
    answer = _answer(output) if process.returncode == 0 else {}
    log.info(
        "Read %r in a process of its own: exit status %s after %.2f s, peak memory %s MB",
        filename,
        process.returncode,
        time.monotonic() - started,
        int(str(answer.get("peak_kb", 0))) // 1024 or "unknown",
    )
    if process.returncode != 0:
        log.warning("The process reading %r ended with: %s", filename, errors[-2000:])
    return outcome(process.returncode, answer, errors, limits)


class _TookTooLong(Exception):
    def __init__(self, allowed: float):
        super().__init__(allowed)
        self.allowed = allowed


def _wait(
    process: subprocess.Popen[bytes], data: bytes, limits: ReadingLimits, started: float
) -> tuple[bytes, bytes]:
    """The process's output and errors once it ends. Past the time allowed, if it has said
    it is reading pages by OCR, it has their time too; past that, _TookTooLong."""
    given: bytes | None = data
    allowed = limits.seconds
    while True:
        try:
            timeout = max(0.0, started + allowed - time.monotonic())
            return process.communicate(given, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            given = None  # the input is sent once; communicating again goes on from there
            more = limits.most_seconds(_announced_ocr_pages(exc.stdout or b""))
            if more <= allowed:
                raise _TookTooLong(allowed) from None
            allowed = more


def _announced_ocr_pages(output: bytes) -> int:
    """How many pages the process said it would read by OCR (0 if it has not said)."""
    for line in output.splitlines():
        pages = _answer(line).get("ocr_pages")  # a number; the answer's is a list of pages
        if isinstance(pages, int):
            return pages
    return 0


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the reading process and whatever it started (Tesseract)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()


def _answer(output: bytes) -> dict[str, object]:
    """The JSON object on the output's last line."""
    lines = output.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def outcome(
    returncode: int, answer: dict[str, object], errors: bytes, limits: ReadingLimits
) -> SourceText:
    """What the reading process's exit status, answer and errors mean for the person."""
    if returncode == 0:
        if "error" in answer:
            raise ExtractionError(str(answer["error"]))
        if "text" in answer:
            ocr_pages = answer.get("ocr_pages")
            return SourceText(
                text=str(answer["text"]),
                format=str(answer["format"]),
                pages=int(str(answer["pages"])),
                ocr_pages=[int(page) for page in ocr_pages] if isinstance(ocr_pages, list) else [],
            )
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise ExtractionError(took_too_long(limits.seconds))
    if returncode == OUT_OF_MEMORY or any(sign in errors for sign in OUT_OF_MEMORY_SIGNS):
        raise ExtractionError(needs_too_much_memory(limits.memory_bytes))
    if returncode < 0:
        # PDFium stops the process (SIGABRT, SIGTRAP, SIGSEGV) when an allocation fails
        # under the memory limit; a damaged file can do the same.
        raise ExtractionError(needs_too_much_memory(limits.memory_bytes, or_damaged=True))
    raise ExtractionError(
        "Something went wrong while reading this file. Nothing was created. Try again, or "
        "send the file to your administrator."
    )


def took_too_long(seconds: float) -> str:
    return (
        f"Reading this file took longer than the {_describe_seconds(seconds)} allowed, far "
        "longer than any inspection report takes, so it was stopped. It may be damaged, or "
        "made to overload the service. Download the report again from the inspectorate's "
        "website and upload that copy."
    )


def needs_too_much_memory(memory_bytes: int, *, or_damaged: bool = False) -> str:
    cause = (
        "or it is damaged in a way that stops the reader"
        if or_damaged
        else "far more than any inspection report"
    )
    return (
        f"This file needs more than {describe_size(memory_bytes)} of memory to read, {cause}, "
        "so it was not read. It may have been made to overload the service. Download the "
        "report again from the inspectorate's website and upload that copy."
    )


def _describe_seconds(seconds: float) -> str:
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds // 60:.0f} minutes"
    return f"{seconds:g} seconds" if seconds != 1 else "1 second"


def _python_path() -> str:
    existing = os.environ.get("PYTHONPATH")
    return SOURCE_ROOT + (os.pathsep + existing if existing else "")


# The reading process --------------------------------------------------------------------


def limit_self(limits: ReadingLimits) -> None:
    """Lower this process's limits: past the address space, allocations fail; past the CPU
    time, the kernel stops the process (SIGXCPU). The hard CPU limit leaves room for the
    most pages of a scan (`allow_ocr` raises the soft limit to it as far as needed)."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = _whole_seconds(limits.seconds)
    most = _whole_seconds(limits.most_seconds(limits.max_ocr_pages))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, most + 1))


def allow_ocr(limits: ReadingLimits, pages: int) -> None:
    """Say how many pages will be read by OCR (the worker then waits for them), and allow
    this process the CPU time for them."""
    sys.stdout.write(json.dumps({"ocr_pages": pages}) + "\n")
    sys.stdout.flush()
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu = _whole_seconds(limits.most_seconds(pages))
    if hard != resource.RLIM_INFINITY:
        cpu = min(cpu, hard - 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))


def _whole_seconds(seconds: float) -> int:
    return max(1, int(seconds + 0.999))


def peak_kilobytes() -> int:
    """This process's peak resident memory since it started this program. (Linux's VmHWM:
    ru_maxrss would count the worker's memory too, copied into the process before exec.)"""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) if found else 0


def main(arguments: list[str]) -> int:
    given = json.loads(arguments[0])
    limits = ReadingLimits(**given["limits"])
    filename = str(given["filename"])
    try:
        import pypdfium2  # noqa: F401 - loaded before the limit, which is for reading

        limit_self(limits)
        data = sys.stdin.buffer.read()
        try:
            source = read_document(
                data,
                filename,
                max_pages=limits.max_pages,
                max_expanded_bytes=limits.max_expanded_bytes,
                max_ocr_pages=limits.max_ocr_pages,
                ocr_seconds_per_page=limits.ocr_seconds_per_page,
                on_ocr=lambda pages: allow_ocr(limits, pages),
            )
            answer: dict[str, object] = asdict(source)
        except ExtractionError as exc:
            answer = {"error": exc.message}
        del data
        answer["peak_kb"] = peak_kilobytes()
        sys.stdout.write(json.dumps(answer))
    except MemoryError:
        return OUT_OF_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
