"""Lambda functions against a real sqsemu: the control plane, Invoke and the handler processes
behind it (docs/lambda-semantics.md, Functions; Execution; Invoke), with python, node and
`provided` (custom runtime) handlers from fixtures/handlers/.

Handlers report what they saw by writing JSON files into OUT_DIR; nothing is mocked.
"""
import base64
import json
import os
import threading
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError, ReadTimeoutError

from lambda_util import (ACCOUNT, AWS_CLI, CC, LAST_MODIFIED_RE, NODE, NODE_RUNTIME,
                         PROVIDED_RUNTIME, PY_RUNTIME, REGION, ROLE, UUID_RE,
                         LambdaTestCase, cli_env, copy_fixture, fixture_files, function_arn, lambda_client,
                         provided_zip, read_records, run_cli, sha256_b64, wait_records,
                         zip_bytes, zip_fixture)

NAME_PATTERN = (r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
                r"(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?")
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
BAD_ZIP_MESSAGE = "Could not unzip uploaded file. Please check your file, then try to upload again."


def not_found(name, qualifier=None):
    return "Function not found: " + function_arn(name, qualifier)


def version_source(version):
    files = fixture_files("py_version")
    text = files["app.py"][0].decode("utf-8")
    return text.replace('VERSION = "v1"', 'VERSION = "%s"' % version)


