"""A real Orthanc with its DICOMweb plugin for the PACS tests: free loopback port, temporary
storage and configuration, stopped by whoever starts it (also on failure).

Debian packages ``orthanc`` and ``orthanc-dicomweb`` (``make test`` installs them).
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
PLUGIN_CANDIDATES = ("/usr/share/orthanc/plugins/libOrthancDicomWeb.so",)


def dicomweb_plugin() -> Path | None:
    """The DICOMweb plugin of the Debian package (``dpkg -L orthanc-dicomweb``)."""
    for candidate in PLUGIN_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    try:
        listing = subprocess.run(["dpkg", "-L", "orthanc-dicomweb"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    found = [Path(line) for line in listing.stdout.splitlines() if "DicomWeb.so" in line]
    return found[0] if found else None


def orthanc_available() -> bool:
    return Path(ORTHANC).is_file() and dicomweb_plugin() is not None


def free_port() -> int:
    """A loopback port free at the moment of asking: another process may take it before Orthanc
    binds it (a subprocess cannot be handed a bound socket), so :meth:`Orthanc.start` retries
    with another port when Orthanc says its port is in use."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PortInUse(RuntimeError):
    """Orthanc could not bind its HTTP port."""


# An archive with rules: STOW-RS into study {refuse} is forbidden (HTTP 403); RTSTRUCT objects of
# study {drop} are accepted and then silently dropped (Orthanc answers success, stores nothing).
_RULES_LUA = """
function IncomingHttpRequestFilter(method, uri, ip, username, headers)
  if method == 'POST' and uri == '/dicom-web/studies/{refuse}' then
    return false
  end
  return true
end

function ReceivedInstanceFilter(dicom, origin, info)
  if dicom.Modality == 'RTSTRUCT' and dicom.StudyInstanceUID == '{drop}' then
    return false
  end
  return true
end
"""

@dataclass
class Orthanc:
    folder: Path
    users: dict[str, str] = field(default_factory=dict)
    refuse_study: str | None = None  # STOW-RS into it: HTTP 403
    drop_rtstruct_study: str | None = None  # its RTSTRUCTs: accepted, never stored
    port: int = 0  # 0: a free loopback port
    dicom_port: int | None = None  # DIMSE on this port (C-ECHO, C-STORE in and out); None: off
    dicom_aet: str = "ORTHANC"
    modalities: dict[str, list[object]] = field(default_factory=dict)  # id -> [AE title, host, port]
    name: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dicomweb(self) -> str:
        return f"{self.url}/dicom-web"

    def start(self, timeout_s: float = 60.0, attempts: int = 5) -> Orthanc:
        """Start Orthanc on the given port, or on a free one (another one if it was taken between
        the choice and Orthanc's bind); returns once this Orthanc answers."""
        chosen = not self.port
        for attempt in range(attempts):
            if chosen:
                self.port = free_port()
            try:
                return self._launch(timeout_s)
            except PortInUse:
                if not chosen or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _launch(self, timeout_s: float) -> Orthanc:
        plugin = dicomweb_plugin()
        if plugin is None:
            raise RuntimeError("the orthanc-dicomweb plugin is not installed")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name = f"voxtell-test-{uuid.uuid4().hex[:12]}"  # tells this Orthanc from whatever else answers
        config: dict[str, object] = {
            "Name": self.name, "StorageDirectory": str(self.folder / "storage"),
            "IndexDirectory": str(self.folder / "index"), "HttpPort": self.port, "DicomServerEnabled": False,
            "RemoteAccessAllowed": False, "AuthenticationEnabled": bool(self.users), "RegisteredUsers": self.users,
            "Plugins": [str(plugin)], "HttpsVerifyPeers": False, "StableAge": 1, "ConcurrentJobs": 1,
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "StudiesMetadata": "MainDicomTags",
                         "SeriesMetadata": "Full"},
        }
        if self.dicom_port is not None:
            config.update({"DicomServerEnabled": True, "DicomPort": self.dicom_port, "DicomAet": self.dicom_aet,
                           "DicomModalities": self.modalities, "DicomAlwaysAllowStore": True})
        if self.refuse_study or self.drop_rtstruct_study:
            lua = self.folder / "rules.lua"
            lua.write_text(_RULES_LUA.replace("{refuse}", self.refuse_study or "none")
                           .replace("{drop}", self.drop_rtstruct_study or "none"))
            config["LuaScripts"] = [str(lua)]
        conf = self.folder / "orthanc.json"
        conf.write_text(json.dumps(config))
        log_path = self.folder / "orthanc.log"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen([ORTHANC, str(conf)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                output = log_path.read_text(errors="replace")
                if "already in use" in output:
                    raise PortInUse(f"port {self.port} is taken")
                raise RuntimeError(f"Orthanc exited: {output[-2000:]}")
            try:
                answer = json.loads(self._request("/system", timeout_s=2))
                if isinstance(answer, dict) and answer.get("Name") == self.name:
                    return self
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("Orthanc did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _request(self, path: str, data: bytes | None = None, method: str = "GET",
                 content_type: str = "application/dicom", timeout_s: float = 30) -> bytes:
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.users:
            user, password = next(iter(self.users.items()))
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return bytes(response.read())

    def get(self, path: str) -> object:
        return json.loads(self._request(path))

    def post(self, path: str, body: object) -> object:
        return json.loads(self._request(path, json.dumps(body).encode(), method="POST",
                                        content_type="application/json"))

    def upload(self, files: list[Path]) -> None:
        """Load DICOM files through Orthanc's REST API (``POST /instances``)."""
        for f in files:
            self._request("/instances", f.read_bytes(), method="POST")

    def instance_count(self) -> int:
        stats = self.get("/statistics")
        assert isinstance(stats, dict)
        return int(stats["CountInstances"])

    def __enter__(self) -> Orthanc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
