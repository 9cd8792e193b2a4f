"""One binary that works anywhere: the runtime clients are compiled in, `meson install`
installs a working server, and docker/Dockerfile provides what the binary needs.

The binary is copied alone into an empty directory (or installed with `meson install
--destdir`) and python and node handlers must run from there. The Dockerfile is checked
without a Docker engine: its final stage must install a package for every shared library
`ldd` lists (directly or through the packages' dependencies, as dpkg on this machine
reports them), and the files its build stage copies must be enough to build sqsemu.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import harness
import lambda_util
from lambda_util import NODE, NODE_RUNTIME, PY_RUNTIME, ROLE, lambda_client, zip_bytes, zip_fixture

DOCKERFILE = os.path.join(harness.ROOT, "docker", "Dockerfile")
RELEASE_BIN = os.path.join(harness.ROOT, "build", "sqsemu")
MESON = shutil.which("meson")
NINJA = shutil.which("ninja")
DPKG_QUERY = shutil.which("dpkg-query")
LDD = shutil.which("ldd")
CALL_TIMEOUT = 120

# A handler telling where its runtime client came from, and where sqsemu is.
RUNTIME_DIR_APP = ("import os\n\n\ndef handler(event, context):\n"
                   "    return {'runtime_dir': os.environ['LAMBDA_RUNTIME_DIR'],\n"
                   "            'endpoint': os.environ['AWS_ENDPOINT_URL']}\n")


def tmpdir(test, prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, d, True)
    return d


def invoke(lam, name, payload=None):
    resp = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}))
    body = resp["Payload"].read()
    return resp, json.loads(body) if body else None


class HandlerChecks:
    """Creates and invokes a python and a node function on self.server."""

    def start(self, server):
        self.server = server.start()
        self.addCleanup(server.cleanup)
        self.lam = lambda_client(server)
        return server

    def create(self, name, runtime, handler, zip_file):
        self.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                 Code={"ZipFile": zip_file})

    def assert_python_runs(self, name="py-fn"):
        self.create(name, PY_RUNTIME, "app.handler", zip_fixture("py_version"))
        resp, doc = invoke(self.lam, name)
        self.assertNotIn("FunctionError", resp, "%r\n%s" % (doc, self.server.log()))
        self.assertEqual(doc["version"], "v1")

    def assert_node_runs(self, name="node-fn"):
        self.create(name, NODE_RUNTIME, "index.handler", zip_fixture("node_cjs"))
        resp, doc = invoke(self.lam, name, {"hello": "node"})
        self.assertNotIn("FunctionError", resp, "%r\n%s" % (doc, self.server.log()))
        self.assertEqual((doc["module"], doc["event"]), ("cjs", {"hello": "node"}))

    def runtime_dir_of(self, name="where-fn"):
        self.create(name, PY_RUNTIME, "app.handler", zip_bytes({"app.py": RUNTIME_DIR_APP}))
        resp, doc = invoke(self.lam, name)
        self.assertNotIn("FunctionError", resp, "%r\n%s" % (doc, self.server.log()))
        self.assertEqual(doc["endpoint"], self.server.endpoint)
        return doc["runtime_dir"]


class CopiedBinaryTest(HandlerChecks, unittest.TestCase):
    """build/sqsemu copied alone into an empty directory runs python and node handlers."""

    def setUp(self):
        self.bin_dir = tmpdir(self, "sqsemu-alone-")
        self.binary = os.path.join(self.bin_dir, "sqsemu")
        shutil.copy2(harness.BIN, self.binary)
        self.data_dir = tmpdir(self, "sqsemu-alone-data-")

    def server(self, **kwargs):
        kwargs.setdefault("data_dir", self.data_dir)
        kwargs.setdefault("cwd", self.bin_dir)
        return harness.Server(binary=self.binary, **kwargs)

    def test_python_and_node_handlers_run_from_the_copy(self):
        self.start(self.server())
        self.assert_python_runs()
        if NODE:
            self.assert_node_runs()

    def test_clients_are_written_privately_under_the_data_dir(self):
        self.start(self.server())
        where = self.runtime_dir_of()
        self.assertEqual(os.path.dirname(where), os.path.join(os.path.realpath(self.data_dir), "runtimes"))
        self.assertRegex(os.path.basename(where), r"^[0-9a-f]{16}$")
        for dirpath, dirnames, filenames in os.walk(os.path.dirname(where)):
            self.assertEqual(stat.S_IMODE(os.stat(dirpath).st_mode), 0o700, dirpath)
            for fn in filenames:
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(dirpath, fn)).st_mode), 0o600, fn)
        with open(os.path.join(where, "python", "bootstrap.py"), "rb") as f, \
                open(os.path.join(harness.ROOT, "runtimes", "python", "bootstrap.py"), "rb") as g:
            self.assertEqual(f.read(), g.read())

    def test_restart_rewrites_only_what_differs(self):
        server = self.start(self.server())
        where = self.runtime_dir_of()
        py, node = os.path.join(where, "python", "bootstrap.py"), os.path.join(where, "node", "bootstrap.mjs")
        before = os.stat(py)
        with open(node, "wb") as f:
            f.write(b"// damaged\n")
        os.chmod(node, 0o644)
        server.stop()
        server.start()
        after = os.stat(py)
        self.assertEqual((after.st_ino, after.st_mtime_ns), (before.st_ino, before.st_mtime_ns), "rewritten")
        with open(node, "rb") as f, open(os.path.join(harness.ROOT, "runtimes", "node", "bootstrap.mjs"), "rb") as g:
            self.assertEqual(f.read(), g.read(), "the damaged file was not restored")
        self.assertEqual(stat.S_IMODE(os.stat(node).st_mode), 0o600)
        self.assertEqual(self.runtime_dir_of("where-again"), where)

    def test_in_memory_clients_go_to_a_temporary_directory_removed_at_exit(self):
        server = self.start(self.server(in_memory=True, data_dir=None))
        where = self.runtime_dir_of()
        self.assertTrue(os.path.isfile(os.path.join(where, "python", "bootstrap.py")))
        self.assertEqual(stat.S_IMODE(os.stat(where).st_mode), 0o700)
        self.assertEqual(server.stop(), 0)
        self.assertFalse(os.path.exists(where), "%s is left behind" % where)

    def test_runtimes_dir_overrides_the_embedded_clients(self):
        own = os.path.join(tmpdir(self, "sqsemu-own-runtimes-"), "clients")
        shutil.copytree(os.path.join(harness.ROOT, "runtimes"), own,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        # relative to the directory sqsemu starts in: made absolute (handlers run elsewhere)
        self.start(self.server(cwd=os.path.dirname(own), extra_args=["--runtimes-dir", "clients"]))
        self.assertEqual(self.runtime_dir_of(), os.path.realpath(own))
        self.assert_python_runs()
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "runtimes")))

    def test_missing_runtimes_dir_is_refused(self):
        proc = subprocess.run([self.binary, "--in-memory", "--port", "0", "--runtimes-dir", "/nonexistent/rt"],
                              capture_output=True, text=True, timeout=CALL_TIMEOUT)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("--runtimes-dir /nonexistent/rt is not a directory", proc.stderr)


def build_dir_of(binary):
    d = os.path.dirname(os.path.realpath(binary))
    return d if os.path.isfile(os.path.join(d, "build.ninja")) else None


@unittest.skipIf(MESON is None, "meson is not installed")
class MesonInstallTest(HandlerChecks, unittest.TestCase):
    def test_installed_server_runs_python_handlers(self):
        build = build_dir_of(harness.BIN)
        if build is None:
            self.skipTest("%s is not in a meson build directory" % harness.BIN)
        dest = tmpdir(self, "sqsemu-destdir-")
        proc = subprocess.run([MESON, "install", "-C", build, "--no-rebuild", "--destdir", dest],
                              capture_output=True, text=True, timeout=CALL_TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        installed = [os.path.relpath(os.path.join(dp, fn), dest) for dp, _, fns in os.walk(dest) for fn in fns]
        self.assertEqual(len(installed), 1, installed)
        self.assertTrue(installed[0].endswith("bin/sqsemu"), installed)
        binary = os.path.join(dest, installed[0])
        self.start(harness.Server(binary=binary, cwd=dest))
        self.assert_python_runs()


# ---- docker/Dockerfile, without a Docker engine ---------------------------------------

def dockerfile_stages(path=DOCKERFILE):
    """[(FROM line, [instructions])] with continuation lines joined and comments dropped."""
    stages, current = [], None
    with open(path) as f:
        text = f.read()
    logical = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    for line in logical.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.upper().startswith("FROM "):
            current = (line, [])
            stages.append(current)
        elif current is not None:
            current[1].append(line)
    return stages


def apt_packages(instructions):
    """Names given to `apt-get install` in the stage's RUN instructions."""
    names = []
    for line in instructions:
        if not line.upper().startswith("RUN "):
            continue
        for command in re.split(r"&&|;", line[4:]):
            words = command.split()
            if "apt-get" in words and "install" in words:
                names += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return names