class FunctionControlPlaneTests(LambdaTestCase):
    """Create, read, list, update, delete, and their errors."""

    def test_create_function_defaults_and_reads(self):
        zipped = zip_fixture("py_recorder")
        name = self.unique("create")
        resp = self.create_function(name=name, zip_file=zipped, Tags={"team": "payments"})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(resp["FunctionName"], name)
        self.assertEqual(resp["FunctionArn"], function_arn(name))
        self.assertEqual(resp["Runtime"], PY_RUNTIME)
        self.assertEqual(resp["Role"], ROLE)
        self.assertEqual(resp["Handler"], "app.handler")
        self.assertEqual(resp["Timeout"], 3, "default Timeout")
        self.assertEqual(resp["MemorySize"], 128, "default MemorySize")
        self.assertEqual(resp["CodeSize"], len(zipped))
        self.assertEqual(resp["CodeSha256"], sha256_b64(zipped), "base64 SHA-256 of the zip")
        self.assertEqual(resp["Description"], "")
        self.assertEqual(resp["Version"], "$LATEST")
        self.assertEqual(resp["PackageType"], "Zip")
        self.assertEqual(resp["Architectures"], ["x86_64"])
        self.assertEqual(resp["EphemeralStorage"], {"Size": 512})
        self.assertEqual(resp["TracingConfig"], {"Mode": "PassThrough"})
        self.assertEqual(resp["LoggingConfig"]["LogGroup"], "/aws/lambda/" + name)
        self.assertEqual(resp["LoggingConfig"]["LogFormat"], "Text")
        self.assertRegex(resp["LastModified"], LAST_MODIFIED_RE)
        self.assertRegex(resp["RevisionId"], UUID_RE)
        self.assertIn(resp["State"], ("Active", "Pending"))

        got = self.lam.get_function(FunctionName=name)
        cfg = got["Configuration"]
        self.assertEqual(cfg["State"], "Active", "Active right after creation")
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        self.assertNotIn("StateReason", cfg)
        for key in ("FunctionName", "FunctionArn", "CodeSha256", "CodeSize", "Timeout", "MemorySize",
                    "Runtime", "Handler", "Role", "RevisionId", "LastModified", "Version"):
            self.assertEqual(cfg[key], resp[key], key)
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        self.assertTrue(got["Code"].get("Location"), "GetFunction Code.Location")
        try:
            with urllib.request.urlopen(got["Code"]["Location"], timeout=10) as r:
                served = r.read()
        except urllib.error.HTTPError as exc:
            self.fail("GetFunction Code.Location %s answers HTTP %d (sqsemu serves the stored zip there)"
                      % (got["Code"]["Location"], exc.code))
        self.assertEqual(served, zipped, "Code.Location serves the uploaded zip")
        self.assertEqual(got.get("Tags"), {"team": "payments"})

        conf = self.lam.get_function_configuration(FunctionName=name)
        conf.pop("ResponseMetadata")
        self.assertEqual(conf, cfg, "GetFunctionConfiguration returns GetFunction's Configuration")

    def test_environment_tags_and_options_echoed(self):
        name = self.unique("opts")
        resp = self.create_function(name=name, env={"TABLE": "orders"}, Timeout=30, MemorySize=256,
                                    Description="order processor")
        self.assertEqual(resp["Environment"], {"Variables": {"TABLE": "orders"}})
        self.assertEqual((resp["Timeout"], resp["MemorySize"], resp["Description"]),
                         (30, 256, "order processor"))
        got = self.lam.get_function(FunctionName=name)
        self.assertEqual(got["Configuration"]["Environment"], {"Variables": {"TABLE": "orders"}})
        self.assertNotIn("Tags", got, "Tags omitted when the function has none")

    def test_function_tags(self):
        name = self.unique("tags")
        arn = self.create_function(name=name, Tags={"team": "payments"})["FunctionArn"]
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"team": "payments"})
        self.lam.tag_resource(Resource=arn, Tags={"env": "dev", "team": "orders"})
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"team": "orders", "env": "dev"})
        self.lam.untag_resource(Resource=arn, TagKeys=["team"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"env": "dev"})
        self.assertEqual(self.lam.get_function(FunctionName=name).get("Tags"), {"env": "dev"})

    def test_function_name_forms_for_get(self):
        name = self.unique("forms")
        self.create_function(name=name)
        forms = [name, name + ":$LATEST",
                 "%s:function:%s" % (ACCOUNT, name), "%s:function:%s:$LATEST" % (ACCOUNT, name),
                 function_arn(name), function_arn(name, "$LATEST")]
        for form in forms:
            with self.subTest(form=form):
                got = self.lam.get_function(FunctionName=form)
                self.assertEqual(got["Configuration"]["FunctionName"], name)
                conf = self.lam.get_function_configuration(FunctionName=form)
                self.assertEqual(conf["FunctionName"], name)
        self.assertEqual(self.lam.get_function(FunctionName=name, Qualifier="$LATEST")
                         ["Configuration"]["FunctionName"], name)

    def test_qualifiers_regions_and_accounts(self):
        name = self.unique("qual")
        self.create_function(name=name)
        # no versions or aliases in sqsemu: a qualifier other than $LATEST is not found
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name, Qualifier="7"),
                               "ResourceNotFoundException", 404, message=not_found(name, "7"))
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name + ":live"),
                               "ResourceNotFoundException", 404, message=not_found(name, "live"))
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name, Qualifier="1"),
                               "ResourceNotFoundException", 404, message=not_found(name, "1"))
        # a qualifier in the name and a different ?Qualifier=
        self.assertLambdaError(
            lambda: self.lam.get_function(FunctionName=name + ":$LATEST", Qualifier="live"),
            "InvalidParameterValueException", 400,
            message="The derived qualifier from the function name does not match the specified qualifier.")
        # an ARN of another region
        other = "arn:aws:lambda:ap-southeast-1:%s:function:%s" % (ACCOUNT, name)
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=other),
                               "ResourceNotFoundException", 404,
                               message="Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')")
        # an ARN of another account
        foreign = "arn:aws:lambda:%s:111122223333:function:%s" % (REGION, name)
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=foreign),
                               "AccessDeniedException", 403)

    def test_function_name_forms_for_delete(self):
        # name:$LATEST is not among them: AWS's DeleteFunction refuses a $LATEST qualifier
        # ("you cannot specify $LATEST"; test_lambda_versions checks the error).
        forms = [lambda n: n, lambda n: "%s:function:%s" % (ACCOUNT, n), lambda n: function_arn(n)]
        for i, form in enumerate(forms):
            name = self.unique("del%d" % i)
            self.create_function(name=name)
            with self.subTest(form=form(name)):
                resp = self.lam.delete_function(FunctionName=form(name))
                self.assertIn(resp["ResponseMetadata"]["HTTPStatusCode"], (200, 204))
                self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name),
                                       "ResourceNotFoundException", 404, message=not_found(name))

    def test_invalid_function_names(self):
        bad = "bad!name"
        self.assertLambdaError(
            lambda: self.lam.get_function(FunctionName=bad), "ValidationException", 400,
            message="1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern: %s" % (bad, NAME_PATTERN))
        long_name = "f" * 65
        self.assertLambdaError(
            lambda: self.create_function(name=long_name, cleanup=False),
            "InvalidParameterValueException", 400,
            message="1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                    "constraint: Member must have length less than or equal to 64" % long_name)

    def test_list_functions_pages_with_max_items_and_marker(self):
        prefix = self.unique("list")
        names = ["%s-%d" % (prefix, i) for i in range(5)]
        for n in names:
            self.create_function(name=n)
        seen, marker, pages = [], None, 0
        while True:
            params = {"MaxItems": 2}
            if marker:
                params["Marker"] = marker
            page = self.lam.list_functions(**params)
            pages += 1
            self.assertLessEqual(len(page["Functions"]), 2)
            seen += [f["FunctionName"] for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
            self.assertLess(pages, 100, "NextMarker never ends")
        self.assertEqual(len(seen), len(set(seen)), "a function listed twice across pages")
        self.assertEqual(sorted(n for n in seen if n.startswith(prefix)), names)
        self.assertGreaterEqual(pages, 3)

        via_paginator = []
        for page in self.lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
            via_paginator += [f for f in page["Functions"] if f["FunctionName"].startswith(prefix)]
        self.assertEqual(sorted(f["FunctionName"] for f in via_paginator), names)
        item = via_paginator[0]
        self.assertEqual(item["FunctionArn"], function_arn(item["FunctionName"]))
        self.assertEqual(item["Runtime"], PY_RUNTIME)
        self.assertEqual(item["Version"], "$LATEST")

        everything = self.lam.list_functions(FunctionVersion="ALL", MaxItems=50)
        self.assertTrue(any(f["FunctionName"] == names[0] for f in everything["Functions"])
                        or "NextMarker" in everything)
        self.assertLambdaError(
            lambda: self.lam.list_functions(FunctionVersion="invalid"), "ValidationException", 400,
            message="1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy "
                    "constraint: Member must satisfy enum value set: [ALL]")

    def test_update_function_code_takes_effect_on_next_invoke(self):
        name = self.unique("code")
        v1 = zip_bytes({"app.py": version_source("v1")})
        self.create_function(name=name, zip_file=v1)
        _, _, out = self.invoke(name)
        self.assertEqual(out["version"], "v1")
        before = self.lam.get_function_configuration(FunctionName=name)

        v2 = zip_bytes({"app.py": version_source("v2")})
        upd = self.lam.update_function_code(FunctionName=name, ZipFile=v2)
        self.assertEqual(upd["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(upd["CodeSha256"], sha256_b64(v2))
        self.assertEqual(upd["CodeSize"], len(v2))
        self.assertNotEqual(upd["RevisionId"], before["RevisionId"])
        self.assertIn(upd.get("LastUpdateStatus"), ("Successful", "InProgress"))
        after = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual((after["State"], after["LastUpdateStatus"]), ("Active", "Successful"))
        self.assertEqual(after["CodeSha256"], sha256_b64(v2))
        _, _, out = self.invoke(name)
        self.assertEqual(out["version"], "v2", "new code must serve the next invocation")

        # DryRun validates only
        v3 = zip_bytes({"app.py": version_source("v3")})
        self.lam.update_function_code(FunctionName=name, ZipFile=v3, DryRun=True)
        self.assertEqual(self.lam.get_function_configuration(FunctionName=name)["CodeSha256"], sha256_b64(v2))
        self.assertEqual(self.invoke(name)[2]["version"], "v2")

        # RevisionId preconditions
        self.assertLambdaError(
            lambda: self.lam.update_function_code(FunctionName=name, ZipFile=v3,
                                                  RevisionId="00000000-0000-4000-8000-000000000000"),
            "PreconditionFailedException", 412,
            message="The Revision Id provided does not match the latest Revision Id. Call the "
                    "GetFunction/GetAlias API to retrieve the latest Revision Id")
        ok = self.lam.update_function_code(FunctionName=name, ZipFile=v3, RevisionId=after["RevisionId"])
        self.assertEqual(ok["CodeSha256"], sha256_b64(v3))
        self.assertEqual(self.invoke(name)[2]["version"], "v3")

        self.assertLambdaError(lambda: self.lam.update_function_code(FunctionName=name, ZipFile=b"not a zip"),
                               "InvalidParameterValueException", 400, message=BAD_ZIP_MESSAGE)
        self.assertEqual(self.invoke(name)[2]["version"], "v3", "a rejected update changes nothing")

    def test_update_function_configuration_replaces_environment(self):
        out = self.out_dir()
        name = self.unique("conf")
        self.create_function(name=name, env={"OUT_DIR": out, "FIRST": "1", "SECOND": "2"})
        _, _, first = self.invoke(name, {"action": "echo"})
        first_pid = first["state"]["pid"]
        upd = self.lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"OUT_DIR": out, "THIRD": "3"}},
            Timeout=5, MemorySize=256, Description="changed")
        self.assertEqual(upd["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(upd["Environment"], {"Variables": {"OUT_DIR": out, "THIRD": "3"}})
        self.assertEqual((upd["Timeout"], upd["MemorySize"], upd["Description"]), (5, 256, "changed"))
        conf = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual(conf["Environment"], {"Variables": {"OUT_DIR": out, "THIRD": "3"}},
                         "Environment.Variables replaces the whole map")
        self.assertEqual(conf["LastUpdateStatus"], "Successful")

        _, _, second = self.invoke(name, {"action": "echo"})
        self.assertNotEqual(second["state"]["pid"], first_pid, "warm processes are recycled")
        self.assertEqual(second["context"]["memory_limit_in_mb"], "256")
        self.assertGreater(second["context"]["remaining_ms"], 3000, "the new 5 s timeout applies")
        self.assertLessEqual(second["context"]["remaining_ms"], 5000)
        env = read_records(out)[-1]["env"]
        self.assertNotIn("FIRST", env)
        self.assertNotIn("SECOND", env)
        self.assertEqual(env["THIRD"], "3")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")

        self.assertLambdaError(lambda: self.lam.update_function_configuration(FunctionName=name, Role="r1"),
                               "ValidationException", 400,
                               message="1 validation error detected: Value 'r1' at 'role' failed to satisfy "
                                       "constraint: Member must satisfy regular expression pattern: " + ROLE_PATTERN)
        self.assertLambdaError(lambda: self.lam.update_function_configuration(FunctionName=name, Runtime="cobol85"),
                               "InvalidParameterValueException", 400,
                               message_prefix="Value cobol85 at 'runtime' failed to satisfy constraint")

    def test_delete_function_then_not_found(self):
        name = self.unique("gone")
        self.create_function(name=name)
        resp = self.lam.delete_function(FunctionName=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204, "DeleteFunction answers 204")
        for call in (lambda: self.lam.get_function(FunctionName=name),
                     lambda: self.lam.get_function_configuration(FunctionName=name),
                     lambda: self.lam.delete_function(FunctionName=name),
                     lambda: self.lam.delete_function(FunctionName=name + ":$LATEST"),
                     lambda: self.lam.update_function_configuration(FunctionName=name, Timeout=10),
                     lambda: self.lam.update_function_code(FunctionName=name, ZipFile=zip_fixture("py_version"))):
            self.assertLambdaError(call, "ResourceNotFoundException", 404, message=not_found(name))
        # Invoke names the qualifier, $LATEST when none was given
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name), "ResourceNotFoundException", 404,
                               message=not_found(name, "$LATEST"))
        listed = [f["FunctionName"] for p in self.lam.get_paginator("list_functions").paginate()
                  for f in p["Functions"]]
        self.assertNotIn(name, listed)
        # the name can be used again
        again = self.create_function(name=name)
        self.assertEqual(again["ResponseMetadata"]["HTTPStatusCode"], 201)

    def test_create_function_errors(self):
        name = self.unique("err")
        self.assertLambdaError(
            lambda: self.create_function(name=name, Role="r1", cleanup=False), "ValidationException", 400,
            message="1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: "
                    "Member must satisfy regular expression pattern: " + ROLE_PATTERN)
        exc = self.assertLambdaError(
            lambda: self.create_function(name=name, runtime="PYTHON3.9", cleanup=False),
            "InvalidParameterValueException", 400,
            message_prefix="Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [")
        self.assertTrue(exc.response["Error"]["Message"].endswith("] or be a valid ARN"))
        self.assertIn("python3.12", exc.response["Error"]["Message"])
        self.assertLambdaError(
            lambda: self.create_function(name=name, Architectures=["x86_64", "arm64"], cleanup=False),
            "ValidationException", 400,
            message="1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to "
                    "satisfy constraint: Member must have length less than or equal to 1")
        self.assertLambdaError(
            lambda: self.create_function(name=name, Architectures=["X86_64"], cleanup=False),
            "ValidationException", 400,
            message="1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy "
                    "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                    "[x86_64, arm64], Member must not be null]")
        self.assertLambdaError(lambda: self.create_function(name=name, zip_file=b"PK\x03\x04 broken", cleanup=False),
                               "InvalidParameterValueException", 400, message=BAD_ZIP_MESSAGE)
        self.assertLambdaError(lambda: self.create_function(name=name, zip_file=b"plain text", cleanup=False),
                               "InvalidParameterValueException", 400, message=BAD_ZIP_MESSAGE)
        self.assertLambdaError(
            lambda: self.lam.create_function(FunctionName=name, Role=ROLE, Handler="app.handler",
                                             Code={"ZipFile": zip_fixture("py_version")}),
            "InvalidParameterValueException", 400)  # Zip package without Runtime
        exc = self.assertLambdaError(
            lambda: self.create_function(name=name, env={"AWS_REGION": "eu-west-1"}, cleanup=False),
            "InvalidParameterValueException", 400,
            message_prefix="Lambda was unable to configure your environment variables because the "
                           "environment variables you have provided contains reserved keys")
        self.assertIn("AWS_REGION", exc.response["Error"]["Message"])
        self.assertLambdaError(
            lambda: self.create_function(name=name, env={"BIG": "x" * 5000}, cleanup=False),
            "InvalidParameterValueException", 400,
            message_prefix="Lambda was unable to configure your environment variables because the "
                           "environment variables you have provided exceeded the 4KB limit.")
        # there is no S3: the only bucket is hot-reload
        self.assertLambdaError(
            lambda: self.create_function(name=name, code={"S3Bucket": "no-such-bucket", "S3Key": "fn.zip"}, cleanup=False),
            "InvalidParameterValueException", 400, message_prefix="Error occurred while GetObject.")
        # none of the rejected requests created anything
        self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name),
                               "ResourceNotFoundException", 404, message=not_found(name))

        self.create_function(name=name)
        self.assertLambdaError(lambda: self.create_function(name=name, cleanup=False),
                               "ResourceConflictException", 409, message="Function already exist: " + name)

    def test_missing_function_errors(self):
        name = self.unique("missing")
        for call in (lambda: self.lam.get_function(FunctionName=name),
                     lambda: self.lam.get_function_configuration(FunctionName=name),
                     lambda: self.lam.get_function(FunctionName=function_arn(name))):
            self.assertLambdaError(call, "ResourceNotFoundException", 404, message=not_found(name))

    def test_error_wire_shape(self):
        name = self.unique("wire")
        status, hdrs, body = self.raw_json("GET", "/2015-03-31/functions/" + name)
        self.assertEqual(status, 404)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "ResourceNotFoundException")
        self.assertTrue(hdrs.get("content-type", "").startswith("application/json"))
        self.assertTrue(hdrs.get("x-amzn-requestid"), "x-amzn-RequestId on errors")
        self.assertEqual(body, {"Type": "User", "Message": not_found(name)},
                         "ResourceNotFoundException spells it Message")

        create = {"FunctionName": name, "Runtime": PY_RUNTIME, "Role": ROLE, "Handler": "app.handler",
                  "Code": {"ZipFile": base64.b64encode(b"not a zip").decode()}}
        status, hdrs, body = self.raw_json("POST", "/2015-03-31/functions", create)
        self.assertEqual(status, 400)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "InvalidParameterValueException")
        self.assertEqual(body, {"Type": "User", "message": BAD_ZIP_MESSAGE},
                         "InvalidParameterValueException spells it message")

        status, hdrs, body = self.raw_json("POST", "/2015-03-31/functions", dict(create, Role="r1"))
        self.assertEqual(status, 400)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "ValidationException")
        self.assertIn("message", body)
        self.assertNotIn("Message", body)

        create["Code"]["ZipFile"] = base64.b64encode(zip_fixture("py_version")).decode()
        status, hdrs, body = self.raw_json("POST", "/2015-03-31/functions", create)
        self.addCleanup(self._delete_function_quietly, name)
        self.assertEqual(status, 201, "an unsigned request works (no --auth)")
        self.assertTrue(hdrs.get("x-amzn-requestid"))
        self.assertIsInstance(body["MemorySize"], int)
        self.assertIsInstance(body["LastModified"], str)
        status, hdrs, body = self.raw_json("POST", "/2015-03-31/functions", create)
        self.assertEqual(status, 409)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "ResourceConflictException")
        self.assertEqual(body, {"Type": "User", "message": "Function already exist: " + name})

        # percent-encoded ARN label and trailing-slash collection path
        status, _, body = self.raw_json("GET", "/2015-03-31/functions/" + function_arn(name).replace(":", "%3A")
                                        + "?Qualifier=%24LATEST")
        self.assertEqual(status, 200)
        self.assertEqual(body["Configuration"]["FunctionName"], name)
        status, _, body = self.raw_json("GET", "/2015-03-31/functions/")
        self.assertEqual(status, 200)
        self.assertIn("Functions", body)

    def test_waiters_finish_immediately(self):
        name = self.unique("wait")
        self.create_function(name=name)
        for waiter in ("function_exists", "function_active", "function_active_v2",
                       "function_updated", "function_updated_v2"):
            with self.subTest(waiter=waiter):
                t0 = time.monotonic()
                self.lam.get_waiter(waiter).wait(FunctionName=name, WaiterConfig={"Delay": 5, "MaxAttempts": 2})
                self.assertLess(time.monotonic() - t0, 2.0,
                                "the first poll must already succeed: Active and Successful at once")
        self.lam.update_function_configuration(FunctionName=name, Description="after update")
        t0 = time.monotonic()
        self.lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 5, "MaxAttempts": 2})
        self.assertLess(time.monotonic() - t0, 2.0)


