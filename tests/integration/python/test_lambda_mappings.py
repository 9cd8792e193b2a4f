"""Event-source mappings for SQS against a real sqsemu: the control plane (create, get, update,
delete, list, states) and CreateEventSourceMapping's checks with their exact codes, statuses
and messages (docs/lambda-semantics.md, Event-source mappings for SQS)."""
import json
import time
import unittest

import harness
from lambda_util import (ACCOUNT, AWS_CLI, NOT_FOUND_RESOURCE, UUID_RE, LambdaTestCase,
                         cli_env, function_arn, lambda_client, mapping_arn, queue_arn_for, read_records,
                         run_cli)


def validation(value, path, constraint):
    return ("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s"
            % (value, path, constraint))


class MappingTestBase(LambdaTestCase):

    def setUp(self):
        # a function (Timeout 3) and queues whose visibility timeout allows it
        self.fn = self.create_function()["FunctionName"]
        self.url, self.arn = self.queue("src", {"VisibilityTimeout": 30})

    def raw_mapping(self, uuid):
        status, _, body = self.raw_json("GET", "/2015-03-31/event-source-mappings/" + uuid)
        self.assertEqual(status, 200)
        return body


class MappingLifecycleTests(MappingTestBase):
    """Create, Get, Update, Delete and List, and the states in between."""

    def test_create_defaults_then_enabled(self):
        t0 = time.time()
        resp = self.lam.create_event_source_mapping(FunctionName=self.fn, EventSourceArn=self.arn)
        self.addCleanup(self._delete_mapping_quietly, resp["UUID"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        uuid = resp["UUID"]
        self.assertRegex(uuid, UUID_RE)
        self.assertEqual(resp["EventSourceMappingArn"], mapping_arn(uuid))
        self.assertEqual(resp["EventSourceArn"], self.arn)
        self.assertEqual(resp["FunctionArn"], function_arn(self.fn))
        self.assertEqual(resp["BatchSize"], 10)
        self.assertEqual(resp["MaximumBatchingWindowInSeconds"], 0)
        self.assertEqual(resp["FunctionResponseTypes"], [])
        self.assertEqual(resp["State"], "Creating")
        self.assertEqual(resp["StateTransitionReason"], "USER_INITIATED")
        for absent in ("FilterCriteria", "ScalingConfig", "StartingPosition", "ParallelizationFactor",
                       "MaximumRetryAttempts", "BisectBatchOnFunctionError", "DestinationConfig"):
            self.assertNotIn(absent, resp)
        self.assertLess(abs(resp["LastModified"].timestamp() - t0), 60)

        got = self.wait_mapping_state(uuid, "Enabled", timeout=2.5)
        self.assertEqual(got["UUID"], uuid)
        self.assertEqual(got["BatchSize"], 10)
        raw = self.raw_mapping(uuid)
        self.assertIsInstance(raw["LastModified"], (int, float), "ESM LastModified is a JSON number (epoch seconds)")
        self.assertNotIsInstance(raw["LastModified"], bool)
        self.assertIsInstance(raw["BatchSize"], int)

    def test_create_disabled(self):
        resp = self.create_mapping(self.fn, self.arn, Enabled=False)
        self.assertEqual(resp["State"], "Disabled")
        # Time passing, not a wait on server state: a disabled mapping must still be Disabled 1.2 s later.
        time.sleep(1.2)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=resp["UUID"])["State"], "Disabled")

    def test_create_with_every_option_echoed(self):
        pattern = json.dumps({"body": {"status": ["NEW"]}})
        resp = self.create_mapping(self.fn, self.arn, wait_enabled=False, BatchSize=100,
                                   MaximumBatchingWindowInSeconds=5,
                                   FunctionResponseTypes=["ReportBatchItemFailures"],
                                   ScalingConfig={"MaximumConcurrency": 5},
                                   FilterCriteria={"Filters": [{"Pattern": pattern}]},
                                   Tags={"team": "payments"})
        self.assertEqual(resp["BatchSize"], 100)
        self.assertEqual(resp["MaximumBatchingWindowInSeconds"], 5)
        self.assertEqual(resp["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        self.assertEqual(resp["ScalingConfig"], {"MaximumConcurrency": 5})
        self.assertEqual(resp["FilterCriteria"], {"Filters": [{"Pattern": pattern}]})
        raw = self.raw_mapping(resp["UUID"])
        self.assertIsInstance(raw["FilterCriteria"]["Filters"][0]["Pattern"], str,
                              "Pattern stays a string of JSON")
        self.assertEqual(json.loads(raw["FilterCriteria"]["Filters"][0]["Pattern"]), json.loads(pattern))
        self.wait_mapping_state(resp["UUID"], "Enabled")
        tags = self.lam.list_tags(Resource=resp["EventSourceMappingArn"])["Tags"]
        self.assertEqual(tags, {"team": "payments"})

    def test_function_arn_keeps_the_given_qualifier(self):
        cases = [(self.fn + ":$LATEST", function_arn(self.fn, "$LATEST")),
                 (function_arn(self.fn), function_arn(self.fn)),
                 ("%s:function:%s" % (ACCOUNT, self.fn), function_arn(self.fn))]
        for given, expected in cases:
            with self.subTest(given=given):
                url, arn = self.queue("q")
                resp = self.create_mapping(given, arn, wait_enabled=False)
                self.assertEqual(resp["FunctionArn"], expected,
                                 "FunctionArn is the function's ARN, keeping the qualifier given")

    def test_update_transitions_and_partial_update(self):
        m = self.create_mapping(self.fn, self.arn, BatchSize=5,
                                FunctionResponseTypes=["ReportBatchItemFailures"],
                                FilterCriteria={"Filters": [{"Pattern": '{"body": {"a": ["b"]}}'}]})
        uuid = m["UUID"]
        first_modified = self.raw_mapping(uuid)["LastModified"]
        # Time passing, not a wait on server state: LastModified must move on at the next update.
        time.sleep(0.05)

        resp = self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(resp["State"], "Disabling")
        self.assertEqual(resp["BatchSize"], 5, "unspecified members keep their values")
        self.assertEqual(resp["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        self.wait_mapping_state(uuid, "Disabled")
        self.assertGreater(self.raw_mapping(uuid)["LastModified"], first_modified)

        resp = self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        self.assertEqual(resp["State"], "Enabling")
        self.wait_mapping_state(uuid, "Enabled")

        resp = self.lam.update_event_source_mapping(UUID=uuid, BatchSize=7)
        self.assertEqual(resp["State"], "Updating")
        self.assertEqual(resp["BatchSize"], 7)
        got = self.wait_mapping_state(uuid, "Enabled")
        self.assertEqual(got["BatchSize"], 7)
        self.assertIn("FilterCriteria", got)

        # removal: {} for an object member and an empty list remove the setting
        self.lam.update_event_source_mapping(UUID=uuid, FilterCriteria={}, FunctionResponseTypes=[])
        got = self.wait_mapping_state(uuid, "Enabled")
        self.assertNotIn("FilterCriteria", got)
        self.assertEqual(got["FunctionResponseTypes"], [])

        # the batch/window rule is checked on the merged result
        self.assertLambdaError(
            lambda: self.lam.update_event_source_mapping(UUID=uuid, BatchSize=50), "InvalidParameterValueException", 400,
            message="Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
        resp = self.lam.update_event_source_mapping(UUID=uuid, BatchSize=50, MaximumBatchingWindowInSeconds=1)
        self.assertEqual((resp["BatchSize"], resp["MaximumBatchingWindowInSeconds"]), (50, 1))
        self.wait_mapping_state(uuid, "Enabled")
        self.assertLambdaError(
            lambda: self.lam.update_event_source_mapping(UUID=uuid, MaximumBatchingWindowInSeconds=0),
            "InvalidParameterValueException", 400,
            message="Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")

    def test_update_repoints_function(self):
        other = self.create_function()["FunctionName"]
        m = self.create_mapping(self.fn, self.arn)
        resp = self.lam.update_event_source_mapping(UUID=m["UUID"], FunctionName=other)
        self.assertEqual(resp["FunctionArn"], function_arn(other))
        self.assertEqual(self.wait_mapping_state(m["UUID"], "Enabled")["FunctionArn"], function_arn(other))

    def test_delete_then_not_found(self):
        m = self.create_mapping(self.fn, self.arn)
        resp = self.lam.delete_event_source_mapping(UUID=m["UUID"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(resp["State"], "Deleting")
        self.assertEqual(resp["UUID"], m["UUID"])

        def gone():
            try:
                self.lam.get_event_source_mapping(UUID=m["UUID"])
                return False
            except self.lam.exceptions.ResourceNotFoundException:
                return True
        self.assertTrue(harness.wait_until(gone, timeout=3.0), "Get still finds a deleted mapping")
        self.assertLambdaError(lambda: self.lam.get_event_source_mapping(UUID=m["UUID"]),
                               "ResourceNotFoundException", 404, message=NOT_FOUND_RESOURCE)
        # a new mapping for the same pair is allowed again
        self.create_mapping(self.fn, self.arn, wait_enabled=False)

    def test_unknown_uuid(self):
        uuid = "6d9bce8e-836b-442c-8070-74e77903c815"
        for call in (lambda: self.lam.get_event_source_mapping(UUID=uuid),
                     lambda: self.lam.update_event_source_mapping(UUID=uuid, BatchSize=5),
                     lambda: self.lam.delete_event_source_mapping(UUID=uuid)):
            self.assertLambdaError(call, "ResourceNotFoundException", 404, message=NOT_FOUND_RESOURCE)
        status, hdrs, body = self.raw_json("GET", "/2015-03-31/event-source-mappings/" + uuid)
        self.assertEqual(status, 404)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "ResourceNotFoundException")
        self.assertEqual(body, {"Type": "User", "Message": NOT_FOUND_RESOURCE})

    def test_list_filters_and_paging(self):
        other_fn = self.create_function()["FunctionName"]
        url2, arn2 = self.queue("src2", {"VisibilityTimeout": 30})
        a = self.create_mapping(self.fn, self.arn, wait_enabled=False)["UUID"]
        b = self.create_mapping(self.fn, arn2, wait_enabled=False)["UUID"]
        c = self.create_mapping(other_fn, self.arn, wait_enabled=False)["UUID"]

        def uuids(**kw):
            out, marker = [], None
            for _ in range(100):
                if marker:
                    kw["Marker"] = marker
                page = self.lam.list_event_source_mappings(**kw)
                out += [m["UUID"] for m in page["EventSourceMappings"]]
                marker = page.get("NextMarker")
                if not marker:
                    return out
            self.fail("NextMarker never ends")

        self.assertEqual(sorted(uuids(EventSourceArn=self.arn)), sorted([a, c]))
        self.assertEqual(sorted(uuids(FunctionName=self.fn)), sorted([a, b]))
        self.assertEqual(sorted(uuids(FunctionName=function_arn(self.fn))), sorted([a, b]))
        self.assertEqual(uuids(FunctionName=self.fn, EventSourceArn=arn2), [b])
        self.assertEqual(uuids(FunctionName=self.unique("nofn")), [],
                         "a filter naming nothing is an empty list, not an error")
        self.assertEqual(uuids(EventSourceArn=queue_arn_for(self.unique("noq"))), [])
        everything = uuids()
        for u in (a, b, c):
            self.assertIn(u, everything)

        page = self.lam.list_event_source_mappings(FunctionName=self.fn, MaxItems=1)
        self.assertEqual(len(page["EventSourceMappings"]), 1)
        self.assertIn("NextMarker", page)
        paged = uuids(FunctionName=self.fn, MaxItems=1)
        self.assertEqual(sorted(paged), sorted([a, b]))
        via_paginator = [m["UUID"] for p in self.lam.get_paginator("list_event_source_mappings").paginate(
            EventSourceArn=self.arn, PaginationConfig={"PageSize": 1}) for m in p["EventSourceMappings"]]
        self.assertEqual(sorted(via_paginator), sorted([a, c]))
        item = self.lam.list_event_source_mappings(FunctionName=other_fn)["EventSourceMappings"][0]
        self.assertEqual(item["FunctionArn"], function_arn(other_fn))
        self.assertEqual(item["BatchSize"], 10)
        self.assertEqual(item["FunctionResponseTypes"], [])

    def test_list_by_qualified_function_name(self):
        url2, arn2 = self.queue("src2", {"VisibilityTimeout": 30})
        plain = self.create_mapping(self.fn, self.arn, wait_enabled=False)["UUID"]
        latest = self.create_mapping(self.fn + ":$LATEST", arn2, wait_enabled=False)["UUID"]
        listed = lambda **kw: sorted(m["UUID"] for m in self.lam.list_event_source_mappings(**kw)["EventSourceMappings"])
        self.assertEqual(listed(FunctionName=self.fn), sorted([plain, latest]),
                         "an unqualified filter matches every mapping of the function")
        self.assertEqual(listed(FunctionName=self.fn + ":$LATEST"), [latest])
        self.assertEqual(listed(FunctionName=function_arn(self.fn, "$LATEST")), [latest])

    def test_mapping_survives_function_deletion(self):
        fn = self.create_function()["FunctionName"]
        m = self.create_mapping(fn, self.arn)
        self.lam.delete_function(FunctionName=fn)
        got = self.lam.get_event_source_mapping(UUID=m["UUID"])
        self.assertEqual(got["UUID"], m["UUID"], "mappings are not deleted with their function")

    def test_trailing_slash_collection_path(self):
        status, _, body = self.raw_json("GET", "/2015-03-31/event-source-mappings/")
        self.assertEqual(status, 200)
        self.assertIn("EventSourceMappings", body)


class MappingValidationTests(MappingTestBase):
    """CreateEventSourceMapping's checks, in order, and their errors."""

    def create(self, **kwargs):
        kwargs.setdefault("FunctionName", self.fn)
        kwargs.setdefault("EventSourceArn", self.arn)
        resp = self.lam.create_event_source_mapping(**kwargs)
        self.addCleanup(self._delete_mapping_quietly, resp["UUID"])
        return resp

    def raw_create(self, body):
        body = dict(body)
        body.setdefault("FunctionName", self.fn)
        body.setdefault("EventSourceArn", self.arn)
        status, hdrs, parsed = self.raw_json("POST", "/2015-03-31/event-source-mappings", body)
        if status == 202:
            self.addCleanup(self._delete_mapping_quietly, parsed["UUID"])
        return status, hdrs, parsed

    def assertRawValidation(self, body, message=None, contains=None):
        status, hdrs, parsed = self.raw_create(body)
        self.assertEqual(status, 400, parsed)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "ValidationException")
        text = parsed.get("message") or parsed.get("Message")
        if message is not None:
            self.assertEqual(text, message)
        if contains is not None:
            self.assertIn(contains, text)

    def test_model_ranges(self):
        self.assertLambdaError(lambda: self.create(BatchSize=20000), "ValidationException", 400,
                               message=validation(20000, "batchSize",
                                                  "Member must have value less than or equal to 10000"))
        self.assertRawValidation({"BatchSize": 0}, validation(0, "batchSize",
                                                              "Member must have value greater than or equal to 1"))
        self.assertLambdaError(lambda: self.create(BatchSize=11, MaximumBatchingWindowInSeconds=301),
                               "ValidationException", 400,
                               message=validation(301, "maximumBatchingWindowInSeconds",
                                                  "Member must have value less than or equal to 300"))
        self.assertRawValidation({"MaximumBatchingWindowInSeconds": -1},
                                 validation(-1, "maximumBatchingWindowInSeconds",
                                            "Member must have value greater than or equal to 0"))
        self.assertLambdaError(lambda: self.create(ScalingConfig={"MaximumConcurrency": 1001}),
                               "ValidationException", 400,
                               message_contains="Member must have value less than or equal to 1000")
        self.assertRawValidation({"ScalingConfig": {"MaximumConcurrency": 1}},
                                 contains="Member must have value greater than or equal to 2")
        self.assertLambdaError(lambda: self.create(FunctionResponseTypes=["Bogus"]), "ValidationException", 400,
                               message_contains="functionResponseTypes")
        self.assertLambdaError(
            lambda: self.create(FunctionResponseTypes=["ReportBatchItemFailures", "ReportBatchItemFailures"]),
            "ValidationException", 400)
        long_pattern = json.dumps({"body": {"k": ["x" * 4100]}})
        self.assertLambdaError(lambda: self.create(FilterCriteria={"Filters": [{"Pattern": long_pattern}]}),
                               "ValidationException", 400)
        self.assertLambdaError(lambda: self.create(FunctionName="bad!name"), "ValidationException", 400,
                               message_contains="at 'functionName' failed to satisfy constraint")
        self.assertEqual(self.lam.list_event_source_mappings(EventSourceArn=self.arn)["EventSourceMappings"], [],
                         "rejected requests create nothing")

    def test_batch_size_above_ten_needs_a_window(self):
        self.assertLambdaError(
            lambda: self.create(BatchSize=11), "InvalidParameterValueException", 400,
            message="Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
        self.assertLambdaError(
            lambda: self.create(BatchSize=11, MaximumBatchingWindowInSeconds=0), "InvalidParameterValueException", 400,
            message="Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
        resp = self.create(BatchSize=10000, MaximumBatchingWindowInSeconds=1)
        self.assertEqual(resp["BatchSize"], 10000)

    def test_fifo_rules(self):
        _, fifo_arn = self.queue("fifo", {"VisibilityTimeout": 30}, fifo=True)
        self.assertLambdaError(lambda: self.create(EventSourceArn=fifo_arn, MaximumBatchingWindowInSeconds=1),
                               "InvalidParameterValueException", 400,
                               message="Batching window is not supported for FIFO queues")
        self.assertLambdaError(lambda: self.create(EventSourceArn=fifo_arn, BatchSize=11,
                                                   MaximumBatchingWindowInSeconds=1),
                               "InvalidParameterValueException", 400)
        self.assertLambdaError(lambda: self.create(EventSourceArn=fifo_arn, BatchSize=11),
                               "InvalidParameterValueException", 400)
        resp = self.create(EventSourceArn=fifo_arn, BatchSize=10)
        self.assertEqual(resp["BatchSize"], 10)
        self.assertEqual(resp["MaximumBatchingWindowInSeconds"], 0)

    def test_invalid_filter_patterns(self):
        for pattern in ("null", "simple string", '{"eventSource": "aws:sqs"}', '{"eventSource": []}',
                        "[1, 2]", '{"body": {"n": [{"numeric": [">"]}]}}', "{not json"):
            with self.subTest(pattern=pattern):
                self.assertLambdaError(lambda: self.create(FilterCriteria={"Filters": [{"Pattern": pattern}]}),
                                       "InvalidParameterValueException", 400,
                                       message="Invalid filter pattern definition.")
        ok = self.create(FilterCriteria={"Filters": [
            {"Pattern": '{"body": {"status": ["NEW", "PAID"], "price": [{"numeric": [">=", 100, "<", 200]}]}}'},
            {"Pattern": '{"body": {"region": [{"prefix": "us-"}], "id": [{"exists": true}]}}'},
            {"Pattern": '{"body": {"weather": [{"anything-but": ["Raining"]}], "userId": [null], "lastName": [""]}}'},
        ]})
        self.assertEqual(len(ok["FilterCriteria"]["Filters"]), 3)

    def test_too_many_filters(self):
        filters = [{"Pattern": json.dumps({"body": {"k": ["v%d" % i]}})} for i in range(11)]
        self.assertLambdaError(lambda: self.create(FilterCriteria={"Filters": filters}),
                               "InvalidParameterValueException", 400)  # more than 5 filters (text unverified)

    def test_service_checks(self):
        self.assertLambdaError(
            lambda: self.create(DestinationConfig={"OnSuccess": {"Destination": self.arn}}),
            "InvalidParameterValueException", 400,
            message="Unsupported DestinationConfig parameter for given event source mapping type.")
        self.assertLambdaError(lambda: self.lam.create_event_source_mapping(FunctionName=self.fn),
                               "InvalidParameterValueException", 400, message="Unrecognized event source.")
        self.assertLambdaError(lambda: self.create(FunctionName=self.unique("nofn")),
                               "InvalidParameterValueException", 400, message="Function does not exist")
        self.assertLambdaError(
            lambda: self.create(EventSourceArn=queue_arn_for(self.unique("noq"))),
            "InvalidParameterValueException", 400,
            message="Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                    "SQS Error Message: The specified queue does not exist.")

    def test_visibility_timeout_must_cover_function_timeout(self):
        _, short_arn = self.queue("short", {"VisibilityTimeout": 2})
        self.assertLambdaError(lambda: self.create(EventSourceArn=short_arn), "InvalidParameterValueException", 400,
                               message="Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds")
        slow = self.create_function(Timeout=60)["FunctionName"]
        self.assertLambdaError(lambda: self.create(FunctionName=slow), "InvalidParameterValueException", 400,
                               message="Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")
        _, equal_arn = self.queue("equal", {"VisibilityTimeout": 3})
        self.assertEqual(self.create(EventSourceArn=equal_arn)["BatchSize"], 10, "equal timeouts are fine")

    def test_duplicate_mapping_conflicts(self):
        first = self.create()
        self.assertLambdaError(
            lambda: self.create(), "ResourceConflictException", 409,
            message='An event source mapping with SQS arn (" %s ") and function (" %s ") already exists. Please '
                    'update or delete the existing mapping with UUID %s' % (self.arn, self.fn, first["UUID"]))
        self.assertLambdaError(lambda: self.create(FunctionName=function_arn(self.fn)), "ResourceConflictException", 409,
                               message_contains=first["UUID"])
        status, hdrs, body = self.raw_create({})
        self.assertEqual(status, 409)
        self.assertEqual(hdrs.get("x-amzn-errortype"), "ResourceConflictException")
        self.assertEqual(body.get("Type"), "User")
        self.assertIn(first["UUID"], body.get("message", ""), "ResourceConflictException spells it 'message'")


class RestartTests(LambdaTestCase):
    """Functions and mappings are stored (SQLite + code directory) and come back after a
    restart of the server on the same data directory; the poller resumes by itself."""

    def test_functions_and_mappings_survive_restart(self):
        out = self.out_dir()
        fn = self.create_function(env={"OUT_DIR": out})["FunctionName"]
        url, arn = self.queue("durable", {"VisibilityTimeout": 30})
        m = self.create_mapping(fn, arn, BatchSize=3, FunctionResponseTypes=["ReportBatchItemFailures"])
        disabled = self.create_mapping(fn, self.queue("off", {"VisibilityTimeout": 30})[1], Enabled=False)
        before = self.lam.get_function_configuration(FunctionName=fn)
        self.assertEqual(self.server.stop(), 0, "clean shutdown on SIGTERM")
        self.server.restart()
        type(self).lam = lambda_client(self.server)
        type(self).sqs = self.server.client("sqs", read_timeout=60)

        after = self.lam.get_function_configuration(FunctionName=fn)
        for key in ("FunctionArn", "CodeSha256", "CodeSize", "RevisionId", "Environment", "Timeout", "LastModified"):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual((after["State"], after["LastUpdateStatus"]), ("Active", "Successful"))
        got = self.lam.get_event_source_mapping(UUID=m["UUID"])
        self.assertEqual((got["State"], got["BatchSize"], got["FunctionResponseTypes"]),
                         ("Enabled", 3, ["ReportBatchItemFailures"]))
        self.assertEqual(self.lam.get_event_source_mapping(UUID=disabled["UUID"])["State"], "Disabled")
        resp, _, body = self.invoke(fn, {"action": "echo", "after": "restart"})
        self.assertNotIn("FunctionError", resp, body)
        self.sqs.send_message(QueueUrl=url, MessageBody="after restart")
        docs = harness.wait_until(lambda: [d for d in read_records(out) if isinstance(d["event"], dict)
                                           and d["event"].get("Records")], timeout=10)
        self.assertTrue(docs, "the poller did not resume after the restart")
        self.assertEqual(docs[0]["event"]["Records"][0]["body"], "after restart")


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class CliMappingTests(MappingTestBase):

    def test_cli_create_list_update_delete(self):
        env = cli_env(self.tmpdir())
        created, _ = run_cli(self.server, env, "lambda", "create-event-source-mapping", "--function-name", self.fn,
                             "--event-source-arn", self.arn, "--batch-size", "5",
                             "--function-response-types", "ReportBatchItemFailures",
                             "--scaling-config", "MaximumConcurrency=5")
        uuid = created["UUID"]
        self.addCleanup(self._delete_mapping_quietly, uuid)
        self.assertEqual(created["State"], "Creating")
        self.assertEqual(created["ScalingConfig"], {"MaximumConcurrency": 5})
        self.wait_mapping_state(uuid, "Enabled")
        listed, _ = run_cli(self.server, env, "lambda", "list-event-source-mappings", "--function-name", self.fn)
        self.assertEqual([m["UUID"] for m in listed["EventSourceMappings"]], [uuid])
        updated, _ = run_cli(self.server, env, "lambda", "update-event-source-mapping", "--uuid", uuid, "--no-enabled")
        self.assertEqual(updated["State"], "Disabling")
        self.wait_mapping_state(uuid, "Disabled")
        deleted, _ = run_cli(self.server, env, "lambda", "delete-event-source-mapping", "--uuid", uuid)
        self.assertEqual(deleted["State"], "Deleting")