def dpkg_owner(path):
    """The package owning a file (trying the /usr-merged spellings of its path), or None."""
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for p in candidates:
        proc = subprocess.run([DPKG_QUERY, "-S", p], capture_output=True, text=True, timeout=CALL_TIMEOUT)
        if proc.returncode == 0:
            return proc.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def dependency_closure(packages):
    """The packages and everything they depend on (first alternatives), by this machine's dpkg."""
    seen, todo = set(), list(packages)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        proc = subprocess.run([DPKG_QUERY, "-W", "-f=${Depends}, ${Pre-Depends}", name],
                              capture_output=True, text=True, timeout=CALL_TIMEOUT)
        if proc.returncode != 0:
            continue
        for group in proc.stdout.split(","):
            first = group.split("|")[0].strip()
            if first:
                todo.append(first.split()[0].split(":")[0])
    return seen


def shared_libraries(binary):
    """{soname: resolved path} of every library ldd lists (linux-vdso has no file)."""
    out = subprocess.run([LDD, binary], capture_output=True, text=True, timeout=CALL_TIMEOUT).stdout
    libs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+)\s+=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if m:
            libs[os.path.basename(m.group(1))] = m.group(m.lastindex)
    return libs


BASE_IMAGE_LIBS = ("libc.so", "libm.so", "ld-linux", "linux-vdso")  # libc6, in debian:12-slim