class InvokeTests(LambdaTestCase):
    """Invoke and the lifecycle of execution environments, with the python recorder fixture."""

    def recorder(self, **kwargs):
        out = self.out_dir()
        env = {"OUT_DIR": out}
        env.update(kwargs.pop("env", {}))
        name = self.create_function(env=env, **kwargs)["FunctionName"]
        return name, out

    def test_request_response_echoes_payload(self):
        name, out = self.recorder()
        payload = {"action": "echo", "n": 1, "text": "h\u00e9llo \u2603", "nested": {"list": [1, 2, None]}}
        resp, raw, body = self.invoke(name, payload)
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(resp.get("ExecutedVersion"), "$LATEST")
        self.assertEqual(body["event"], payload)
        request_id = resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")
        self.assertEqual(body["context"]["aws_request_id"], request_id,
                         "the Invoke request id is the invocation's request id")
        self.assertRegex(request_id, UUID_RE)
        self.assertEqual(body["context"]["invoked_function_arn"], function_arn(name))
        self.assertEqual(body["context"]["function_name"], name)
        self.assertEqual(body["context"]["function_version"], "$LATEST")
        self.assertEqual(body["context"]["log_group_name"], "/aws/lambda/" + name)
        self.assertGreater(body["context"]["remaining_ms"], 0)
        self.assertLessEqual(body["context"]["remaining_ms"], 3000)

        # other name forms and the invoked ARN the handler sees
        for form, arn in ((name + ":$LATEST", function_arn(name, "$LATEST")),
                          (function_arn(name), function_arn(name)),
                          ("%s:function:%s" % (ACCOUNT, name), function_arn(name))):
            with self.subTest(form=form):
                resp, _, body = self.invoke(form, {"action": "echo"})
                self.assertEqual(resp["StatusCode"], 200)
                self.assertEqual(body["context"]["invoked_function_arn"], arn)
        resp, _, body = self.invoke(name, {"action": "echo"}, Qualifier="$LATEST")
        self.assertEqual(body["context"]["invoked_function_arn"], function_arn(name, "$LATEST"))

    def test_result_bytes_verbatim(self):
        name, _ = self.recorder()
        for value in ("a string", 42, [1, "two"], None, {"k": {"deep": True}}):
            with self.subTest(value=value):
                resp, raw, body = self.invoke(name, {"action": "return", "value": value})
                self.assertEqual(resp["StatusCode"], 200)
                self.assertEqual(json.loads(raw), value)

    def test_empty_payload_delivers_empty_object(self):
        name, out = self.recorder()
        resp, raw, _ = self.invoke(name)
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(raw, b"null", "a Python handler returning None yields null")
        self.assertEqual(read_records(out)[-1]["event"], {})

    def test_invalid_json_payload_rejected(self):
        name, out = self.recorder()
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name, Payload=b"{not json"),
                               "InvalidRequestContentException", 400,
                               message_prefix="Could not parse request body into json: Could not parse payload into json")
        self.assertEqual(read_records(out), [])

    def test_event_invocation_runs_later(self):
        name, out = self.recorder()
        resp, raw, _ = self.invoke(name, {"action": "echo", "async": True}, InvocationType="Event")
        self.assertEqual(resp["StatusCode"], 202)
        self.assertEqual(raw, b"")
        docs = wait_records(out, 1, timeout=10)
        self.assertEqual(len(docs), 1, "the Event invocation never ran")
        self.assertEqual(docs[0]["event"], {"action": "echo", "async": True})

    def test_dry_run_does_not_invoke(self):
        name, out = self.recorder()
        resp, raw, _ = self.invoke(name, {"action": "echo"}, InvocationType="DryRun")
        self.assertEqual(resp["StatusCode"], 204)
        self.assertEqual(raw, b"")
        # Time passing, not a wait on server state: nothing reports "will not invoke", so a wrong
        # DryRun invocation is given 1 s to leave its record.
        time.sleep(1.0)
        self.assertEqual(read_records(out), [])

    def test_function_error_is_200_unhandled(self):
        name, _ = self.recorder()
        resp, raw, body = self.invoke(name, {"action": "raise", "message": "kaboom"})
        self.assertEqual(resp["StatusCode"], 200, "function errors keep HTTP 200")
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorMessage"], "kaboom")
        self.assertEqual(body["errorType"], "ValueError")
        self.assertIsInstance(body.get("stackTrace"), list)
        # the environment survives a handled exception
        resp, _, body = self.invoke(name, {"action": "echo"})
        self.assertNotIn("FunctionError", resp)

    def test_log_tail(self):
        name, _ = self.recorder()
        marker = "marker-%s" % self.unique("log")
        resp, _, _ = self.invoke(name, {"action": "print", "text": marker}, LogType="Tail")
        request_id = resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        self.assertIn("LogResult", resp)
        log = base64.b64decode(resp["LogResult"]).decode("utf-8")
        start = log.find("START RequestId: %s Version: $LATEST" % request_id)
        mark = log.find(marker)
        end = log.find("END RequestId: %s" % request_id)
        report = log.find("REPORT RequestId: %s" % request_id)
        self.assertTrue(0 <= start < mark < end < report, "START, output, END, REPORT in order:\n" + log)
        report_line = log[report:].splitlines()[0]
        for part in ("Duration: ", "Billed Duration: ", "Memory Size: 128 MB", "Max Memory Used: "):
            self.assertIn(part, report_line)

        resp, _, _ = self.invoke(name, {"action": "echo"})
        self.assertNotIn("LogResult", resp, "no log without LogType Tail")

        big = "y" * 300000  # more than a pipe buffer: sqsemu must keep draining the output
        resp, _, _ = self.invoke(name, {"action": "print", "text": big}, LogType="Tail")
        self.assertNotIn("FunctionError", resp)
        log = base64.b64decode(resp["LogResult"])
        self.assertLessEqual(len(log), 4096, "only the last 4 KB")
        self.assertGreater(len(log), 3000)
        self.assertIn(b"REPORT RequestId: ", log)

    def test_warm_environment_is_reused(self):
        name, _ = self.recorder()
        _, _, first = self.invoke(name, {"action": "state"})
        _, _, second = self.invoke(name, {"action": "state"})
        self.assertEqual(first["pid"], second["pid"], "a warm environment serves the next invocation")
        self.assertEqual(second["invocations"], first["invocations"] + 1)

    def test_timeout_is_sandbox_timedout(self):
        name, _ = self.recorder(Timeout=1)
        _, _, warm = self.invoke(name, {"action": "state"})
        t0 = time.monotonic()
        resp, _, body = self.invoke(name, {"action": "sleep", "seconds": 3})
        elapsed = time.monotonic() - t0
        request_id = resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Sandbox.Timedout")
        self.assertIn("Task timed out after 1.00 seconds", body["errorMessage"])
        self.assertIn(request_id, body["errorMessage"])
        self.assertLess(elapsed, 2.9, "the invocation must end at its deadline, not when the handler does")
        resp, _, after = self.invoke(name, {"action": "state"})
        self.assertNotIn("FunctionError", resp)
        self.assertNotEqual(after["pid"], warm["pid"], "a timed-out runtime is replaced")
        self.assertEqual(after["invocations"], 1)

    def test_crash_is_runtime_exit_error(self):
        name, _ = self.recorder()
        t0 = time.monotonic()
        resp, _, body = self.invoke(name, {"action": "exit", "code": 3})
        self.assertLess(time.monotonic() - t0, 2.5, "a crash is reported at once, not at the deadline")
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.assertIn("exit status 3", body["errorMessage"])
        resp, _, body = self.invoke(name, {"action": "state"})
        self.assertNotIn("FunctionError", resp, "the next invocation cold-starts a new runtime")
        self.assertEqual(body["invocations"], 1)

    def test_init_errors_are_reported(self):
        cases = [
            ("bad_import.handler", "Runtime.ImportModuleError", "Unable to import module 'bad_import'"),
            ("bad_init.handler", "Exception", "Runtime startup fails"),
            ("fine.missing", "Runtime.HandlerNotFound", None),
        ]
        for handler, error_type, text in cases:
            with self.subTest(handler=handler):
                name = self.create_function(fixture="py_init_error", handler=handler)["FunctionName"]
                for attempt in (1, 2):  # every invocation cold-starts and fails the same way
                    t0 = time.monotonic()
                    resp, _, body = self.invoke(name, {"attempt": attempt})
                    self.assertLess(time.monotonic() - t0, 5.0)
                    self.assertEqual(resp["StatusCode"], 200)
                    self.assertEqual(resp.get("FunctionError"), "Unhandled")
                    self.assertEqual(body.get("errorType"), error_type, body)
                    if text:
                        self.assertIn(text, body.get("errorMessage", ""))
        name = self.create_function(fixture="py_init_error", handler="fine.handler")["FunctionName"]
        self.assertEqual(self.invoke(name)[2], "fine")

    def test_invoke_accepts_any_content_type(self):
        # any Content-Type is accepted: boto3 sends none, JS v3 application/octet-stream, JS v2 binary/octet-stream
        name, _ = self.recorder()
        path = "/2015-03-31/functions/%s/invocations" % name
        for ctype in (None, "application/octet-stream", "binary/octet-stream", "text/plain", "application/json"):
            with self.subTest(content_type=ctype):
                headers = {"Content-Type": ctype} if ctype else {}
                status, hdrs, raw = self.server.raw("POST", path, b'{"action": "echo", "ct": 1}', headers)
                self.assertEqual(status, 200, raw)
                self.assertEqual(json.loads(raw)["event"], {"action": "echo", "ct": 1})
                self.assertEqual(hdrs.get("x-amz-executed-version"), "$LATEST")
                self.assertNotIn("x-amz-function-error", hdrs)

    def test_request_payload_too_large(self):
        name, out = self.recorder()
        payload = json.dumps({"action": "echo", "pad": "p" * 6400000})
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name, Payload=payload),
                               "RequestTooLargeException", 413)
        self.assertEqual(read_records(out), [])

    def test_response_too_large(self):
        name, _ = self.recorder(Timeout=10)
        lam = lambda_client(self.server, read_timeout=15)
        resp = lam.invoke(FunctionName=name, Payload=json.dumps({"action": "big", "size": 6400000}))
        body = json.loads(resp["Payload"].read())
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Function.ResponseSizeTooLarge")
        self.assertIn("6291556", body["errorMessage"])
        resp = lam.invoke(FunctionName=name, Payload=json.dumps({"action": "big", "size": 6000000}))
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(len(json.loads(resp["Payload"].read())), 6000000)

    def test_large_responses_always_arrive(self):
        # the runtime's bytes go back verbatim, up to 6 MB. Every response must reach
        # the caller promptly (a 15 s read timeout, no retry).
        name, _ = self.recorder(Timeout=10)
        lam = lambda_client(self.server, read_timeout=15)
        for i, size in enumerate([600000, 1000000, 3000000, 6000000] * 10):
            t0 = time.monotonic()
            try:
                resp = lam.invoke(FunctionName=name, Payload=json.dumps({"action": "big", "size": size}))
                data = resp["Payload"].read()
            except ReadTimeoutError:
                self.fail("invocation %d: the %d-byte response never arrived (waited %.0fs)"
                          % (i, size, time.monotonic() - t0))
            self.assertNotIn("FunctionError", resp)
            self.assertEqual(len(data), size + 2)

    def test_concurrent_invocations_get_separate_environments(self):
        name, _ = self.recorder()
        self.invoke(name, {"action": "state"})  # one warm environment already
        results = [None] * 3

        def call(i):
            results[i] = self.invoke(name, {"action": "sleep", "seconds": 1})

        threads = [threading.Thread(target=call, args=(i,), daemon=True) for i in range(3)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        elapsed = time.monotonic() - t0
        self.assertTrue(all(r is not None for r in results), "an invocation never returned")
        for resp, _, body in results:
            self.assertNotIn("FunctionError", resp, body)
        pids = {body["state"]["pid"] for _, _, body in results}
        self.assertEqual(len(pids), 3, "one environment runs one invocation at a time")
        self.assertLess(elapsed, 2.8, "the three invocations must run in parallel")

    def test_in_flight_invocation_survives_update_and_delete(self):
        name, _ = self.recorder()
        result = {}

        def slow():
            result["r"] = self.invoke(name, {"action": "sleep", "seconds": 1})

        before = self.server.parked_requests()
        t = threading.Thread(target=slow, daemon=True)
        t.start()
        self.server.wait_parked(before + 1)  # the invocation is in flight
        self.lam.update_function_code(FunctionName=name, ZipFile=zip_bytes({"app.py": version_source("v9")}))
        t.join(10)
        resp, _, body = result["r"]
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body["event"], {"action": "sleep", "seconds": 1},
                         "finished on the old code: a busy environment stops after its invocation")
        self.assertEqual(self.invoke(name)[2]["version"], "v9")

        name, _ = self.recorder()
        self.invoke(name, {"action": "state"})
        result.clear()
        before = self.server.parked_requests()
        t = threading.Thread(target=slow, daemon=True)
        t.start()
        self.server.wait_parked(before + 1)  # the invocation is in flight
        self.lam.delete_function(FunctionName=name)
        t.join(10)
        self.assertIn("r", result, "the in-flight invocation never returned")
        resp, _, body = result["r"]
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp, "an in-flight invocation finishes after DeleteFunction")

    def test_stdout_and_stderr_in_log_tail(self):
        name, _ = self.recorder()
        resp, _, _ = self.invoke(name, {"action": "print", "text": "to-stdout-1", "stderr": "to-stderr-2"},
                                 LogType="Tail")
        log = base64.b64decode(resp["LogResult"]).decode("utf-8")
        self.assertIn("to-stdout-1", log)
        self.assertIn("to-stderr-2", log)

    def test_handler_in_a_subdirectory(self):
        name = self.create_function(fixture="py_nested", handler="src/handlers/app.handler")["FunctionName"]
        resp, _, body = self.invoke(name, {})
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body, {"module": "src.handlers.app", "helper": "helper"},
                         "'/' in the module part becomes '.'")

    def test_hot_reload_directory(self):
        code_dir = copy_fixture("py_version", os.path.join(self.tmpdir(), "code"))
        name = self.create_function(fixture=None, code={"S3Bucket": "hot-reload", "S3Key": code_dir})["FunctionName"]
        resp, _, body = self.invoke(name)
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body["version"], "v1")
        self.assertEqual(os.path.realpath(body["task_root"]), os.path.realpath(code_dir),
                         "a hot-reload directory is used in place")
        with open(os.path.join(code_dir, "app.py"), "w") as f:
            f.write(version_source("v2"))
        # force a cold start: a configuration update recycles warm environments
        self.lam.update_function_configuration(FunctionName=name, Description="reload")
        self.assertEqual(self.invoke(name)[2]["version"], "v2", "edited code must be read on the next cold start")
        with open(os.path.join(code_dir, "app.py"), "w") as f:
            f.write(version_source("v3"))
        self.lam.update_function_configuration(FunctionName=name, Description="reload again")
        self.assertEqual(self.invoke(name)[2]["version"], "v3")

    def test_unsupported_runtime_rejected_at_create(self):
        name = self.unique("java")
        try:
            self.create_function(name=name, runtime="java21", handler="example.Handler::handleRequest")
        except ClientError as exc:
            code, message, status = (exc.response["Error"].get("Code"), exc.response["Error"].get("Message"),
                                     exc.response["ResponseMetadata"]["HTTPStatusCode"])
            self.assertIn(status, (400, 502), (code, message))
            self.assertIn("java21", message or "", "the error must name the runtime")
        else:
            self.fail("creating a java21 function must fail: sqsemu cannot run it")

    def test_image_package_cannot_run(self):
        # an image function is either refused with a clear error at create time,
        # or stored and then refused at invoke time with 502 InvalidRuntimeException.
        name = self.unique("image")
        try:
            resp = self.lam.create_function(
                FunctionName=name, Role=ROLE, PackageType="Image",
                Code={"ImageUri": "%s.dkr.ecr.%s.amazonaws.com/repo:latest" % (ACCOUNT, REGION)})
        except ClientError as exc:
            status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
            self.assertIn(status, (400, 502), exc.response["Error"])
            self.assertTrue(exc.response["Error"].get("Message"), "the refusal must say why")
            return
        self.addCleanup(self._delete_function_quietly, name)
        self.assertEqual(resp["PackageType"], "Image")
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name), "InvalidRuntimeException", 502)

    def test_handler_calls_sqs_through_endpoint_url(self):
        url, _ = self.queue("from-lambda")
        name = self.create_function(fixture="py_sqs_sender", Timeout=15)["FunctionName"]
        resp, _, body = self.invoke(name, {"queue_url": url, "body": "sent by a handler"})
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body["endpoint"], self.server.endpoint)
        msgs = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                        WaitTimeSeconds=2).get("Messages", [])
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["MessageId"], body["MessageId"])
        self.assertEqual(msgs[0]["Body"], "sent by a handler")
        self.assertEqual(msgs[0]["MessageAttributes"]["From"]["StringValue"], name)


