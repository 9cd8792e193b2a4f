"""Lambda function versions and aliases against a real sqsemu (docs/lambda-versions.md):
PublishVersion, ListVersionsByFunction, qualified GetFunction/Invoke/DeleteFunction, the
alias operations with weighted routing, event-source mappings on an alias, ListFunctions
with FunctionVersion=ALL, persistence across a restart, and the aws CLI.

The py_version fixture answers with the VERSION its code was built with, so a test sees
which code ran; py_recorder writes each invocation (with its context) into OUT_DIR.
"""
import base64
import json
import os
import unittest

from botocore.exceptions import ClientError

import harness
from lambda_util import (AWS_CLI, LambdaTestCase, cli_env, fixture_files, function_arn, lambda_client,
                         read_records, run_cli, sha256_b64, zip_bytes)

STALE_REVISION = ("The Revision Id provided does not match the latest Revision Id. Call the "
                  "GetFunction/GetAlias API to retrieve the latest Revision Id")


def version_zip(version):
    files = fixture_files("py_version")
    text = files["app.py"][0].decode("utf-8").replace('VERSION = "v1"', 'VERSION = "%s"' % version)
    files["app.py"] = (text, 0o644)
    return zip_bytes(files)


class VersionsTestBase(LambdaTestCase):

    def make_function(self, code_version="v1", **extra):
        return self.create_function(zip_file=version_zip(code_version), **extra)["FunctionName"]

    def update_code(self, name, code_version, **extra):
        return self.lam.update_function_code(FunctionName=name, ZipFile=version_zip(code_version), **extra)

    def ran(self, name, **kwargs):
        resp, _, body = self.invoke(name, {}, **kwargs)
        self.assertNotIn("FunctionError", resp, body)
        return body["version"], resp["ResponseMetadata"]["HTTPHeaders"].get("x-amz-executed-version")