class DockerfileTest(unittest.TestCase):
    def setUp(self):
        self.stages = dockerfile_stages()
        self.assertEqual(len(self.stages), 2, [s[0] for s in self.stages])
        self.build_from, self.build = self.stages[0]
        self.final_from, self.final = self.stages[-1]

    def test_stages_are_debian_12(self):
        self.assertTrue(self.build_from.startswith("FROM debian:12-slim AS build"), self.build_from)
        self.assertEqual(self.final_from, "FROM debian:12-slim")

    @unittest.skipIf(DPKG_QUERY is None or LDD is None, "needs dpkg-query and ldd (Debian)")
    def test_final_stage_installs_every_library_ldd_lists(self):
        binary = RELEASE_BIN if os.path.exists(RELEASE_BIN) else None
        if binary is None:
            self.skipTest("no release build at %s (a sanitizer build links more)" % RELEASE_BIN)
        installed = dependency_closure(apt_packages(self.final))
        libs = shared_libraries(binary)
        self.assertIn("libmicrohttpd.so.12", libs)
        for soname, path in sorted(libs.items()):
            owner = dpkg_owner(path)
            if soname.startswith(BASE_IMAGE_LIBS):
                self.assertIn(owner, (None, "libc6"), soname)
                continue
            self.assertIsNotNone(owner, "no package owns %s" % path)
            self.assertIn(owner, installed, "%s (%s) is not installed by the final stage" % (soname, owner))

    @unittest.skipIf(DPKG_QUERY is None, "needs dpkg-query (Debian)")
    def test_build_stage_installs_every_pkg_config_dependency(self):
        with open(os.path.join(harness.ROOT, "meson.build")) as f:
            names = re.findall(r"dependency\('([\w.+-]+)'", f.read())
        installed = dependency_closure(apt_packages(self.build))
        for name in names:
            if name in ("threads", "cmocka"):
                continue
            proc = subprocess.run(["pkg-config", "--variable=pcfiledir", name], capture_output=True, text=True,
                                  timeout=CALL_TIMEOUT)
            self.assertEqual(proc.returncode, 0, "pkg-config knows no %s here" % name)
            owner = dpkg_owner(os.path.join(proc.stdout.strip(), name + ".pc"))
            self.assertIn(owner, installed, "%s.pc comes from %s, which the build stage lacks" % (name, owner))

    def test_final_stage_runs_handlers_checks_health_and_reads_the_environment(self):
        packages = apt_packages(self.final)
        self.assertIn("python3", packages)
        self.assertIn("nodejs", packages)
        health = [l for l in self.final if l.upper().startswith("HEALTHCHECK ")]
        self.assertEqual(len(health), 1, self.final)
        self.assertIn("/_sqsemu/health", health[0])
        self.assertIn("python3", health[0])
        env = " ".join(l for l in self.final if l.upper().startswith("ENV "))
        for setting in ("SQSEMU_HOST=0.0.0.0", "SQSEMU_PORT=9324", "SQSEMU_DATA_DIR=/data"):
            self.assertIn(setting, env)
        entry = [l for l in self.final if l.upper().startswith("ENTRYPOINT ")]
        self.assertEqual(entry, ['ENTRYPOINT ["sqsemu"]'], "flags in ENTRYPOINT would beat SQSEMU_* variables")
        self.assertTrue(any(l.startswith("USER ") and "root" not in l for l in self.final), "runs as root")

    def build_stage_copies(self):
        """[(source, path in /src)] of the build stage's COPY instructions (WORKDIR /src),
        with Docker's rule: into a destination ending in '/' (or given several sources)
        a source keeps its name."""
        copies = []
        for line in self.build:
            if line.upper().startswith("COPY "):
                words = line.split()[1:]
                sources, dest = words[:-1], words[-1]
                into = dest.endswith("/") or len(sources) > 1
                copies += [(src, os.path.normpath(os.path.join(dest, os.path.basename(src)) if into else dest))
                           for src in sources]
        return copies

    @unittest.skipIf(MESON is None or NINJA is None, "needs meson and ninja")
    def test_build_stage_copies_enough_to_build(self):
        """Copies what the build stage copies into an empty directory and builds there."""
        context = tmpdir(self, "sqsemu-docker-context-")
        for src, dest in self.build_stage_copies():
            self.assertFalse(os.path.isabs(src) or ".." in src.split("/") or os.path.isabs(dest), (src, dest))
            origin, target = os.path.join(harness.ROOT, src), os.path.join(context, dest)
            if os.path.isdir(origin):
                shutil.copytree(origin, target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(origin, target)
        build = os.path.join(context, "build")
        for argv in ([MESON, "setup", build, context, "--buildtype=release", "-Dwerror=true"],
                     [NINJA, "-C", build, "sqsemu"]):
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=900)
            self.assertEqual(proc.returncode, 0, "%s\n%s%s" % (" ".join(argv), proc.stdout[-4000:], proc.stderr))
        out = subprocess.run([os.path.join(build, "sqsemu"), "--version"], capture_output=True, text=True,
                             timeout=CALL_TIMEOUT)
        self.assertEqual(out.returncode, 0)
        self.assertTrue(out.stdout.startswith("sqsemu "), out.stdout)


if __name__ == "__main__":
    unittest.main()