# Variables a handler may see: the table in docs/lambda-semantics.md, The handler's environment,
# and the X-Ray and trace variables AWS also sets. Any other variable of the test process must
# not reach handlers.
DOCUMENTED_ENV = {
    "AWS_LAMBDA_RUNTIME_API", "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_XRAY_CONTEXT_MISSING",
    "AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT",
    "_X_AMZN_TRACE_ID", "TZ", "LANG", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "NODE_PATH",
    "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_TIMEOUT",
}
# Set by a shell or a pyenv shim that may stand between sqsemu and the interpreter.
SHELL_ENV = {"PWD", "OLDPWD", "SHLVL", "_"}
LEAK = "SQSEMU_TEST_LEAK"


class HandlerEnvironmentTests(LambdaTestCase):
    """Exactly the documented environment, the user's variables, nothing of ours."""

    @classmethod
    def setUpClass(cls):
        os.environ[LEAK] = "1"
        try:
            super().setUpClass()  # the server inherits the marker
        finally:
            del os.environ[LEAK]

    def check_environment(self, env, name, runtime, handler, memory="256"):
        self.assertRegex(env.get("AWS_LAMBDA_RUNTIME_API", ""), r"^127\.0\.0\.1:\d+$")
        self.assertEqual(env.get("_HANDLER"), handler)
        root = env.get("LAMBDA_TASK_ROOT", "")
        self.assertTrue(os.path.isabs(root), root)
        self.assertTrue(os.path.isdir(root), root)
        self.assertEqual(env.get("AWS_LAMBDA_FUNCTION_NAME"), name)
        self.assertEqual(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), memory)
        self.assertEqual(env.get("AWS_LAMBDA_FUNCTION_VERSION"), "$LATEST")
        self.assertEqual(env.get("AWS_LAMBDA_INITIALIZATION_TYPE"), "on-demand")
        self.assertEqual(env.get("AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/" + name)
        self.assertRegex(env.get("AWS_LAMBDA_LOG_STREAM_NAME", ""), r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]+$")
        self.assertEqual(env.get("AWS_REGION"), REGION)
        self.assertEqual(env.get("AWS_DEFAULT_REGION"), REGION)
        self.assertEqual(env.get("TZ"), ":UTC")
        self.assertEqual(env.get("LANG"), "en_US.UTF-8")
        self.assertEqual(env.get("AWS_ENDPOINT_URL"), self.server.endpoint)
        self.assertTrue(env.get("AWS_ACCESS_KEY_ID"))
        self.assertTrue(env.get("AWS_SECRET_ACCESS_KEY"))
        if runtime.startswith("provided"):
            self.assertNotIn("AWS_EXECUTION_ENV", env, "absent for provided runtimes")
        else:
            self.assertEqual(env.get("AWS_EXECUTION_ENV"), "AWS_Lambda_" + runtime)
        self.assertEqual(env.get("USER_VAR"), "hello world")
        for forbidden in (LEAK, "_LAMBDA_TELEMETRY_LOG_FD", "AWS_LAMBDA_MAX_CONCURRENCY"):
            self.assertNotIn(forbidden, env)
        leaked = sorted(k for k in os.environ
                        if env.get(k) == os.environ[k] and k not in DOCUMENTED_ENV and k not in SHELL_ENV
                        and not k.startswith(("PYENV", "_PYENV")))
        self.assertEqual(leaked, [], "variables of the process that started sqsemu reached the handler")
        return root

    def test_python_handler_environment(self):
        out = self.out_dir()
        name = self.create_function(env={"OUT_DIR": out, "USER_VAR": "hello world"}, MemorySize=256,
                                    Timeout=7)["FunctionName"]
        resp, _, body = self.invoke(name, {"action": "echo"})
        self.assertNotIn("FunctionError", resp, body)
        doc = read_records(out)[-1]
        root = self.check_environment(doc["env"], name, PY_RUNTIME, "app.handler")
        self.assertTrue(os.path.isfile(os.path.join(root, "app.py")), "the unpacked code is the task root")
        self.assertEqual(os.path.realpath(doc["cwd"]), os.path.realpath(root), "cwd = LAMBDA_TASK_ROOT")
        ctx = doc["context"]
        self.assertEqual(ctx["function_name"], name)
        self.assertEqual(ctx["memory_limit_in_mb"], "256")
        self.assertEqual(ctx["invoked_function_arn"], function_arn(name))
        self.assertRegex(ctx["aws_request_id"], UUID_RE)
        self.assertEqual(ctx["log_stream_name"], doc["env"]["AWS_LAMBDA_LOG_STREAM_NAME"])
        self.assertTrue(0 < ctx["remaining_ms"] <= 7000)

    @unittest.skipIf(NODE is None, "node is not installed")
    def test_node_handler_environment(self):
        out = self.out_dir()
        name = self.create_function(fixture="node_cjs", handler="index.handler", runtime=NODE_RUNTIME,
                                    env={"OUT_DIR": out, "USER_VAR": "hello world"}, MemorySize=256)["FunctionName"]
        resp, _, body = self.invoke(name, {"k": 1})
        self.assertNotIn("FunctionError", resp, body)
        doc = read_records(out)[-1]
        root = self.check_environment(doc["env"], name, NODE_RUNTIME, "index.handler")
        self.assertTrue(os.path.isfile(os.path.join(root, "index.js")))

    @unittest.skipIf(CC is None, "no C compiler")
    def test_provided_handler_environment(self):
        out = self.out_dir()
        name = self.create_function(zip_file=provided_zip(), runtime=PROVIDED_RUNTIME, handler="echo",
                                    env={"OUT_DIR": out, "USER_VAR": "hello world"}, MemorySize=256)["FunctionName"]
        resp, _, body = self.invoke(name, {"k": 1})
        self.assertNotIn("FunctionError", resp, body)
        root = self.check_environment(body["env"], name, PROVIDED_RUNTIME, "echo")
        self.assertTrue(os.access(os.path.join(root, "bootstrap"), os.X_OK), "bootstrap keeps its exec bit")


@unittest.skipIf(NODE is None, "node is not installed")
class NodeHandlerTests(LambdaTestCase):
    """Node.js handlers: CommonJS (async and callback), ES modules, errors."""

    def test_commonjs_async_handler(self):
        name = self.create_function(fixture="node_cjs", handler="index.handler", runtime=NODE_RUNTIME)["FunctionName"]
        resp, _, body = self.invoke(name, {"k": [1, 2]}, LogType="Tail")
        self.assertNotIn("FunctionError", resp, body)
        request_id = resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        self.assertEqual((body["style"], body["module"]), ("async", "cjs"))
        self.assertEqual(body["event"], {"k": [1, 2]})
        self.assertEqual(body["context"]["functionName"], name)
        self.assertEqual(body["context"]["awsRequestId"], request_id)
        self.assertEqual(body["context"]["invokedFunctionArn"], function_arn(name))
        self.assertEqual(body["context"]["memoryLimitInMB"], "128")
        self.assertTrue(0 < body["context"]["remainingMs"] <= 3000)
        log = base64.b64decode(resp["LogResult"]).decode("utf-8")
        self.assertIn("node cjs handling " + request_id, log)
        _, _, again = self.invoke(name, {})
        self.assertEqual(again["invocations"], 2, "warm reuse keeps module state")

    def test_commonjs_callback_handler(self):
        name = self.create_function(fixture="node_cjs", handler="index.callbackHandler",
                                    runtime=NODE_RUNTIME)["FunctionName"]
        resp, _, body = self.invoke(name, {"cb": True})
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body, {"style": "callback", "module": "cjs", "event": {"cb": True}})

    def test_esm_handler(self):
        name = self.create_function(fixture="node_esm", handler="index.handler", runtime=NODE_RUNTIME)["FunctionName"]
        resp, _, body = self.invoke(name, {"esm": 1})
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual((body["style"], body["module"]), ("async", "esm"))
        self.assertEqual(body["event"], {"esm": 1})
        self.assertEqual(body["context"]["functionName"], name)

    def test_esm_package_type_module(self):
        name = self.create_function(fixture="node_esm_pkg", handler="index.handler",
                                    runtime=NODE_RUNTIME)["FunctionName"]
        resp, _, body = self.invoke(name, {"pkg": 1})
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(body, {"style": "async", "module": "esm-package", "file": "index.js",
                                "event": {"pkg": 1}, "functionName": name})

    def test_node_init_errors(self):
        for handler, error_type in (("nosuchmodule.handler", "Runtime.ImportModuleError"),
                                    ("index.noSuchExport", "Runtime.HandlerNotFound")):
            with self.subTest(handler=handler):
                name = self.create_function(fixture="node_cjs", handler=handler, runtime=NODE_RUNTIME)["FunctionName"]
                t0 = time.monotonic()
                resp, _, body = self.invoke(name, {})
                self.assertLess(time.monotonic() - t0, 5.0)
                self.assertEqual(resp.get("FunctionError"), "Unhandled")
                self.assertEqual(body.get("errorType"), error_type, body)

    def test_node_errors(self):
        name = self.create_function(fixture="node_cjs", handler="index.errorHandler",
                                    runtime=NODE_RUNTIME)["FunctionName"]
        resp, _, body = self.invoke(name, {"reason": "bad order"})
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "node failure: bad order")
        name = self.create_function(fixture="node_cjs", handler="index.callbackErrorHandler",
                                    runtime=NODE_RUNTIME)["FunctionName"]
        resp, _, body = self.invoke(name, {})
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "callback failure")