class PublishVersionTests(VersionsTestBase):

    def test_publish_numbers_snapshot_and_qualified_arn(self):
        name = self.make_function("v1", Description="first")
        v1 = self.lam.publish_version(FunctionName=name)
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((v1["Version"], v1["FunctionArn"]), ("1", function_arn(name, "1")))
        self.assertEqual(v1["Description"], "first")
        self.assertTrue(v1["RevisionId"])
        # nothing changed: the last version comes back
        again = self.lam.publish_version(FunctionName=name, Description="ignored")
        self.assertEqual(again["Version"], "1")
        self.update_code(name, "v2")
        v2 = self.lam.publish_version(FunctionName=name, Description="second")
        self.assertEqual((v2["Version"], v2["Description"]), ("2", "second"))
        self.assertNotEqual(v1["CodeSha256"], v2["CodeSha256"])
        self.lam.update_function_configuration(FunctionName=name, Timeout=9, Environment={"Variables": {"AB": "c"}})
        # each version keeps its code and configuration
        resp, _, _ = self.invoke(name, {}, Qualifier="1", LogType="Tail")
        self.assertIn("Version: 1", base64.b64decode(resp["LogResult"]).decode())
        self.assertEqual(self.ran(name, Qualifier="1"), ("v1", "1"))
        self.assertEqual(self.ran(name + ":2"), ("v2", "2"))
        self.assertEqual(self.ran(name), ("v2", "$LATEST"))
        cfg1 = self.lam.get_function_configuration(FunctionName=name, Qualifier="1")
        self.assertEqual((cfg1["Version"], cfg1["Timeout"], cfg1.get("Environment")), ("1", 3, None))
        latest = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual((latest["Version"], latest["Timeout"]), ("$LATEST", 9))
        got = self.lam.get_function(FunctionName=function_arn(name, "2"))
        self.assertEqual(got["Configuration"]["FunctionArn"], function_arn(name, "2"))
        self.assertTrue(got["Code"]["Location"].endswith(name + ":2.zip"), got["Code"]["Location"])

    def test_numbers_are_never_reused(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        self.update_code(name, "v2")
        self.assertEqual(self.lam.publish_version(FunctionName=name)["Version"], "2")
        self.lam.delete_function(FunctionName=name, Qualifier="2")
        self.update_code(name, "v3")
        self.assertEqual(self.lam.publish_version(FunctionName=name)["Version"], "3")
        versions = [v["Version"] for v in self.lam.list_versions_by_function(FunctionName=name)["Versions"]]
        self.assertEqual(versions, ["$LATEST", "1", "3"])

    def test_publish_flags_on_create_and_update_code(self):
        name = self.unique("pub")
        created = self.create_function(name=name, zip_file=version_zip("v1"), Publish=True)
        self.assertEqual((created["Version"], created["FunctionArn"]), ("1", function_arn(name, "1")))
        updated = self.update_code(name, "v2", Publish=True)
        self.assertEqual(updated["Version"], "2")
        self.assertEqual(self.ran(name, Qualifier="1"), ("v1", "1"))
        self.assertEqual(self.ran(name, Qualifier="2"), ("v2", "2"))

    def test_publish_errors(self):
        name = self.make_function("v1")
        self.assertLambdaError(lambda: self.lam.publish_version(FunctionName=name, CodeSha256="bm90LXRoZS1zaGE="),
                               "InvalidParameterValueException", 400, message_prefix="CodeSHA256 (bm90LXRoZS1zaGE=)")
        self.assertLambdaError(lambda: self.lam.publish_version(FunctionName=name, RevisionId="stale"),
                               "PreconditionFailedException", 412, message=STALE_REVISION)
        sha = sha256_b64(version_zip("v1"))
        rev = self.lam.get_function_configuration(FunctionName=name)["RevisionId"]
        self.assertEqual(self.lam.publish_version(FunctionName=name, CodeSha256=sha, RevisionId=rev)["Version"], "1")
        self.assertLambdaError(lambda: self.lam.publish_version(FunctionName="no-such-fn"),
                               "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.list_versions_by_function(FunctionName="no-such-fn"),
                               "ResourceNotFoundException", 404)

    def test_revision_id_on_updates(self):
        name = self.make_function("v1")
        first = self.lam.get_function_configuration(FunctionName=name)["RevisionId"]
        self.lam.update_function_configuration(FunctionName=name, Timeout=5, RevisionId=first)
        second = self.lam.get_function_configuration(FunctionName=name)["RevisionId"]
        self.assertNotEqual(first, second)
        self.assertLambdaError(
            lambda: self.lam.update_function_configuration(FunctionName=name, Timeout=6, RevisionId=first),
            "PreconditionFailedException", 412, message=STALE_REVISION)
        self.assertLambdaError(lambda: self.update_code(name, "v2", RevisionId=first),
                               "PreconditionFailedException", 412)
        # updates apply to the function itself: a version's snapshot cannot be changed
        self.lam.publish_version(FunctionName=name)
        self.assertLambdaError(lambda: self.lam.update_function_configuration(FunctionName=name + ":1", Timeout=7),
                               "ResourceNotFoundException", 404)
        self.assertEqual(self.lam.get_function_configuration(FunctionName=name, Qualifier="1")["Timeout"], 5)

    def test_unknown_qualifiers_are_not_found(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        msg = "Function not found: " + function_arn(name, "7")
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name, Qualifier="7"),
                               "ResourceNotFoundException", 404, message=msg)
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name + ":7"),
                               "ResourceNotFoundException", 404, message=msg)
        self.assertLambdaError(lambda: self.lam.get_function_configuration(FunctionName=name, Qualifier="nope"),
                               "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.delete_function(FunctionName=name, Qualifier="7"),
                               "ResourceNotFoundException", 404)

    def test_list_versions_pages(self):
        name = self.make_function("v1")
        for i in range(2, 5):
            self.lam.publish_version(FunctionName=name)
            self.update_code(name, "v%d" % i)
        seen, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.lam.list_versions_by_function(FunctionName=name, MaxItems=2, **kw)
            seen += [v["Version"] for v in page["Versions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(seen, ["$LATEST", "1", "2", "3"])

    def test_list_functions_all_versions(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        mine = [f for f in self.lam.list_functions(FunctionVersion="ALL")["Functions"] if f["FunctionName"] == name]
        self.assertEqual([f["Version"] for f in mine], ["$LATEST", "1"])
        plain = [f for f in self.lam.list_functions()["Functions"] if f["FunctionName"] == name]
        self.assertEqual([f["Version"] for f in plain], ["$LATEST"])


class DeleteTests(VersionsTestBase):

    def test_delete_semantics(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        self.update_code(name, "v2")
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        self.assertLambdaError(lambda: self.lam.delete_function(FunctionName=name, Qualifier="1"),
                               "ResourceConflictException", 409, message_contains="live")
        for form in (dict(FunctionName=name, Qualifier="$LATEST"), dict(FunctionName=name + ":$LATEST")):
            self.assertLambdaError(lambda: self.lam.delete_function(**form), "InvalidParameterValueException", 400,
                                   message="$LATEST version cannot be deleted without deleting the function.")
        self.assertLambdaError(lambda: self.lam.delete_function(FunctionName=name, Qualifier="live"),
                               "InvalidParameterValueException", 400)
        self.lam.delete_function(FunctionName=name, Qualifier="2")
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name, Qualifier="2"),
                               "ResourceNotFoundException", 404)
        self.assertEqual(self.ran(name, Qualifier="live"), ("v1", "1"))
        self.assertEqual(self.ran(name), ("v2", "$LATEST"))
        self.lam.delete_function(FunctionName=name)
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name, Qualifier="1"),
                               "ResourceNotFoundException", 404)
        # a new function of the same name starts afresh
        self.make_function("v9", name=name)
        self.assertEqual(self.lam.list_aliases(FunctionName=name)["Aliases"], [])
        self.assertEqual(self.lam.publish_version(FunctionName=name)["Version"], "1")

    def test_admin_reset_removes_versions_and_aliases(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        status, _, body = self.raw_json("POST", "/_sqsemu/reset?function=" + name)
        self.assertEqual(status, 200, body)
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name, Qualifier="1"),
                               "ResourceNotFoundException", 404)
        self.make_function("v2", name=name)
        self.assertEqual(self.lam.list_aliases(FunctionName=name)["Aliases"], [])
        self.assertEqual([v["Version"] for v in self.lam.list_versions_by_function(FunctionName=name)["Versions"]],
                         ["$LATEST"])


