"""Function code directories: sqsemu removes only directories it created itself.

A hot-reload S3Key is the user's own directory and must survive DeleteFunction and
UpdateFunctionCode whatever its spelling (`<data-dir>/lambda/../../victim` used to pass a
path-prefix check and be removed recursively). A hot-reload S3Key inside the data directory
(another function's unpacked code, the data directory itself) is refused. A rejected
CreateFunction leaves no directories behind, and a deleted function's directory goes with
its empty parents.
"""
import os
import shutil
import tempfile

import harness
from lambda_util import PY_RUNTIME, ROLE, LambdaTestCase, zip_bytes, zip_fixture


def tree(root):
    """Every path below root (relative), directories marked with a trailing slash."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for d in dirnames:
            out.add(os.path.normpath(os.path.join(rel, d)) + "/")
        for f in filenames:
            out.add(os.path.normpath(os.path.join(rel, f)))
    return out


class CodeOwnershipTest(LambdaTestCase):
    @classmethod
    def setUpClass(cls):
        # parent/data is the data directory; parent/victim-* are the user's directories.
        cls.parent = tempfile.mkdtemp(prefix="sqsemu-own-")
        cls.data_dir = os.path.join(cls.parent, "data")
        cls.server = harness.Server(data_dir=cls.data_dir).start()
        cls.lam = __import__("lambda_util").lambda_client(cls.server, cls.read_timeout)
        cls.sqs = cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.parent, True)

    def victim(self):
        d = tempfile.mkdtemp(prefix="victim-", dir=self.parent)
        with open(os.path.join(d, "precious.txt"), "w") as f:
            f.write("keep me")
        with open(os.path.join(d, "app.py"), "w") as f:
            f.write("def handler(event, context):\n    return {'ok': True}\n")
        return d

    def assertIntact(self, d):
        with open(os.path.join(d, "precious.txt")) as f:
            self.assertEqual(f.read(), "keep me")

    def lambda_dir(self):
        return os.path.join(self.data_dir, "lambda")

    def code_dirs(self):
        """The unpacked code directories under <data-dir>/lambda/<acct>/<region>/<name>/."""
        found = []
        root = self.lambda_dir()
        for dirpath, dirnames, _ in os.walk(root):
            depth = os.path.relpath(dirpath, root).count(os.sep)
            if depth == 2 and os.path.relpath(dirpath, root) != ".":
                found.extend(os.path.join(dirpath, d) for d in dirnames)
        return found

    def test_dotdot_key_outside_data_dir_survives_delete(self):
        # A zip function first, so that <data-dir>/lambda exists and the ".." path resolves.
        self.create_function()
        victim = self.victim()
        key = os.path.join(self.data_dir, "lambda", "..", "..", os.path.basename(victim))
        self.assertEqual(os.path.realpath(key), os.path.realpath(victim))
        name = self.unique("hot")
        self.create_function(name=name, code={"S3Bucket": "hot-reload", "S3Key": key}, cleanup=False)
        _, _, result = self.invoke(name, {})
        self.assertEqual(result, {"ok": True})
        self.lam.delete_function(FunctionName=name)
        self.assertIntact(victim)

    def test_hot_reload_dir_survives_update_to_zip_and_delete(self):
        victim = self.victim()
        name = self.unique("hot")
        self.create_function(name=name, code={"S3Bucket": "hot-reload", "S3Key": victim}, cleanup=False)
        self.invoke(name, {})  # an execution environment ran from the directory
        self.lam.update_function_code(FunctionName=name, ZipFile=zip_fixture("py_recorder"))
        self.assertIntact(victim)
        self.lam.update_function_code(FunctionName=name, S3Bucket="hot-reload", S3Key=victim)
        self.lam.delete_function(FunctionName=name)
        self.assertIntact(victim)

    def test_symlink_to_victim_is_resolved_and_kept(self):
        victim = self.victim()
        link = os.path.join(self.parent, "link-" + os.path.basename(victim))
        os.symlink(victim, link)
        self.addCleanup(os.unlink, link)
        name = self.unique("hot")
        self.create_function(name=name, code={"S3Bucket": "hot-reload", "S3Key": link}, cleanup=False)
        self.lam.delete_function(FunctionName=name)
        self.assertIntact(victim)
        self.assertTrue(os.path.islink(link))

    def test_key_inside_data_dir_is_refused(self):
        other = self.unique("other")
        self.create_function(name=other)
        dirs = [d for d in self.code_dirs() if os.sep + other + os.sep in d + os.sep]
        self.assertEqual(len(dirs), 1, self.code_dirs())
        spelled = [dirs[0], self.data_dir, self.lambda_dir(),
                   os.path.join(self.lambda_dir(), "..", "lambda", "..", "..", "data")]
        for key in spelled:
            with self.subTest(key=key):
                self.assertLambdaError(
                    lambda: self.lam.create_function(FunctionName=self.unique("evil"), Runtime=PY_RUNTIME, Role=ROLE,
                                                     Handler="app.handler",
                                                     Code={"S3Bucket": "hot-reload", "S3Key": key}),
                    "InvalidParameterValueException", 400, message_prefix="S3Key")
                self.assertLambdaError(
                    lambda: self.lam.update_function_code(FunctionName=other, S3Bucket="hot-reload", S3Key=key),
                    "InvalidParameterValueException", 400, message_prefix="S3Key")
        # The other function's code is untouched and still runs.
        self.assertTrue(os.path.isdir(dirs[0]))
        resp, _, _ = self.invoke(other, {"n": 1})
        self.assertEqual(resp["StatusCode"], 200)

    def test_rejected_create_leaves_no_directories(self):
        before = tree(self.data_dir)
        bad_zips = [b"not a zip at all", zip_bytes({"../evil.py": "x = 1\n"}), zip_bytes({"/abs.py": "x = 1\n"})]
        for data in bad_zips:
            with self.subTest(data=data[:20]):
                self.assertLambdaError(
                    lambda: self.lam.create_function(FunctionName=self.unique("bad"), Runtime=PY_RUNTIME, Role=ROLE,
                                                     Handler="app.handler", Code={"ZipFile": data}),
                    "InvalidParameterValueException", 400)
        after = {p for p in tree(self.data_dir) if not p.startswith("sqsemu.db")}
        self.assertEqual(after, {p for p in before if not p.startswith("sqsemu.db")})
        self.assertFalse(os.path.exists(os.path.join(self.parent, "evil.py")))

    def test_delete_removes_own_directory_and_empty_parents(self):
        name = self.unique("gone")
        self.create_function(name=name, cleanup=False)
        mine = [d for d in self.code_dirs() if os.sep + name + os.sep in d + os.sep]
        self.assertEqual(len(mine), 1)
        self.lam.delete_function(FunctionName=name)
        harness.wait_until(lambda: not os.path.exists(mine[0]), timeout=5)
        self.assertFalse(os.path.exists(mine[0]))
        self.assertFalse(os.path.exists(mine[0] + ".zip"))
        self.assertFalse(os.path.exists(os.path.dirname(mine[0])), "the function's empty parent stays")

    def test_update_code_replaces_own_directory(self):
        name = self.unique("upd")
        self.create_function(name=name)
        first = [d for d in self.code_dirs() if os.sep + name + os.sep in d + os.sep]
        self.lam.update_function_code(FunctionName=name, ZipFile=zip_fixture("py_recorder"))
        harness.wait_until(lambda: not os.path.exists(first[0]), timeout=5)
        now = [d for d in self.code_dirs() if os.sep + name + os.sep in d + os.sep]
        self.assertEqual(len(now), 1)
        self.assertNotEqual(now, first)

    def test_private_modes(self):
        self.create_function()
        self.assertEqual(os.stat(self.lambda_dir()).st_mode & 0o077, 0, "lambda/ is private")
        checked = 0
        for d in self.code_dirs():
            # An earlier test's function may be going away (its directory goes when its last
            # environment ends): a directory that vanished meanwhile has no mode to check.
            try:
                mode = os.stat(d).st_mode
            except FileNotFoundError:
                continue
            checked += 1
            self.assertEqual(mode & 0o077, 0, d)
            if os.path.exists(d + ".zip"):
                self.assertEqual(os.stat(d + ".zip").st_mode & 0o077, 0, d + ".zip")
        self.assertGreater(checked, 0, "no code directory was found to check")


if __name__ == "__main__":
    import unittest
    unittest.main()