@unittest.skipIf(CC is None, "no C compiler")
class ProvidedRuntimeTests(LambdaTestCase):
    """A custom runtime: the compiled fixtures/handlers/provided_echo/bootstrap.c, which speaks the
    Runtime API itself."""

    def test_bootstrap_echo_and_runtime_api_headers(self):
        out = self.out_dir()
        name = self.create_function(zip_file=provided_zip(), runtime=PROVIDED_RUNTIME, handler="echo",
                                    env={"OUT_DIR": out})["FunctionName"]
        client_context = {"custom": {"k": "v"}, "env": {"locale": "en"}}
        before_ms = int(time.time() * 1000)
        resp, _, body = self.invoke(name, {"a": 1}, LogType="Tail",
                                    ClientContext=base64.b64encode(json.dumps(client_context).encode()).decode())
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp, body)
        request_id = resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        self.assertEqual(body["event"], {"a": 1})
        self.assertEqual(body["requestId"], request_id)
        self.assertEqual(body["handler"], "echo")
        self.assertEqual(body["invokedFunctionArn"], function_arn(name))
        deadline = int(body["deadlineMs"])
        self.assertTrue(before_ms + 2000 <= deadline <= int(time.time() * 1000) + 3000,
                        "deadline = hand-out time + Timeout")
        self.assertEqual(json.loads(body["clientContext"]), client_context, "decoded client context")
        self.assertRegex(body["traceId"] or "", r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}")
        self.assertEqual(len(read_records(out)), 1)
        log = base64.b64decode(resp["LogResult"]).decode("utf-8")
        self.assertIn("bootstrap handling " + request_id, log)

        resp, _, body = self.invoke(name, {"b": 2})
        self.assertEqual(body["invocations"], 2, "the bootstrap process stays warm")
        self.assertIsNone(body["clientContext"], "no client context header without X-Amz-Client-Context")

    def test_next_waits_without_timeout(self):
        # GET /next hangs as long as the environment is idle; it must not be cut off
        name = self.create_function(zip_file=provided_zip(), runtime=PROVIDED_RUNTIME, handler="echo")["FunctionName"]
        first = self.invoke(name, {"n": 1})[2]
        # Time passing, not a wait on server state: the environment idles 12 s in GET /next, longer than
        # any HTTP timeout that could cut it off.
        time.sleep(12)
        resp, _, second = self.invoke(name, {"n": 2})
        self.assertNotIn("FunctionError", resp, second)
        self.assertEqual(second["pid"], first["pid"], "the idle bootstrap was lost while waiting on /next")
        self.assertEqual(second["invocations"], 2)


        name = self.create_function(zip_file=provided_zip(), runtime=PROVIDED_RUNTIME, handler="error")["FunctionName"]
        resp, raw, body = self.invoke(name, {})
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body, {"errorMessage": "custom failure", "errorType": "Function.Custom"},
                         "the posted error document verbatim")
        name = self.create_function(zip_file=provided_zip(), runtime="provided.al2", handler="exit")["FunctionName"]
        resp, raw, body = self.invoke(name, {})
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.assertIn("exit status 7", body["errorMessage"])

    def test_missing_bootstrap(self):
        name = self.create_function(zip_file=zip_bytes({"README": "no bootstrap here"}),
                                    runtime=PROVIDED_RUNTIME, handler="echo")["FunctionName"]
        resp, _, body = self.invoke(name, {})
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertTrue(body["errorType"].startswith("Runtime."), body)