class AliasTests(VersionsTestBase):

    def setUp(self):
        self.name = self.make_function("v1")
        self.lam.publish_version(FunctionName=self.name)
        self.update_code(self.name, "v2")
        self.lam.publish_version(FunctionName=self.name)
        self.update_code(self.name, "v3")  # $LATEST differs from both versions

    def test_alias_lifecycle(self):
        name = self.name
        created = self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="prod")
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((created["AliasArn"], created["Name"], created["FunctionVersion"], created["Description"]),
                         (function_arn(name, "live"), "live", "1", "prod"))
        got = self.lam.get_alias(FunctionName=name, Name="live")
        self.assertEqual(got["RevisionId"], created["RevisionId"])
        self.assertEqual(self.ran(name, Qualifier="live"), ("v1", "1"))
        cfg = self.lam.get_function_configuration(FunctionName=name, Qualifier="live")
        self.assertEqual((cfg["Version"], cfg["FunctionArn"]), ("1", function_arn(name, "live")))
        updated = self.lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2",
                                        RevisionId=created["RevisionId"])
        self.assertEqual(updated["FunctionVersion"], "2")
        self.assertEqual(updated["Description"], "prod")
        self.assertNotEqual(updated["RevisionId"], created["RevisionId"])
        self.assertLambdaError(lambda: self.lam.update_alias(FunctionName=name, Name="live", FunctionVersion="1",
                                                             RevisionId=created["RevisionId"]),
                               "PreconditionFailedException", 412, message=STALE_REVISION)
        self.assertEqual(self.ran(function_arn(name, "live")), ("v2", "2"))
        self.lam.create_alias(FunctionName=name, Name="old", FunctionVersion="1")
        self.lam.create_alias(FunctionName=name, Name="edge", FunctionVersion="$LATEST")
        names = [a["Name"] for a in self.lam.list_aliases(FunctionName=name)["Aliases"]]
        self.assertEqual(sorted(names), ["edge", "live", "old"])
        only1 = [a["Name"] for a in self.lam.list_aliases(FunctionName=name, FunctionVersion="1")["Aliases"]]
        self.assertEqual(only1, ["old"])
        page = self.lam.list_aliases(FunctionName=name, MaxItems=1)
        self.assertEqual(len(page["Aliases"]), 1)
        self.assertIn("NextMarker", page)
        self.assertEqual(self.ran(name, Qualifier="edge"), ("v3", "$LATEST"))
        self.lam.delete_alias(FunctionName=name, Name="old")
        self.assertLambdaError(lambda: self.lam.get_alias(FunctionName=name, Name="old"),
                               "ResourceNotFoundException", 404,
                               message="Cannot find alias arn: " + function_arn(name, "old"))
        self.lam.delete_function(FunctionName=name, Qualifier="1")  # no alias points at it now

    def test_alias_errors(self):
        name = self.name
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        self.assertLambdaError(lambda: self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="2"),
                               "ResourceConflictException", 409,
                               message="Alias already exists: " + function_arn(name, "live"))
        self.assertLambdaError(lambda: self.lam.create_alias(FunctionName=name, Name="123", FunctionVersion="1"),
                               "ValidationException", 400)
        self.assertLambdaError(lambda: self.lam.create_alias(FunctionName=name, Name="a.b", FunctionVersion="1"),
                               "ValidationException", 400)
        self.assertLambdaError(lambda: self.lam.create_alias(FunctionName=name, Name="x", FunctionVersion="9"),
                               "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.create_alias(FunctionName="no-such-fn", Name="x", FunctionVersion="1"),
                               "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.get_alias(FunctionName=name, Name="nope"),
                               "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.update_alias(FunctionName=name, Name="nope", FunctionVersion="1"),
                               "ResourceNotFoundException", 404)
        self.lam.delete_alias(FunctionName=name, Name="nope")  # AWS's DeleteAlias is idempotent

    def test_bad_weights(self):
        name = self.name
        bad = [
            ("1", {"2": 0.5, "3": 0.1}),   # two additional versions
            ("1", {"1": 0.5}),             # the alias's own version
            ("$LATEST", {"1": 0.5}),       # weighted on $LATEST
            ("1", {"2": 1.5}),             # weight above 1.0
        ]
        for primary, weights in bad:
            with self.subTest(primary=primary, weights=weights):
                self.assertLambdaError(
                    lambda: self.lam.create_alias(FunctionName=name, Name="w", FunctionVersion=primary,
                                                  RoutingConfig={"AdditionalVersionWeights": weights}),
                    "InvalidParameterValueException", 400)
        self.assertLambdaError(
            lambda: self.lam.create_alias(FunctionName=name, Name="w", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"8": 0.5}}),
            "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.get_alias(FunctionName=name, Name="w"),
                               "ResourceNotFoundException", 404)  # nothing was created

    def test_weighted_routing(self):
        name = self.name
        self.lam.create_alias(FunctionName=name, Name="canary", FunctionVersion="1",
                              RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
        self.assertEqual({self.ran(name, Qualifier="canary") for _ in range(5)}, {("v2", "2")})
        self.lam.update_alias(FunctionName=name, Name="canary", RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}})
        self.assertEqual({self.ran(name, Qualifier="canary") for _ in range(5)}, {("v1", "1")})
        self.lam.update_alias(FunctionName=name, Name="canary", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        counts = {"1": 0, "2": 0}
        for _ in range(200):
            code, executed = self.ran(name, Qualifier="canary")
            self.assertEqual(code, "v" + executed)
            counts[executed] += 1
        # 200 draws at 0.5: fewer than 60 of either is a chance of about 1e-8
        self.assertGreater(counts["1"], 60, counts)
        self.assertGreater(counts["2"], 60, counts)
        self.lam.update_alias(FunctionName=name, Name="canary", RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertNotIn("RoutingConfig", self.lam.get_alias(FunctionName=name, Name="canary"))


class MappingOnAliasTests(VersionsTestBase):

    def test_mapping_on_alias_runs_aliased_version_and_follows_it(self):
        out = self.out_dir()
        name = self.create_function(fixture="py_recorder", env={"OUT_DIR": out, "CODE": "one"})["FunctionName"]
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"OUT_DIR": out,
                                                                                              "CODE": "two"}})
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"OUT_DIR": out,
                                                                                              "CODE": "latest"}})
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        url, arn = self.queue("alias", {"VisibilityTimeout": 30})
        m = self.create_mapping(name + ":live", arn, BatchSize=1)
        self.assertEqual(m["FunctionArn"], function_arn(name, "live"))

        def batches():
            return [d for d in read_records(out) if isinstance(d["event"], dict) and d["event"].get("Records")]

        self.sqs.send_message(QueueUrl=url, MessageBody="first")
        docs = harness.wait_until(lambda: batches(), timeout=10)
        self.assertTrue(docs, "the mapping did not invoke")
        self.assertEqual(docs[0]["env"]["CODE"], "one")
        self.assertEqual(docs[0]["context"]["function_version"], "1")
        self.assertEqual(docs[0]["context"]["invoked_function_arn"], function_arn(name, "live"))
        self.lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
        self.sqs.send_message(QueueUrl=url, MessageBody="second")
        docs = harness.wait_until(lambda: len(batches()) >= 2 and batches(), timeout=10)
        self.assertTrue(docs, "the mapping did not invoke after the alias moved")
        self.assertEqual(docs[1]["env"]["CODE"], "two")
        self.assertEqual(docs[1]["context"]["function_version"], "2")

    def test_mapping_on_version_and_unknown_qualifier(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        _, arn = self.queue("ver", {"VisibilityTimeout": 30})
        m = self.create_mapping(function_arn(name, "1"), arn, wait_enabled=False)
        self.assertEqual(m["FunctionArn"], function_arn(name, "1"))
        _, arn2 = self.queue("ver2", {"VisibilityTimeout": 30})
        self.assertLambdaError(lambda: self.lam.create_event_source_mapping(FunctionName=name + ":9",
                                                                            EventSourceArn=arn2),
                               "InvalidParameterValueException", 400)


class EventInvokeTests(VersionsTestBase):

    def test_event_invocation_of_a_version_runs_its_snapshot(self):
        out = self.out_dir()
        name = self.create_function(fixture="py_recorder", env={"OUT_DIR": out, "CODE": "one"})["FunctionName"]
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"OUT_DIR": out,
                                                                                              "CODE": "latest"}})
        resp = self.lam.invoke(FunctionName=name, Qualifier="1", InvocationType="Event", Payload=b"{}")
        self.assertEqual(resp["StatusCode"], 202)
        docs = harness.wait_until(lambda: read_records(out), timeout=10)
        self.assertTrue(docs, "the Event invocation did not run")
        self.assertEqual((docs[0]["env"]["CODE"], docs[0]["context"]["function_version"]), ("one", "1"))
        self.assertEqual(docs[0]["context"]["invoked_function_arn"], function_arn(name, "1"))