class IdleEnvironmentTests(LambdaTestCase):
    """Idle reaping with --lambda-idle-timeout 1: idle environments are stopped, so the next
    invocation cold-starts (and a hot-reload directory is read again)."""

    server_args = ("--lambda-idle-timeout", "1")

    def test_idle_environment_is_reaped(self):
        name = self.create_function()["FunctionName"]
        first = self.invoke(name, {"action": "state"})[2]
        second = self.invoke(name, {"action": "state"})[2]
        self.assertEqual(first["pid"], second["pid"])
        # Time passing, not a wait on server state: 2.5 s idle, past --lambda-idle-timeout 1.
        time.sleep(2.5)
        third = self.invoke(name, {"action": "state"})[2]
        self.assertNotEqual(third["pid"], first["pid"], "an environment idle past the limit must be stopped")
        self.assertEqual(third["invocations"], 1)

    def test_hot_reload_after_idle(self):
        code_dir = copy_fixture("py_version", os.path.join(self.tmpdir(), "code"))
        name = self.create_function(code={"S3Bucket": "hot-reload", "S3Key": code_dir})["FunctionName"]
        self.assertEqual(self.invoke(name)[2]["version"], "v1")
        with open(os.path.join(code_dir, "app.py"), "w") as f:
            f.write(version_source("v2"))
        # Time passing, not a wait on server state: 2.5 s idle, past --lambda-idle-timeout 1.
        time.sleep(2.5)
        self.assertEqual(self.invoke(name)[2]["version"], "v2", "no redeploy needed after an idle cold start")


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class CliFunctionTests(LambdaTestCase):
    """The same through `aws lambda ...`."""

    def test_cli_create_wait_invoke_list_delete(self):
        home = self.tmpdir()
        env = cli_env(home)
        zip_path = os.path.join(home, "fn.zip")
        with open(zip_path, "wb") as f:
            f.write(zip_fixture("py_recorder"))
        name = self.unique("cli")
        created, _ = run_cli(self.server, env, "lambda", "create-function", "--function-name", name,
                             "--runtime", PY_RUNTIME, "--handler", "app.handler", "--role", ROLE,
                             "--zip-file", "fileb://" + zip_path, "--timeout", "10")
        self.addCleanup(self._delete_function_quietly, name)
        self.assertEqual(created["FunctionArn"], function_arn(name))
        self.assertEqual(created["Timeout"], 10)
        t0 = time.monotonic()
        run_cli(self.server, env, "lambda", "wait", "function-active-v2", "--function-name", name)
        run_cli(self.server, env, "lambda", "wait", "function-updated-v2", "--function-name", name)
        self.assertLess(time.monotonic() - t0, 20)

        payload = os.path.join(home, "payload.json")
        with open(payload, "w") as f:
            f.write('{"action": "echo", "from": "cli"}\n')  # the CLI sends it verbatim
        outfile = os.path.join(home, "out.json")
        result, _ = run_cli(self.server, env, "lambda", "invoke", "--function-name", name,
                            "--payload", "file://" + payload, "--log-type", "Tail", outfile)
        self.assertEqual(result["StatusCode"], 200)
        self.assertNotIn("FunctionError", result)
        self.assertIn("START RequestId:", base64.b64decode(result["LogResult"]).decode())
        with open(outfile) as f:
            self.assertEqual(json.load(f)["event"], {"action": "echo", "from": "cli"})

        listed, _ = run_cli(self.server, env, "lambda", "list-functions")
        self.assertIn(name, [fn["FunctionName"] for fn in listed["Functions"]])
        got, _ = run_cli(self.server, env, "lambda", "get-function", "--function-name", function_arn(name))
        self.assertEqual(got["Configuration"]["State"], "Active")
        run_cli(self.server, env, "lambda", "delete-function", "--function-name", name)
        _, proc = run_cli(self.server, env, "lambda", "get-function", "--function-name", name, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ResourceNotFoundException", proc.stderr)