class RestartTests(VersionsTestBase):

    def test_versions_and_aliases_survive_restart(self):
        name = self.make_function("v1")
        self.lam.publish_version(FunctionName=name)
        self.update_code(name, "v2")
        self.lam.publish_version(FunctionName=name)
        self.lam.delete_function(FunctionName=name, Qualifier="2")
        self.update_code(name, "v3")
        alias = self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                                      RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertEqual(self.server.stop(), 0)
        self.server.restart()
        type(self).lam = lambda_client(self.server)
        type(self).sqs = self.server.client("sqs", read_timeout=60)
        self.assertEqual([v["Version"] for v in self.lam.list_versions_by_function(FunctionName=name)["Versions"]],
                         ["$LATEST", "1"])
        self.assertEqual(self.lam.get_alias(FunctionName=name, Name="live")["RevisionId"], alias["RevisionId"])
        self.assertEqual(self.ran(name, Qualifier="live"), ("v1", "1"))
        self.assertEqual(self.ran(name), ("v3", "$LATEST"))
        self.assertEqual(self.lam.publish_version(FunctionName=name)["Version"], "3", "numbers are not reused")


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class CliTests(VersionsTestBase):

    def test_cli_versions_and_aliases(self):
        name = self.make_function("v1")
        env = cli_env(self.tmpdir("sqsemu-cli-home-"))
        published, _ = run_cli(self.server, env, "lambda", "publish-version", "--function-name", name)
        self.assertEqual(published["Version"], "1")
        alias, _ = run_cli(self.server, env, "lambda", "create-alias", "--function-name", name, "--name", "live",
                           "--function-version", "1")
        self.assertEqual(alias["AliasArn"], function_arn(name, "live"))
        listed, _ = run_cli(self.server, env, "lambda", "list-aliases", "--function-name", name)
        self.assertEqual([a["Name"] for a in listed["Aliases"]], ["live"])
        versions, _ = run_cli(self.server, env, "lambda", "list-versions-by-function", "--function-name", name)
        self.assertEqual([v["Version"] for v in versions["Versions"]], ["$LATEST", "1"])
        outfile = os.path.join(self.tmpdir(), "out.json")
        result, _ = run_cli(self.server, env, "lambda", "invoke", "--function-name", name, "--qualifier", "live",
                            outfile)
        self.assertEqual(result["ExecutedVersion"], "1")
        with open(outfile) as f:
            self.assertEqual(json.load(f)["version"], "v1")
        run_cli(self.server, env, "lambda", "delete-alias", "--function-name", name, "--name", "live")
        _, proc = run_cli(self.server, env, "lambda", "get-alias", "--function-name", name, "--name", "live",
                          check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ResourceNotFoundException", proc.stderr)


if __name__ == "__main__":
    unittest.main()
